/** What the chaos benchmark observes after a run, from the outside world (the simulator) and the claims table. */

/** A VM shepherd may have created (pre-existing machines are left out), as its cloud shows it. */
export interface ObservedVm {
  id: string;
  provider: string;
  /** The shepherd pool it belongs to: its pool tag, or the Scaleway/Kosmos pool it joined. */
  pool?: string;
  /** The claim it serves: its claim tag, else the claim label of its Node. */
  claimId?: string;
  /** Not terminated or shutting down. */
  live: boolean;
  /** Its Node exists in the cluster. */
  hasNode: boolean;
}

/** A Node as the Kubernetes API shows it. */
export interface ObservedNode {
  name: string;
  labels: Record<string, string>;
  /** Taints other than the ones the node-lifecycle controller manages (`node.kubernetes.io/...`). */
  taints: string[];
  unschedulable: boolean;
  providerID?: string;
  /** The machine under it still runs (false when it is gone or unknown to the simulator). */
  vmLive: boolean;
}

/** A claim record of the claims table. */
export interface ObservedClaim {
  claimId: string;
  pool: string;
  status: string;
  owner?: string;
  /** Simulated epoch ms. */
  createdAt: number;
  /** When the claim, still in flight, stops counting (simulated epoch ms), when the record says. */
  expiresAt?: number;
}

/** A pool's capacity counter in the claims table. */
export interface ObservedPool {
  pool: string;
  /** The `active` counter. */
  active: number;
  /** The claim ids the counter holds. */
  counted: string[];
}

/** Everything the invariants are computed from, once the run has settled. */
export interface ChaosObservation {
  /** Simulated epoch ms when observed. */
  now: number;
  /** The longest an execution may run (the state machine's timeout): an in-flight claim older than this is stuck. */
  worstCaseMs: number;
  /** The pools shepherd provisions into (each gets a counter line, even when it has no item). */
  pools: string[];
  vms: ObservedVm[];
  nodes: ObservedNode[];
  /** The Nodes that existed before the run (other sites, other claims), as they were then. */
  foreignBefore: ObservedNode[];
  claims: ObservedClaim[];
  counters: ObservedPool[];
}

export type InvariantName = 'vmsWithoutNode' | 'vmsPerClaim' | 'claimsVsNodes' | 'stuckClaims' | 'foreignNodesTouched';

export interface InvariantResult {
  name: InvariantName;
  /** How it is printed. */
  title: string;
  /** 0 when the invariant holds. */
  violations: number;
  /** One line per violation, naming what is wrong. */
  details: string[];
  /** A figure for context (e.g. "max 1 VM per claim"), not a verdict. */
  context: string;
}
