/** The DNS failover decisions' inputs and outputs (issue 10). No I/O: the handler gathers these and applies the plan. */

export type RecordType = 'A' | 'AAAA';

/** What the decisions read of one Node. */
export interface DnsNodeView {
  name: string;
  /** Its pool as poolOfNode finds it (the shepherd.io/pool label, else a home pool whose labels it carries). */
  pool?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Ready condition status. */
  ready: 'True' | 'False' | 'Unknown';
  /** When the Ready condition last changed (its lastTransitionTime), if the Node says. */
  readySince?: string;
  /** spec.unschedulable: cordoned. */
  unschedulable: boolean;
  taints: { key: string; effect?: string }[];
  /** status.addresses. */
  addresses: { type: string; address: string }[];
}

/** Which nodes may serve and where their address comes from (the entrypoint's config). */
export interface EligibilityRule {
  eligiblePools?: string[];
  selector?: { matchLabels: Record<string, string> };
  addressSource: { from: 'external-ip' } | { from: 'annotation'; key: string };
  type: RecordType;
}

/** A node announced as going away, and why (spot warning, stop, terminate, heal in progress). */
export type Announcements = Record<string, string>;

/**
 * One target's active-check memory once decided: whether it counts as healthy, and its current run of passes or
 * failures. Kept per address between runs so that one flapping node does not churn the records.
 */
export interface CheckState {
  healthy: boolean;
  /** Consecutive passes (0 after a failure). */
  passes: number;
  /** Consecutive failures (0 after a pass). */
  failures: number;
  /** How many times it fell recently, for the ejection backoff (ejection-backoff.ts); absent before its first fall. */
  ejections?: number;
  /** When it last fell (ISO). */
  fellAt?: string;
}

/**
 * A target no check has decided yet (a new node, or one whose state expired): counting toward `rise` passes or `fall`
 * failures, whichever comes first. The ELB target state `initial` / `Elb.InitialHealthChecking` ("still sending the
 * target the minimum number of health checks required to determine its health status", API_TargetHealth) and
 * HAProxy's `init-state fully-down` (a new server is unavailable until its `rise` checks succeed).
 */
export interface UndecidedCheckState {
  undecided: true;
  passes: number;
  failures: number;
}

/** What the check runner remembers of one target: decided, or still undecided. */
export type TargetCheckState = CheckState | UndecidedCheckState;

export type ExclusionReason = 'not-eligible' | 'not-ready' | 'cordoned' | 'draining' | 'going-away' | 'no-address' | 'invalid-address' | 'check-failing';

/** One node and the address it would serve on, with whether it may. */
export interface Target {
  node: string;
  /** Undefined when the node has no address of the record's type. */
  address?: string;
  healthy: boolean;
  /** Why it may not serve (absent when healthy). */
  reason?: ExclusionReason;
  /** More about the reason: the announcement, the taint, the rejected address. */
  detail?: string;
}

/** A DNS record as the provider lists it (only what the plan reads). */
export interface ExistingRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
}

export interface RecordSpec {
  name: string;
  type: RecordType;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string;
}

/** One transaction's worth of changes, in the batch endpoint's shape (applied deletes, patches, posts). */
export interface ChangeBatch {
  posts: RecordSpec[];
  patches: (RecordSpec & { id: string })[];
  deletes: { id: string; name: string; content: string }[];
}

/** A record at an entrypoint name that is not ours: never modified, reported. */
export interface Conflict {
  name: string;
  type: string;
  content: string;
  id: string;
  /** What the foreign record blocks: nothing (it only shares the name), one address, or the whole name (a CNAME). */
  blocks: 'nothing' | 'address' | 'name';
}

export type PlanAlert = { kind: 'no-healthy-target'; names: string[] } | { kind: 'changes-deferred'; deferred: number; cap: number };

export interface ChangePlan {
  batch: ChangeBatch;
  conflicts: Conflict[];
  alerts: PlanAlert[];
  /** The addresses each name will hold once the batch is applied (ours only). */
  after: Record<string, string[]>;
  /** The addresses each name held before (ours only). */
  before: Record<string, string[]>;
}
