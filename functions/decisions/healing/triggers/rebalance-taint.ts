import type { NodeTaint } from '../../provision.js';

/**
 * The taint healing puts on a node whose Spot Instance got an EC2 rebalance recommendation, when
 * healing.rebalanceRecommendation is `taint`. PreferNoSchedule, not NoSchedule: a recommendation is a risk signal, not
 * a notice (AWS: "not an indication that the instance will be interrupted"), and recommendations come in waves across
 * a capacity pool, so a hard NoSchedule on every recommended node at once could leave pods nowhere to go. The
 * scheduler then places new pods elsewhere when it can; the interruption warning, if it comes, replaces the node.
 * AWS Node Termination Handler's equivalent is `aws-node-termination-handler/rebalance-recommendation`.
 */
export const REBALANCE_TAINT: NodeTaint = { key: 'shepherd.io/rebalance-recommendation', value: 'true', effect: 'PreferNoSchedule' };

/** The Node's taints with the rebalance taint added; undefined when it already carries it (nothing to patch). */
export function withRebalanceTaint(taints: readonly NodeTaint[]): NodeTaint[] | undefined {
  if (taints.some((t) => t.key === REBALANCE_TAINT.key && t.effect === REBALANCE_TAINT.effect)) return undefined;
  return [...taints, REBALANCE_TAINT];
}
