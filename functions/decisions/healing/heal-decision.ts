import type { ClaimStatus } from '../../adapters/store/claims.js';
import type { VmState } from '../../providers/types.js';
import { type DrainPolicy, drainPolicy } from '../drain.js';
import { healAction } from './heal-action.js';
import { type HealPlan, type HealReason, SPOT_DRAIN_SECONDS, UNREACHABLE_DRAIN_SECONDS } from './heal-plan.js';
import { nodeHealth } from './node-health.js';
import { remediationSafety } from './remediation-safety.js';
import type { NodeCondition, NodeHealth, SafetyInput, SafetyVerdict } from './types.js';

/** Reasons that announce the loss of a node still running: it is healed even while Ready. */
const ANNOUNCED_LOSS: readonly HealReason[] = ['spot-interruption', 'rebalance', 'scheduled-change', 'vm-stopping'];

/** The Node as HealNode reads it (cluster-nodes `readNodeHealth`). */
export interface HealNodeView {
  exists: boolean;
  conditions: NodeCondition[];
  claimLabel: string | null;
  /** The pool the Node belongs to: its shepherd.io/pool label, else a pool shepherd cannot launch whose labels it carries (a home lab). */
  pool: string | null;
}

/** The claim that records the node, as the heal reads it. */
export interface HealClaimView {
  claimId: string;
  pool: string;
  owner: string;
  status: ClaimStatus;
  /** Epoch seconds: a removing claim's holder keeps it until then. */
  leaseExpiresAt?: number;
}

export interface HealFacts {
  plan: Pick<HealPlan, 'nodeName' | 'reason' | 'vmGone' | 'deleteOnly' | 'drain' | 'notReadySince' | 'owner' | 'source'>;
  node: HealNodeView;
  claim: HealClaimView | undefined;
  /** The node's pool and whether its provider can launch machines; undefined when no pool is the node's. */
  pool: { name: string; provider: string; launchable: boolean } | undefined;
  /** What the provider says of the VM now (`unknown` without a VM or a provider API). */
  vm: VmState;
  now: string;
  /** Epoch seconds. */
  nowSeconds: number;
  unhealthyAfterSeconds: number;
  evictionRetrySeconds: number;
  safety: Omit<SafetyInput, 'node'>;
}

/**
 * What HealNode does with the node, decided once the facts are gathered:
 * - `refuse`: a person asked for what cannot be served (no such node, or not one shepherd may heal): the execution fails;
 * - `nothing`: a triggered heal of a node already gone with nothing recorded: succeeds, touching nothing;
 * - `left-alone`: the node is Ready and no loss was announced, or a trigger reported a node shepherd does not manage;
 * - `wait`: not Ready for less than the threshold: re-check at `remediateAt`;
 * - `held`: a safety limit refuses (paused, API unreachable, a short-circuit, the pool busy, the claim busy);
 * - `heal`: tear it down (forced with a short deadline when it cannot answer) and replace it unless it cannot be.
 */
export type HealDecision =
  | { outcome: 'refuse'; error: 'NodeNotFoundError' | 'NodeNotOwnedError'; reason: string }
  | { outcome: 'nothing'; reason: string }
  | { outcome: 'left-alone'; reason: string }
  | { outcome: 'wait'; remediateAt: string; reason: string }
  | { outcome: 'held'; verdict: SafetyVerdict['verdict'] | 'claim-busy'; reason: string; degradedProvider: string | null; safety: SafetyVerdict | null }
  | {
      outcome: 'heal';
      /** Replace the node through ProvisionNode (false: delete only). */
      replace: boolean;
      /** Start the replacement beside the teardown, not after it: the node is about to go (spot interruption). */
      replaceEarly: boolean;
      /** The node cannot answer: its pods are deleted after a short deadline instead of waiting for evictions. */
      unreachable: boolean;
      drain: DrainPolicy;
      health: NodeHealth;
      reason: string;
      actionReason: string;
    };

/** Pure: the heal's course from the facts (nodeHealth, remediationSafety, healAction). */
export function decideHeal(f: HealFacts): HealDecision {
  const { plan, node, claim, pool } = f;
  if (!node.exists && !claim) {
    if (plan.source.kind === 'manual' || plan.reason === 'manual') {
      return {
        outcome: 'refuse',
        error: 'NodeNotFoundError',
        reason: `"nodeName": there is no Node named ${plan.nodeName} and shepherd has no claim recording one; check the name with kubectl get nodes.`,
      };
    }
    return { outcome: 'nothing', reason: `node ${plan.nodeName} no longer exists and shepherd recorded no VM for it: nothing to heal` };
  }
  if (!pool) {
    const why = node.claimLabel
      ? `its claim ${node.claimLabel} is not recorded in this cluster's table`
      : 'it carries no shepherd.io/claim label and no pool of the config matches its labels';
    // A trigger (watcher, EC2 event) reports every Node of the cluster, shepherd's or not (a node still joining is not
    // labelled yet): shepherd leaves the others alone. Only a person asking by name is told it was refused.
    if (plan.source.kind !== 'manual' && plan.reason !== 'manual') {
      return { outcome: 'left-alone', reason: `node ${plan.nodeName} is not one shepherd manages (${why}): left alone` };
    }
    return {
      outcome: 'refuse',
      error: 'NodeNotOwnedError',
      reason: `"nodeName": node ${plan.nodeName} is not one shepherd manages (${why}); heal it by hand.`,
    };
  }

  // A VM its provider says is stopping or shutting down is on its way out whatever the request says.
  const announced = ANNOUNCED_LOSS.includes(plan.reason) || f.vm === 'stopping';
  const vmGoing = f.vm === 'gone' || f.vm === 'stopping';
  const health = node.exists
    ? nodeHealth({
        conditions: node.conditions,
        vm: f.vm,
        now: f.now,
        unhealthyAfterSeconds: f.unhealthyAfterSeconds,
        ...(plan.notReadySince ? { noticedAt: plan.notReadySince } : {}),
      })
    : ({ verdict: 'unhealthy', cause: 'VmGone', since: f.now, reason: 'its Node is already deleted' } as NodeHealth);
  if (health.verdict === 'healthy' && !announced) {
    return { outcome: 'left-alone', reason: `node ${plan.nodeName} is Ready and its VM is not gone: left alone` };
  }
  if (health.verdict === 'suspect' && !announced && !plan.vmGone) {
    return { outcome: 'wait', remediateAt: health.remediateAt, reason: health.reason };
  }

  const safety = remediationSafety({ ...f.safety, node: { name: plan.nodeName, pool: pool.name, provider: pool.provider } });
  if (safety.verdict !== 'allow') {
    const degradedProvider = safety.verdict === 'short-circuit' && safety.scope === 'provider' ? safety.provider : null;
    return { outcome: 'held', verdict: safety.verdict, reason: safety.reason, degradedProvider, safety };
  }
  if (claim && claim.owner !== plan.owner && (claim.status === 'claimed' || claim.status === 'launched')) {
    return {
      outcome: 'held',
      verdict: 'claim-busy',
      reason: `claim ${claim.claimId} of node ${plan.nodeName} is still being provisioned by execution ${claim.owner}`,
      degradedProvider: null,
      safety: null,
    };
  }
  if (claim && claim.status === 'removing' && claim.owner !== plan.owner && (claim.leaseExpiresAt ?? 0) > f.nowSeconds) {
    return {
      outcome: 'held',
      verdict: 'claim-busy',
      reason: `node ${plan.nodeName} is being removed by execution ${claim.owner}`,
      degradedProvider: null,
      safety: null,
    };
  }

  const action = healAction({ name: plan.nodeName, pool: pool.name }, pool);
  const replace = action.action === 'replace' && !plan.deleteOnly && claim !== undefined && claim.status !== 'released';
  const ready = node.conditions.find((c) => c.type === 'Ready')?.status === 'True';
  const unreachable = !node.exists || !ready || vmGoing;
  const deadline = unreachable
    ? Math.min(plan.drain.deadlineSeconds, UNREACHABLE_DRAIN_SECONDS)
    : plan.reason === 'spot-interruption'
      ? Math.min(plan.drain.deadlineSeconds, SPOT_DRAIN_SECONDS)
      : plan.drain.deadlineSeconds;
  const why =
    health.verdict !== 'healthy' ? health.reason : f.vm === 'stopping' ? 'its provider says the VM is stopping' : `${plan.reason} announced for a Ready node`;
  return {
    outcome: 'heal',
    replace,
    replaceEarly: replace && plan.reason === 'spot-interruption',
    unreachable,
    drain: drainPolicy(deadline, f.evictionRetrySeconds),
    health,
    reason: why,
    actionReason:
      plan.deleteOnly && action.action === 'replace' ? `node ${plan.nodeName} is deleted, not replaced: the request says deleteOnly` : action.reason,
  };
}
