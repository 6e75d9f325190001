import type { z } from 'zod';
import type { JoinMethod, PoolConfig, ShepherdConfig } from '../../config/types.js';
import type { NodeView, Offering, VmRef } from '../decisions/provision.js';

export interface LaunchSpec {
  clusterName: string;
  pool: PoolConfig;
  claimId: string;
  /** The execution that owns the claim; part of the launch's idempotency key. */
  owner: string;
  offering: Offering;
  /** Contains join secrets: never log or return it. */
  userData?: string;
  /** Claims active in the pool including this one (pools whose size shepherd sets from its claims). */
  activeClaims?: number;
}

/**
 * What a provider knows of one VM. `gone`: the provider says it no longer exists (or is terminated);
 * `unknown`: the provider could not say (e.g. EC2's eventually consistent NotFound right after launch).
 */
export type VmState = 'running' | 'stopping' | 'gone' | 'unknown';

/** A provider's announcement that it will take a VM away (spot reclaim, scheduled maintenance). */
export interface Interruption {
  vmId: string;
  kind: 'preempted' | 'scheduled-event';
  /** When it happens or happened, ISO 8601. */
  at?: string;
  /** The provider's own id of the notice (operation name, event id), for deduplication. */
  noticeId: string;
  description?: string;
}

/** Why a VM is terminated: `removal` when RemoveNode takes its node away for good (a pool shrinks, no replacement). */
export interface TerminateOptions {
  removal?: boolean;
}

/**
 * What terminate did: `terminated` when this call took the VM away, `already-gone` when the provider says it was gone
 * (or going) before: deleted out of band, reclaimed, or taken by an earlier attempt. Operators read the difference.
 */
export type TerminateOutcome = 'terminated' | 'already-gone';

/** A page of results; `next` is passed back to get the next page, absent on the last one. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * One provider's VM API. Implementations throw InsufficientCapacityError (try the next offering),
 * ThrottledError / TransientError (retry later) or ProviderRequestError (give up) from runtime/errors.
 */
export interface CloudProvider {
  /** Idempotent per (claim, offering): a retry after a crash returns the VM the first call created. */
  launch(spec: LaunchSpec): Promise<VmRef>;
  /** Every live VM tagged with this claim (what a crash mid-launch may have left behind). */
  findByClaim(claimId: string, pool: PoolConfig): Promise<VmRef[]>;
  /** One page of the live VMs this cluster owns (by its tag or label), in all the provider's configured places. */
  listOwned(pageToken?: string): Promise<Page<VmRef>>;
  /** The VM's state as the provider reports it. */
  describe(vm: VmRef, pool: PoolConfig): Promise<VmState>;
  /**
   * Terminates the VM; a VM already gone is not an error, and says so. `nodeName` is the Node the claim took, for
   * providers whose VM reference cannot say which machine is the claim's (takesNode matchers, Scaleway pools).
   */
  terminate(vm: VmRef, pool: PoolConfig, nodeName?: string, options?: TerminateOptions): Promise<TerminateOutcome>;
  /** Announced interruptions of VMs this cluster owns; empty where the provider announces none. */
  interruptions(): Promise<Interruption[]>;
  /**
   * Takes away the join secrets the VM can still read after its Node joined (GCE: the startup-script metadata, which
   * any pod can read from the metadata server). Idempotent; returns what it removed. Providers that leave no join
   * secret readable omit it.
   */
  removeJoinSecrets?(vm: VmRef, pool: PoolConfig): Promise<{ removed: string[] }>;
}

/**
 * A provider as the registry lists it: its descriptor and the zod schema of `providers.<name>` (undefined for a
 * provider with no config section). Only the registry joins the two, so a provider's function bundles no zod.
 */
export type RegisteredProvider<N extends string = string, S extends z.ZodType | undefined = z.ZodType | undefined> = ProviderDescriptor<N> & {
  configSchema: S;
};

/** An IAM statement as plain data; infra turns it into an iam.PolicyStatement. */
export interface IamStatementSpec {
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Why a `*` in the resources is as narrow as IAM allows; required when there is one. */
  wildcardReason?: string;
}

/** Values infra fills in when it asks a provider for its IAM statements (tokens at synth time). */
export interface IamContext {
  partition: string;
  account: string;
}

/** One problem a cross-field config rule found: path, what is allowed, and the problem when the input alone does not say it. */
export interface ConfigProblem {
  path: PropertyKey[];
  input?: unknown;
  problem?: string;
  allowed: string;
}

export type ReportProblem = (p: ConfigProblem) => void;

/** What ties a Node to the site (provider and network) of the pool a VM was launched for. */
export interface NodeSite {
  /** Labels a Node of the pool carries from registration (its join gives them); none when the join gives none. */
  joinLabels?: Record<string, string>;
}

/** How the cluster step finds the Node of a VM this provider launched. */
export interface NodeMatcher {
  /** A label selector narrowing the Node list, when the VM says where to look. */
  selector?(vm: VmRef): string | undefined;
  /** The VM's Node among `nodes` (or, for `takesNode` matchers, a fitting Node); `site` is the pool's (node-match.ts). */
  find(nodes: NodeView[], vm: VmRef, claimId: string, site: NodeSite): NodeView | undefined;
  /**
   * True when the provider cannot say which Node is the VM's and `find` picks any fitting one: the Node is then
   * taken by labelling it with the claim (compare-and-set), and only claim-labelled Nodes are removed on cleanup.
   */
  takesNode: boolean;
}

/**
 * Everything shepherd knows about one provider at run time, without its SDK or its config schema: a provider's
 * function imports its own descriptor, so nothing here may pull in a cloud SDK, aws-cdk-lib or zod.
 */
export interface ProviderDescriptor<N extends string = string> {
  name: N;
  /** Join methods a pool of this provider may use. */
  joinMethods: readonly JoinMethod[];
  /** Whether shepherd can create this provider's machines (false: a provider with no API, like a home lab). */
  launchable: boolean;
  /** Where a pool's VM may be launched, in the order to try. */
  offerings(pool: PoolConfig, config: ShepherdConfig): Offering[];
  /** How many of one execution's launches may run at once in a pool. */
  launchParallelism(pool: PoolConfig): number;
  /** Secrets its function reads: its credentials and the join secrets of its own pools. */
  secretArns(config: ShepherdConfig): string[];
  /** IAM its function needs besides reading secretArns. */
  iam(config: ShepherdConfig, ctx: IamContext): IamStatementSpec[];
  nodeMatcher: NodeMatcher;
  /**
   * Its lists may miss a VM launched moments ago (EC2's eventual consistency): when cleanup finds no VM for a claim
   * and knows of none, it fails with ListingLagError, for the workflow to look again before it believes the claim
   * left nothing running.
   */
  eventuallyConsistent?: boolean;
  /**
   * Its preemptions are found only by asking (GCE records them as zone operations; no event announces them): the
   * cluster watcher asks the function's `interruptions` on every pass. Providers whose interruptions arrive as cloud
   * events (EC2) leave it unset, which spares their APIs the calls.
   */
  preemptionsByPolling?: boolean;
  /** Memory (MB) and timeout (s) of its function, from measurements (README, Benchmarks). */
  function?: { memoryMb: number; timeoutSeconds: number };
  /** Zones a pool may name; undefined where any zone is accepted. */
  zones?(config: ShepherdConfig): string[] | undefined;
  /** Cross-field rules on `providers.<name>`. */
  checkConfig?(config: ShepherdConfig, report: ReportProblem): void;
  /** Cross-field rules on one pool of this provider; `at` prefixes a path inside the pool. */
  checkPool?(config: ShepherdConfig, pool: PoolConfig, at: (...rest: PropertyKey[]) => PropertyKey[], report: ReportProblem): void;
}
