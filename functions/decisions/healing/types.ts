import type { ClaimStatus } from '../../adapters/store/claims.js';
import type { VmState } from '../../providers/types.js';

/*
 * Inputs and verdicts of the healing decisions. Everything is plain JSON data (times are ISO 8601 strings), so a
 * Lambda can take it from a state machine's input and hand the verdict back unchanged.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** One of a Node's status.conditions, as the API server returns it. */
export interface NodeCondition {
  type: string;
  status: ConditionStatus;
  /** When the condition last changed status (RFC 3339). */
  lastTransitionTime?: string;
  reason?: string;
}

export interface NodeHealthInput {
  conditions: NodeCondition[];
  /** What the VM's provider says of it now; `unknown` when it cannot say (the home lab always). */
  vm: VmState;
  now: string;
  /** How long NotReady or Unknown lasts before the node is remediated (config healing.unhealthyAfterSeconds). */
  unhealthyAfterSeconds: number;
  /** When the watcher first saw the node not Ready: the start, where the Ready condition carries no transition time. */
  noticedAt?: string;
}

/** Why a node is not healthy: its Ready condition, a missing one, or a VM its provider confirms is gone. */
export type UnhealthyCause = 'NotReady' | 'Unknown' | 'NoReadyCondition' | 'VmGone';

/**
 * `healthy`: leave it alone. `suspect`: not Ready, but not for long enough yet (`remediateAt` says when it will be).
 * `unhealthy`: remediate now.
 */
export type NodeHealth =
  | { verdict: 'healthy'; reason: string }
  | { verdict: 'suspect'; cause: UnhealthyCause; since: string; remediateAt: string; reason: string }
  | { verdict: 'unhealthy'; cause: UnhealthyCause; since: string; reason: string };

/** A node that is not healthy (suspect or unhealthy), by provider: what the short-circuits count. */
export interface UnhealthyNodeRef {
  name: string;
  provider: string;
}

/** The share limits of healing (config healing.*). */
export interface ShortCircuitLimits {
  maxUnhealthyPercent: number;
  okUnhealthyNodes: number;
  maxUnhealthyPercentPerProvider: number;
  okUnhealthyNodesPerProvider: number;
}

export interface SafetyLimits extends ShortCircuitLimits {
  maxConcurrentPerPool: number;
}

/** How much of the cluster, or of one provider, is unhealthy, and whether that trips its short-circuit. */
export interface DegradationScope {
  unhealthy: number;
  total: number;
  degraded: boolean;
}

export interface Degradation {
  cluster: DegradationScope;
  /** Every provider with at least one node, in name order. */
  providers: (DegradationScope & { provider: string })[];
}

export interface DegradationInput {
  /** Every node not healthy now (suspect or unhealthy): a partition shows as many NotReady at once, before any passes its threshold. */
  unhealthy: UnhealthyNodeRef[];
  clusterSize: number;
  /** Nodes per provider. */
  providerSizes: Record<string, number>;
  limits: ShortCircuitLimits;
}

/** The cluster API as the last attempt to reach it found it. */
export type ApiReachability = { reachable: true } | { reachable: false; since?: string };

/** The pause switch in the table (`shepherd pause`). */
export type PauseSwitch = { paused: false } | { paused: true; by?: string; since?: string; reason?: string };

export interface SafetyInput extends Omit<DegradationInput, 'limits'> {
  /** The node to remediate. */
  node: { name: string; pool: string; provider: string };
  api: ApiReachability;
  pause: PauseSwitch;
  /** Heals in flight per pool, not counting this one. */
  inFlight: Record<string, number>;
  limits: SafetyLimits;
}

export type SafetyVerdict =
  | { verdict: 'allow'; reason: string }
  | { verdict: 'paused'; reason: string }
  | { verdict: 'frozen'; reason: string }
  | { verdict: 'short-circuit'; scope: 'cluster'; unhealthy: number; total: number; reason: string }
  | { verdict: 'short-circuit'; scope: 'provider'; provider: string; unhealthy: number; total: number; reason: string }
  | { verdict: 'pool-busy'; pool: string; inFlight: number; reason: string };

/** What the provider and the cluster say of the instance an event names, asked after the event arrived. */
export interface InstanceFacts {
  state: VmState;
  /**
   * Whether the instance carries this cluster's tag (shepherd:cluster); undefined when the provider no longer
   * describes it (an instance terminated long ago) or cannot say.
   */
  clusterTagged?: boolean;
  /** The Ready status of the instance's Node; undefined when no Node is the instance's. */
  nodeReady?: ConditionStatus;
}

/** How healing answers an EC2 rebalance recommendation (config healing.rebalanceRecommendation). */
export type RebalancePolicy = 'replace' | 'taint';

/** `replace`: cordon, drain, delete and replace the node. `taint`: only keep new pods away from it. */
export type EventAction = 'replace' | 'taint';

export type IgnoreReason = 'duplicate' | 'foreign-instance' | 'unknown-instance' | 'no-node' | 'stale' | 'not-actionable';

export type EventDecision = { decision: 'act'; action: EventAction; reason: string } | { decision: 'ignore'; why: IgnoreReason; reason: string };

/** A VM this cluster created (its provider's listOwned), with whether a Node is its. */
export interface OwnedVm {
  id: string;
  provider: string;
  /** The claim it was launched for (its shepherd:claim tag), when it has one. */
  claimId?: string;
  hasNode: boolean;
  /** Since when it is known to exist without a Node: its launch time, or when a sweep first saw it without one. */
  withoutNodeSince: string;
}

/** A claim of the table, as much as the orphan sweep needs. */
export interface ClaimView {
  claimId: string;
  status: ClaimStatus;
  /** Epoch seconds after which the claim no longer counts (validate-input sets it from the execution's worst case). */
  expiresAt?: number;
}

export interface OrphanInput {
  vms: OwnedVm[];
  claims: ClaimView[];
  /** VMs a running workflow (HealNode, RemoveNode, ClaimCleanup) is already dealing with. */
  busyVmIds: string[];
  now: string;
  /** How long a VM may be without a Node (config healing.orphanGraceSeconds, else the registration deadline). */
  graceSeconds: number;
}

export interface OrphanVerdict {
  vm: OwnedVm;
  reason: string;
}

export interface OrphanSweep {
  terminate: OrphanVerdict[];
  keep: OrphanVerdict[];
}

/** `replace`: remove the node and provision one like it. `deleteOnly`: remove the Node object; nothing can replace it. */
export type HealAction = { action: 'replace' | 'deleteOnly'; reason: string };
