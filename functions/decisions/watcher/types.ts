import type { VmState } from '../../providers/types.js';
import type { VmRef } from '../provision.js';
import type { WatcherDetail } from './event-schemas.js';
import type { WatcherEventKind } from './event-types.js';

/** What a pass keeps of one Node: enough for the transitions, nothing else (5,000 of these fit in a few MB). */
export interface NodeObservation {
  name: string;
  ready: 'True' | 'False' | 'Unknown';
  /** The Ready condition's lastTransitionTime and reason. */
  readySince?: string;
  readyReason?: string;
  /** When the Node registered (its creationTimestamp). */
  registeredAt?: string;
  providerID?: string;
  internalIp?: string;
  /** From the labels shepherd puts on the Nodes it provisions (`shepherd.io/provider`, `shepherd.io/pool`). */
  provider?: string;
  pool?: string;
  /** The claim that provisioned it (`shepherd.io/claim`): it records the VM, for asking the provider about it. */
  claim?: string;
  /** `topology.kubernetes.io/region`. */
  region?: string;
}

export interface UnschedulablePod {
  namespace: string;
  name: string;
  since?: string;
  message?: string;
}

/** The unschedulable pods of a pass, tallied page by page: a count, the oldest, and a sample. */
export interface UnschedulablePods {
  count: number;
  oldestSince?: string;
  sample: UnschedulablePod[];
}

/**
 * The cluster as one pass saw it: the Node list and pending pods (undefined when the pod list failed after the Node
 * list answered: nothing is concluded about pods then), or the reason the API server was not reached.
 */
export type ClusterObservation = { reachable: true; nodes: NodeObservation[]; pods?: UnschedulablePods } | { reachable: false; error: string };

/** One provider's VMs as its function listed them, or why it could not (then nothing is concluded about them). */
export type ProviderObservation =
  | { provider: string; listed: true; vms: VmRef[]; preemptions: Preemption[] }
  | { provider: string; listed: false; error: string };

/** A provider's report that it took a VM away (GCE: a `compute.instances.preempted` zone operation). */
export interface Preemption {
  vmId: string;
  noticeId: string;
  at?: string;
}

export interface Observation {
  /** When the pass started (ISO 8601). */
  at: string;
  cluster: ClusterObservation;
  providers: ProviderObservation[];
  /**
   * By Node name: what the provider answered when asked directly about the VM of a Ready Node its list missed
   * (vmsToConfirm). Absent: not asked (or it could not say).
   */
  vmStates?: Record<string, VmState>;
}

/** A Ready Node whose VM its provider's complete list missed for the first time: ask the provider about the VM. */
export interface VmToConfirm {
  node: string;
  provider: string;
  pool: string;
  claim: string;
}

export interface WatcherPolicy {
  cluster: string;
  /** A VM without a Node for this long is an orphan (provisioning.registrationTimeoutSeconds). */
  registrationTimeoutSeconds: number;
  degradedPercent: number;
  degradedMinNodes: number;
  podSampleSize: number;
}

/** What the snapshot remembers of a Node that is not plainly fine (a Ready Node with its VM is not remembered). */
export interface NodeMemory {
  /** Set while NotReady: since when, and whether the NotReady event went out (always, once remembered). */
  notReadySince?: string;
  /** The first pass whose complete list of the provider's VMs lacked the Node's VM. */
  vmMissingSince?: string;
  /** Set once the VM-gone event went out for this spell (cleared when the VM shows up again). */
  vmGoneAt?: string;
}

/** A VM listed without a Node. */
export interface VmMemory {
  provider: string;
  firstSeenWithoutNode: string;
  orphanAt?: string;
}

/** The watcher's memory between passes: only what differs from "everything fine", so it stays small. */
export interface WatcherSnapshot {
  /** Last pass that reached the API server; `unreachableSince` is set while it is not reached. */
  api: { lastReachableAt?: string; unreachableSince?: string };
  nodes: Record<string, NodeMemory>;
  /** By `<provider>/<vm id or name>`. */
  vms: Record<string, VmMemory>;
  /** Degraded scopes (`<provider>` or `<provider>/<region>`) and since when. */
  degraded: Record<string, string>;
  pods: { count: number; since?: string };
  /** Preemption notices already published (notice id -> node), kept while the provider still reports them. */
  notices: Record<string, string>;
}

export function emptySnapshot(): WatcherSnapshot {
  return { api: {}, nodes: {}, vms: {}, degraded: {}, pods: { count: 0 }, notices: {} };
}

/** One event to publish: its kind (detail-type) and detail. */
export type Transition = { [K in WatcherEventKind]: { kind: K; detail: WatcherDetail<K> } }[WatcherEventKind];
