import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { claimIdOf } from '../../functions/decisions/provision.js';
import type { LambdaFaultRule } from '../../local/lambda/lambda-faults.js';
import type { ApiFault, Random } from '../../sim/index.js';
import type { ProviderName } from '../../sim/world/types.js';
import type { VmMatch } from '../../sim/world/world-context.js';

/** One ProvisionNode execution of a run: when it starts and, for some, when it is aborted. */
export interface PlannedExecution {
  name: string;
  input: { pool: string; count: number; requestId: string; reason: string };
  /** Simulated ms after the run starts. */
  startAtMs: number;
  /** StopExecution this many simulated ms after the run starts. */
  abortAtMs?: number;
  /** The execution whose requestId this one repeats. */
  duplicateOf?: string;
}

/** One RemoveNode execution of a run: it removes the node a ProvisionNode execution of the plan made (if it made one). */
export interface PlannedRemoval {
  name: string;
  input: { claimId: string; force: boolean; reason: string };
  /** Simulated ms after the run starts. */
  startAtMs: number;
  /** StopExecution this many simulated ms after the run starts. */
  abortAtMs?: number;
  /** The ProvisionNode execution whose first node this removes. */
  removes: string;
  /** The removal whose input this one repeats. */
  duplicateOf?: string;
}

/** A fault on a simulated cloud API, for the whole run. */
export interface PlannedApiFault {
  server: SimulatedApi;
  op: string;
  fault: ApiFault;
}

/** A window in which every call to one API is throttled. */
export interface PlannedThrottle {
  server: SimulatedApi;
  atMs: number;
  forMs: number;
}

export type SimulatedApi = 'ec2' | 'gce' | 'scaleway' | 'kube';

/** Everything that goes wrong in one seeded run. */
export interface ChaosPlan {
  executions: PlannedExecution[];
  /** RemoveNode executions, by claim id, racing the provisions, each other and the faults. */
  removals: PlannedRemoval[];
  apiFaults: PlannedApiFault[];
  throttles: PlannedThrottle[];
  /** Lost responses (the function ran, its answer never came) and errors the workflow does not retry. */
  lambdaFaults: LambdaFaultRule[];
  /** The pool whose VMs boot but never join. */
  neverJoin: { pool: string; match: VmMatch };
}

export interface PlanOptions {
  /** The cluster's name: claim ids are scoped to it. */
  cluster: string;
  executions: number;
  /** The pools shepherd can launch into. */
  pools: PoolConfig[];
}

/** The pools whose machines shepherd creates (join method other than `none`). */
export function launchablePools(config: ShepherdConfig): PoolConfig[] {
  return config.pools.filter((p) => p.join.method !== 'none');
}

const API_OF: Record<string, SimulatedApi> = { aws: 'ec2', gcp: 'gce', scaleway: 'scaleway' };

/** The workflow's Task states that call a function: a lost response may hit any of them. */
const TASK_STATES = [
  'Claim capacity',
  'Launch VM',
  'Record VM',
  'Check node',
  'Label and taint node',
  'Record node',
  'Remove half-registered node',
  'Terminate VM',
  'Release claim',
];

const MINUTE = 60_000;

/**
 * The faults of one run, drawn from the seed: API errors, latency, throttling and rate limits on every cloud the
 * pools use and on the Kubernetes API; lost Lambda responses; a DynamoDB-style error at a claim step; a pool that
 * never joins; executions that overlap, repeat a requestId, or are aborted.
 */
export function planChaos(random: Random, options: PlanOptions): ChaosPlan {
  const { pools } = options;
  if (pools.length === 0) throw new Error('no pool shepherd can launch into: the chaos run needs one');
  const apis = [...new Set(pools.map((p) => API_OF[p.provider]).filter((a): a is SimulatedApi => Boolean(a))), 'kube' as const];

  const executions: PlannedExecution[] = [];
  for (let i = 1; i <= options.executions; i++) {
    const earlier = executions.filter((e) => !e.duplicateOf);
    const name = `chaos-${i}`;
    if (earlier.length > 0 && random.chance(0.25)) {
      const original = random.pick(earlier);
      executions.push({ name, input: { ...original.input }, startAtMs: original.startAtMs + random.int(0, 90_000), duplicateOf: original.name });
    } else {
      const pool = random.pick(pools);
      const count = random.chance(0.3) ? Math.min(2, pool.max) : 1;
      executions.push({ name, input: { pool: pool.name, count, requestId: `chaos-${random.hex(8)}`, reason: 'chaos' }, startAtMs: random.int(0, 180_000) });
    }
  }
  for (const e of executions) if (random.chance(1 / 6)) e.abortAtMs = e.startAtMs + random.int(1 * MINUTE, 12 * MINUTE);

  const apiFaults: PlannedApiFault[] = apis.map((server) => ({
    server,
    op: '*',
    fault: { errorRate: random.pick([0.05, 0.1, 0.2, 0.3]), latencyMs: random.int(0, 2000) },
  }));
  // EC2 meters requests with token buckets (RunInstances: bucket 1000, refill 2/s); a small bucket makes it bite.
  if (apis.includes('ec2')) apiFaults.push({ server: 'ec2', op: '*', fault: { rateLimit: { capacity: random.int(10, 30), refillPerSecond: 1 } } });
  const throttles = Array.from({ length: 2 }, () => ({ server: random.pick(apis), atMs: random.int(0, 10 * MINUTE), forMs: random.int(20_000, 90_000) }));

  const lambdaFaults: LambdaFaultRule[] = [];
  for (let i = random.int(3, 5); i > 0; i--) {
    lambdaFaults.push({ state: random.pick(TASK_STATES), after: random.int(0, options.executions), fault: { kind: 'timeout', afterHandler: true } });
  }
  // DynamoDB answering 500 (errors the workflow does not retry today): at a claim, where a request's duplicate
  // must not tear down the execution that holds it, and when recording a node that is already Ready.
  const dynamo500 = { kind: 'error' as const, errorType: 'InternalServerError', errorMessage: 'Internal server error (simulated DynamoDB 500)' };
  lambdaFaults.push({ state: 'Claim capacity', after: random.int(0, options.executions), count: random.int(1, 3), fault: dynamo500 });
  lambdaFaults.push({ state: 'Record node', after: random.int(0, options.executions), fault: dynamo500 });

  const dark = random.pick(pools);
  const neverJoin = { pool: dark.name, match: { provider: dark.provider as ProviderName, type: dark.instanceTypes[0] } };
  // Drawn last, so that the rest of a seed's plan is what it was before removals existed.
  const removals = planRemovals(random, options.cluster, executions);
  return { executions, removals, apiFaults, throttles, lambdaFaults, neverJoin };
}

/**
 * About a third of the provisions get a RemoveNode by claim id, some while their provision still runs, some forced
 * (the pool may be at its minimum), some repeated or aborted. A provision that failed leaves nothing to remove: its
 * removal is refused, which is an outcome to survive as well.
 */
function planRemovals(random: Random, cluster: string, executions: PlannedExecution[]): PlannedRemoval[] {
  const removals: PlannedRemoval[] = [];
  for (const e of executions.filter((x) => !x.duplicateOf)) {
    if (!random.chance(0.35)) continue;
    const name = `chaos-rm-${removals.length + 1}`;
    const input = { claimId: claimIdOf(cluster, e.input.pool, e.input.requestId, 0), force: random.chance(0.5), reason: 'chaos' };
    const removal: PlannedRemoval = { name, input, startAtMs: e.startAtMs + random.int(4 * MINUTE, 25 * MINUTE), removes: e.name };
    if (random.chance(1 / 6)) removal.abortAtMs = removal.startAtMs + random.int(10_000, 5 * MINUTE);
    removals.push(removal);
    if (random.chance(0.25)) {
      removals.push({
        ...removal,
        name: `chaos-rm-${removals.length + 1}`,
        startAtMs: removal.startAtMs + random.int(0, 60_000),
        abortAtMs: undefined,
        duplicateOf: name,
      });
    }
  }
  return removals;
}

/** The plan in one line per kind, for the report. */
export function describePlan(plan: ChaosPlan): string[] {
  const dup = plan.executions.filter((e) => e.duplicateOf).length;
  const aborted = plan.executions.filter((e) => e.abortAtMs !== undefined).length;
  const faults = plan.apiFaults
    .filter((f) => f.fault.errorRate !== undefined)
    .map((f) => `${f.server} ${Math.round((f.fault.errorRate ?? 0) * 100)} % 5xx +${f.fault.latencyMs} ms`);
  const limits = plan.apiFaults.filter((f) => f.fault.rateLimit).map((f) => `${f.server} bucket ${f.fault.rateLimit?.capacity}`);
  const lost = plan.lambdaFaults.map((r) => `${r.fault.kind === 'timeout' ? 'lost' : 'error'}@${r.state}`);
  const removals = plan.removals;
  return [
    `executions: ${plan.executions.length} (${dup} repeating a requestId, ${aborted} aborted), pools ${[...new Set(plan.executions.map((e) => e.input.pool))].join(', ')}`,
    `removals: ${removals.length} (${removals.filter((r) => r.duplicateOf).length} repeated, ${removals.filter((r) => r.abortAtMs !== undefined).length} aborted, ${removals.filter((r) => r.input.force).length} forced)`,
    `API faults: ${faults.join(', ')}; rate limits: ${limits.join(', ') || 'none'}; throttled: ${plan.throttles.map((t) => `${t.server} ${Math.round(t.forMs / 1000)} s`).join(', ')}`,
    `Lambda faults: ${lost.join(', ')}; never joins: pool ${plan.neverJoin.pool}`,
  ];
}
