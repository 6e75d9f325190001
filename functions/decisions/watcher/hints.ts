import type { WatcherEventKind } from './event-types.js';
import { decidePass } from './transitions.js';
import type { ClusterObservation, WatcherPolicy, WatcherSnapshot } from './types.js';

/**
 * The transitions a cluster-hint round looks for: those that start buffer capacity (issue 11). The others (a VM gone,
 * an orphan, a recovery) keep the watcher's own cadence.
 */
export const HINTED_KINDS: readonly WatcherEventKind[] = ['nodeNotReady', 'providerDegraded', 'podsUnschedulable'];

export type HintVerdict = { pass: true; reasons: { kind: WatcherEventKind; subject: string }[] } | { pass: false; reason: 'unreachable' | 'nothing-new' };

/**
 * Whether what a hint round saw of the cluster (its Nodes and unschedulable pods, no provider) is worth a full watcher
 * pass now: when the pass would publish a hinted transition against the snapshot its last pass saved. The rule is the
 * pass's own (decidePass, with no provider listed), so a hint never asks for a pass that would publish nothing new,
 * and once that pass saved its snapshot the same world gives no hint again. An API server the round could not reach
 * is left to the scheduled pass (it reports the API's own transition).
 */
export function hintVerdict(previous: WatcherSnapshot, cluster: ClusterObservation, policy: WatcherPolicy, at: string): HintVerdict {
  if (!cluster.reachable) return { pass: false, reason: 'unreachable' };
  const { transitions } = decidePass(previous, { at, cluster, providers: [] }, policy, 'hint');
  const reasons = transitions
    .filter((t) => HINTED_KINDS.includes(t.kind))
    .map((t) => ({ kind: t.kind, subject: subjectOf(t.detail as unknown as Record<string, unknown>) }));
  return reasons.length > 0 ? { pass: true, reasons } : { pass: false, reason: 'nothing-new' };
}

function subjectOf(detail: Record<string, unknown>): string {
  if (typeof detail.node === 'string') return detail.node;
  if (typeof detail.provider === 'string') return typeof detail.region === 'string' ? `${detail.provider}/${detail.region}` : detail.provider;
  return typeof detail.count === 'number' ? `${detail.count} pods` : 'pods';
}
