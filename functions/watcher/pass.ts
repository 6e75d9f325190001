import type { BusEvent } from '../adapters/events/bus-publisher.js';
import type { SaveOutcome, StoredSnapshot } from '../adapters/store/watcher-snapshot.js';
import type { VmRef } from '../decisions/provision.js';
import { WATCHER_DETAIL_TYPES } from '../decisions/watcher/event-types.js';
import { decidePass } from '../decisions/watcher/transitions.js';
import type {
  ClusterObservation,
  NodeObservation,
  Preemption,
  ProviderObservation,
  UnschedulablePods,
  VmToConfirm,
  WatcherPolicy,
  WatcherSnapshot,
} from '../decisions/watcher/types.js';
import { vmsToConfirm } from '../decisions/watcher/vm-confirmation.js';
import type { VmState } from '../providers/types.js';
import { isSecretValueError } from '../runtime/errors.js';

/** What a pass reads and writes, each behind one adapter (functions/adapters/...). */
export interface WatcherDeps {
  cluster: { nodes(): Promise<NodeObservation[]>; unschedulablePods(sampleSize: number): Promise<UnschedulablePods> };
  providers: {
    /** The providers whose VMs the pass lists (those with a function in this stack). */
    providers(): string[];
    listOwned(provider: string): Promise<VmRef[]>;
    preemptions(provider: string): Promise<Preemption[]>;
    /** The provider's own answer about one VM (EC2 DescribeInstances by id, GCE instances.get, Scaleway getNode). */
    describe(provider: string, pool: string, vm: VmRef): Promise<VmState>;
  };
  /** The VM a claim recorded (its claim item in the table), to ask the provider about a VM its list missed. */
  claimedVm(claimId: string): Promise<VmRef | undefined>;
  /** Providers whose preemptions are found only by asking (GCE): the pass asks their `interruptions` too. */
  preemptionsByPolling: ReadonlySet<string>;
  snapshots: {
    read(): Promise<StoredSnapshot>;
    /** One pass only publishes what was decided from one snapshot (DynamoWatcherSnapshotStore.claimPublication). */
    claimPublication(previous: StoredSnapshot, at: string): Promise<boolean>;
    save(next: WatcherSnapshot, previous: StoredSnapshot, savedAt: string): Promise<SaveOutcome>;
  };
  bus: { publish(events: readonly BusEvent[]): Promise<number> };
}

export interface PassSummary {
  observedAt: string;
  reachable: boolean;
  nodes: number;
  notReady: number;
  unschedulablePods: number | null;
  vms: Record<string, number>;
  /** What the providers answered about VMs their lists missed under Ready Nodes, by Node. */
  vmsConfirmed: Record<string, VmState>;
  providersFailed: Record<string, string>;
  published: Record<string, number>;
  snapshot: SaveOutcome;
  generation: number;
}

/**
 * One watcher pass: read the previous snapshot, observe the cluster and the providers (at once), decide the
 * transitions, publish them, then save the snapshot. Publishing comes first, so a pass that dies in between loses
 * nothing: the next starts from the same snapshot and publishes the same transitions under the same ids. Two passes
 * may overlap (the schedule's and one a cluster hint started): only the one that claims the snapshot's publication
 * publishes and saves; the other stops there as superseded.
 */
export async function runWatcherPass(deps: WatcherDeps, policy: WatcherPolicy, at: string): Promise<PassSummary> {
  const previous = await deps.snapshots.read();
  const [cluster, providers] = await Promise.all([observeCluster(deps, policy), Promise.all(deps.providers.providers().map((p) => observeProvider(deps, p)))]);
  const observed = { at, cluster, providers };
  const vmStates = await confirmVms(deps, vmsToConfirm(previous.snapshot, observed));
  const { transitions, next } = decidePass(previous.snapshot, { ...observed, vmStates }, policy, String(previous.generation));
  const claimed = transitions.length === 0 || (await deps.snapshots.claimPublication(previous, at));
  if (claimed)
    await deps.bus.publish(transitions.map((t) => ({ detailType: WATCHER_DETAIL_TYPES[t.kind], detail: t.detail as unknown as Record<string, unknown> })));
  const snapshot: SaveOutcome = claimed ? await deps.snapshots.save(next, previous, at) : 'superseded';
  const published: Record<string, number> = {};
  if (claimed) for (const t of transitions) published[t.kind] = (published[t.kind] ?? 0) + 1;
  return {
    observedAt: at,
    reachable: cluster.reachable,
    nodes: cluster.reachable ? cluster.nodes.length : 0,
    notReady: cluster.reachable ? cluster.nodes.filter((n) => n.ready !== 'True').length : 0,
    unschedulablePods: cluster.reachable ? (cluster.pods?.count ?? null) : null,
    vms: Object.fromEntries(providers.flatMap((p) => (p.listed ? [[p.provider, p.vms.length]] : []))),
    vmsConfirmed: vmStates,
    providersFailed: Object.fromEntries(providers.flatMap((p) => (p.listed ? [] : [[p.provider, p.error]]))),
    published,
    snapshot,
    generation: snapshot === 'saved' ? previous.generation + 1 : previous.generation,
  };
}

/**
 * The Node list decides reachability: any failure of it (connection, 5xx, 401) is "unreachable", except a kubeconfig
 * that cannot be used, which is a configuration fault and fails the pass. A pod list that fails after the Node list
 * answered leaves pods unknown for this pass.
 */
export async function observeCluster(deps: Pick<WatcherDeps, 'cluster'>, policy: Pick<WatcherPolicy, 'podSampleSize'>): Promise<ClusterObservation> {
  let nodes: NodeObservation[];
  try {
    nodes = await deps.cluster.nodes();
  } catch (err) {
    if (isSecretValueError(err)) throw err;
    return { reachable: false, error: describe(err) };
  }
  try {
    return { reachable: true, nodes, pods: await deps.cluster.unschedulablePods(policy.podSampleSize) };
  } catch (err) {
    if (isSecretValueError(err)) throw err;
    return { reachable: true, nodes };
  }
}

async function observeProvider(deps: WatcherDeps, provider: string): Promise<ProviderObservation> {
  try {
    const [vms, preemptions] = await Promise.all([
      deps.providers.listOwned(provider),
      deps.preemptionsByPolling.has(provider) ? deps.providers.preemptions(provider) : Promise.resolve([]),
    ]);
    return { provider, listed: true, vms, preemptions };
  } catch (err) {
    return { provider, listed: false, error: describe(err) };
  }
}

/**
 * Asks the providers about the VMs of Ready Nodes their lists missed (vmsToConfirm), all at once. A VM its claim does
 * not record, or a question that fails, gets no answer: that Node waits for the second pass, as before.
 */
async function confirmVms(deps: WatcherDeps, asks: VmToConfirm[]): Promise<Record<string, VmState>> {
  const answers = await Promise.all(
    asks.map(async (ask): Promise<[string, VmState] | undefined> => {
      try {
        const vm = await deps.claimedVm(ask.claim);
        if (!vm || vm.provider !== ask.provider) return undefined;
        return [ask.node, await deps.providers.describe(ask.provider, ask.pool, vm)];
      } catch {
        return undefined;
      }
    }),
  );
  return Object.fromEntries(answers.filter((a): a is [string, VmState] => a !== undefined));
}

function describe(err: unknown): string {
  const e = err as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 500);
}
