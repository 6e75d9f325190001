import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { KubeBufferReader } from '../adapters/kube/buffer-reader.js';
import { KubeClient } from '../adapters/kube/client.js';
import { parseKubeconfig } from '../adapters/kube/kubeconfig.js';
import { type BufferClusterMemory, DynamoBufferStateStore } from '../adapters/store/buffer-state.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoNodeLeaseStore } from '../adapters/store/node-lease.js';
import { DynamoRemediationSwitchStore } from '../adapters/store/remediation-switch.js';
import { SCALE_BUFFER_ARN_ENV } from '../buffers/constants.js';
import { recordGrowth, recordPlan, recordRemoval, type StepResult } from '../buffers/records.js';
import { type BufferRunPlan, planRun } from '../buffers/run-plan.js';
import { type BatchCheck, checkBatch } from '../decisions/buffer/batch.js';
import { unschedulablePods, unschedulableSince } from '../decisions/buffer/cluster-view.js';
import { BUFFER_SOURCE } from '../decisions/buffer/events.js';
import { bufferPoolViews } from '../decisions/buffer/pool-views.js';
import { reconcileDecision, unneededChanged } from '../decisions/buffer/reconcile.js';
import { isInvalidScaleBufferInputError, readScaleBufferRequest, type ScaleBufferRequest } from '../decisions/buffer/request.js';
import { isInvalidTargetError, targetChanges } from '../decisions/buffer/targets.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { InvalidInputError } from '../runtime/errors.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

export type ScaleBufferEvent =
  /** Reads the input (a watcher event, the reconcile, manual targets); InvalidInputError names what is wrong. */
  | { action: 'validate'; input: unknown }
  /** One lease per buffer pool, all or none: two runs never add nodes for the same need. */
  | { action: 'lease'; owner: string; ttlSeconds: number }
  /**
   * A "pods unschedulable" run, before it plans: is the burst over (decisions/buffer/batch.ts)? `checkingSince`: the
   * execution's start, from which batchMaxSeconds bounds the wait.
   */
  | { action: 'batch'; checkingSince: string }
  /** Reads the cluster and the memory, decides, records the decision. */
  | { action: 'plan'; request: ScaleBufferRequest; owner: string }
  /** After the nested ProvisionNode runs: backoff or capacity memory for failures, audit and bus event per pool. */
  | { action: 'recordGrowth'; plan: BufferRunPlan; results: StepResult[] }
  /** After the nested RemoveNode runs: audit and bus event per node removed or kept. */
  | { action: 'recordRemoval'; plan: BufferRunPlan; results: StepResult[] }
  | { action: 'release'; owner: string }
  /**
   * The schedule's reconcile, outside any execution: plans as the plan step does, without a lease, and starts a
   * ScaleBuffer execution only when that plan adds or removes something (`scheduledAt`: the schedule event's time).
   */
  | { action: 'reconcile'; scheduledAt?: string };

/** Leases of buffer pools sit beside the node leases (LEASE#...); upper case keeps them apart from any Node name. */
export const poolLeaseName = (pool: string) => `BUFFER-POOL:${pool}`;

let deps:
  | {
      claims: DynamoClaimStore;
      leases: DynamoNodeLeaseStore;
      state: DynamoBufferStateStore;
      pause: DynamoRemediationSwitchStore;
      bus: BusPublisher;
      reader?: KubeBufferReader;
    }
  | undefined;

function stores() {
  if (deps) return deps;
  const table = requiredEnv('TABLE_NAME');
  deps = {
    claims: new DynamoClaimStore(table),
    leases: new DynamoNodeLeaseStore(table),
    state: new DynamoBufferStateStore(table),
    pause: new DynamoRemediationSwitchStore(table),
    bus: new BusPublisher(requiredEnv('EVENT_BUS_NAME'), BUFFER_SOURCE),
  };
  return deps;
}

/** The kubeconfig is read on first use, not at init, so that a secret that cannot be read fails with its own error. */
async function reader(): Promise<KubeBufferReader> {
  const s = stores();
  if (!s.reader) {
    const arn = config().cluster.kubeconfigSecretArn;
    s.reader = new KubeBufferReader(new KubeClient(parseKubeconfig(await getSecret(arn), arn)));
  }
  return s.reader;
}

function bufferPools(): string[] {
  const buffers = config().buffers;
  if (!buffers) throw new InvalidInputError('ScaleBuffer needs a "buffers" section in the config; add one (README, Buffer pools) and deploy again');
  return buffers.pools.map((p) => p.pool);
}

/**
 * ScaleBuffer's steps (workflows/scale-buffer.ts): thin around the pure decisions of decisions/buffer. The cluster
 * is read through the Kubernetes API, the pools' claims and memory from the table; the nodes are added and removed
 * by nested ProvisionNode and RemoveNode executions, which the workflow starts.
 */
export const handler = withExecutionContext(async (event: ScaleBufferEvent) => {
  switch (event.action) {
    case 'validate':
      return validate(event.input);
    case 'lease':
      return lease(event.owner, event.ttlSeconds);
    case 'batch':
      return batch(event.checkingSince);
    case 'plan':
      return plan(event.request);
    case 'recordGrowth':
      return recordGrowth(stores(), config(), event.plan, event.results);
    case 'recordRemoval':
      return recordRemoval(stores(), event.plan, event.results);
    case 'release':
      return release(event.owner);
    case 'reconcile':
      return reconcile(event.scheduledAt ?? new Date().toISOString());
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

function validate(input: unknown): { request: ScaleBufferRequest } {
  bufferPools();
  try {
    const request = readScaleBufferRequest(input);
    // Targets are checked against the pools' bounds here, before any lease; the sizes are read when planning.
    if (request.trigger === 'manual') targetChanges(request.targets, bufferPoolViews(config(), {}));
    return { request };
  } catch (err) {
    if (isInvalidScaleBufferInputError(err)) throw new InvalidInputError(err.message);
    if (isInvalidTargetError(err)) throw new InvalidInputError(`"targets": ${err.message}`);
    throw err;
  }
}

async function lease(owner: string, ttlSeconds: number): Promise<{ acquired: boolean; holder?: string; reason?: string }> {
  const { leases } = stores();
  const taken: string[] = [];
  for (const pool of bufferPools()) {
    const out = await leases.acquire(poolLeaseName(pool), owner, ttlSeconds);
    if (!out.acquired) {
      for (const p of taken) await leases.release(poolLeaseName(p), owner);
      const holder = out.holder.split(':').at(-1) ?? out.holder;
      return { acquired: false, holder: out.holder, reason: `buffer pool ${pool} is being scaled by execution ${holder}` };
    }
    taken.push(pool);
  }
  return { acquired: true };
}

async function release(owner: string): Promise<{ released: number }> {
  const { leases } = stores();
  let released = 0;
  for (const pool of bufferPools()) if ((await leases.release(poolLeaseName(pool), owner)).released) released++;
  return { released };
}

async function batch(checkingSince: string): Promise<BatchCheck> {
  const buffers = config().buffers;
  if (!buffers) throw new InvalidInputError('ScaleBuffer needs a "buffers" section in the config; add one (README, Buffer pools) and deploy again');
  const read = await (await reader()).read();
  const check = checkBatch({
    since: unschedulableSince(read),
    pendingPods: unschedulablePods(read).length,
    now: new Date().toISOString(),
    checkingSince,
    policy: { batchIdleSeconds: buffers.batchIdleSeconds, batchMaxSeconds: buffers.batchMaxSeconds },
  });
  log('info', `buffer batch: ${check.closed ? 'closed' : `open, checking again in ${check.waitSeconds} s`}: ${check.why}`, { pendingPods: check.pendingPods });
  return check;
}

async function plan(request: ScaleBufferRequest): Promise<BufferRunPlan> {
  const { decided } = await decide(request);
  await recordPlan(stores(), decided);
  return decided;
}

/** Reads the cluster, the pools' claims and the memory, and plans: the plan step's decision, shared with the reconcile. */
async function decide(request: ScaleBufferRequest): Promise<{ decided: BufferRunPlan; cluster: BufferClusterMemory }> {
  const s = stores();
  const names = bufferPools();
  const [read, pools, cluster, claims, paused] = await Promise.all([
    (await reader()).read(),
    Promise.all(names.map((p) => s.state.pool(p))),
    s.state.cluster(),
    Promise.all(names.map(async (p) => [p, await s.claims.activeClaims(p)] as const)),
    s.pause.read(),
  ]);
  try {
    return {
      decided: planRun({ request, config: config(), read, activeClaims: Object.fromEntries(claims), pools, cluster, now: new Date().toISOString(), paused }),
      cluster,
    };
  } catch (err) {
    // A target the pool's current size makes impossible (below min is caught at validation; this is the same check).
    if (isInvalidTargetError(err)) throw new InvalidInputError(`"targets": ${err.message}`);
    throw err;
  }
}

let sfnClient: SFNClient | undefined;

/**
 * The schedule's reconcile: a Lambda call costs far less than a Standard execution's ~44 transitions, so the plan is
 * made here (no lease, no audit, no event) and an execution started only when it would act; the execution plans again
 * under its leases. The one write: the unneeded nodes' first-seen times, the scale-down cooldown's clock.
 */
async function reconcile(scheduledAt: string) {
  const { decided, cluster } = await decide({ trigger: 'reconcile' });
  if (unneededChanged(cluster, decided.memory)) await stores().state.saveUnneededSince(decided.memory.unneededSince);
  const decision = reconcileDecision(decided, scheduledAt);
  const summary = {
    grow: decided.grow.map((g) => ({ pool: g.pool, count: g.count })),
    remove: decided.remove.map((r) => r.nodeName),
    pendingPods: decided.pendingPods,
  };
  if (!decision.start) {
    log('info', `buffer reconcile: ${decision.why}; no execution started`, summary);
    return { outcome: 'nothing-to-do', ...summary };
  }
  sfnClient ??= new SFNClient({});
  try {
    const out = await sfnClient.send(
      new StartExecutionCommand({ stateMachineArn: requiredEnv(SCALE_BUFFER_ARN_ENV), name: decision.name, input: JSON.stringify({ trigger: 'reconcile' }) }),
    );
    log('info', `buffer reconcile: ${decision.why}; started ${decision.name}`, summary);
    return { outcome: 'started', name: decision.name, executionArn: out.executionArn, ...summary };
  } catch (err) {
    if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    log('info', `buffer reconcile: ${decision.name} was already started (a repeated delivery)`, summary);
    return { outcome: 'duplicate', name: decision.name, ...summary };
  }
}
