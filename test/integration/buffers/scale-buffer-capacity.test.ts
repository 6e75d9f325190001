import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBuffers } from '../../../cli/buffer-status.js';
import type { LocalEndpoints } from '../../../cli/local-endpoints.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { addWorkload } from '../../../sim/scenarios.js';
import { auditEntries, bufferConfig, podsOf, poolNodes, ready, unschedulable, watcherEvent, withoutSampleWorkload } from '../../helpers/scale-buffer-local.js';

/**
 * The first-choice buffer pool out of capacity, end to end (local control plane, simulated clouds, virtual clock):
 * Scaleway answers the pool resize with its real out-of-stock error, the failed scale-up backs the pool off and
 * remembers its offering, and the next run takes the next pool. Then the backoff alone: a run inside it skips the pool
 * (stock back or not), and a run after it tries the pool again. Last, a burst that needs two pools at once: arm64-only
 * pods go to the arm64 pool, third in priority, the others to the first.
 */

// The test config's two amd64 pools, then the shipped config's EC2 Graviton pool (t4g.medium: 2 vCPU, 4 GiB; the
// simulated kubelet reserves 100m and 256Mi). Third, so the amd64 pools' scenarios above never reach it.
const config = bufferConfig({
  pools: [
    { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.04 },
    { pool: 'gcp-amd64', allocatable: { cpu: '1900m', memory: '7936Mi' }, hourlyCost: 0.08 },
    { pool: 'aws-arm64', allocatable: { cpu: '1900m', memory: '3840Mi' }, hourlyCost: 0.03 },
  ],
});
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

/** Runs ScaleBuffer; a run the stack started on its own (the 10-minute reconcile) holding the leases is waited out. */
async function run(input: unknown) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), input);
    const out = await local.controlPlane.waitForExecution(executionArn);
    const result = JSON.parse(out.output ?? '{}');
    if (out.status !== 'SUCCEEDED' || result.status !== 'already-scaling') return { ...out, result };
    await local.sim.clock.sleep(30_000);
  }
  throw new Error('ScaleBuffer stayed busy for 10 attempts');
}

const seconds = (from: number) => (local.sim.clock.now() - from) / 1000;

/**
 * Every node there is (home's one machine) filled by a pod pinned to it, so the test's pods wait for buffer nodes
 * only. The home machine registers a few simulated seconds after the start: fill it once its Node is Ready.
 */
async function fillHome() {
  const { world } = local.sim;
  const homes = world.listVms('home');
  expect(homes.length).toBeGreaterThan(0);
  const homeNodes = () => homes.map((vm) => world.kube.get('nodes', undefined, world.getVm(vm.id)?.nodeName ?? vm.name));
  await local.sim.clock.until(() => homeNodes().every((n) => n !== undefined && ready(n)), 60_000, 'home Nodes Ready');
  for (const n of homeNodes())
    addWorkload(world, `fill-${n?.metadata.name}`, 1, { cpu: '3700m', memory: '1Gi' }, { 'kubernetes.io/hostname': String(n?.metadata.name) });
  await local.sim.clock.until(() => world.kube.list('pods').every((p) => p.status?.phase === 'Running'), 60_000, 'filler pods Running');
}

/** The local control plane's endpoints as `shepherd status --local` reads them (its buffer section reads the table). */
function endpoints(): LocalEndpoints {
  return {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints, chaos: local.chaos.url },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    chaosToken: local.chaos.token,
    kubeconfig: 'unused',
    configFile: 'unused',
    pid: process.pid,
  };
}

/** The Node a pod runs on, once it runs there. */
const nodeOf = (app: string) => podsOf(local, app).find((p) => p.status?.phase === 'Running')?.spec.nodeName as string | undefined;

/** A workload and its pods gone (its pods no longer pending). */
function removeWorkload(app: string) {
  const { kube } = local.sim.world;
  kube.remove('replicasets', 'default', app);
  for (const pod of podsOf(local, app)) kube.remove('pods', pod.metadata.namespace, pod.metadata.name);
}

async function pending(app: string, replicas: number) {
  addWorkload(local.sim.world, app, replicas, { cpu: '1200m', memory: '512Mi' });
  await local.sim.clock
    .until(() => podsOf(local, app).length === replicas && podsOf(local, app).every(unschedulable), 60_000, `${app} pods unschedulable`)
    .catch((err) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(podsOf(local, app).map((p) => [p.spec, p.status]))}`);
    });
}

describe('Scenario: the first-choice buffer pool is out of capacity', () => {
  it('the failed scale-up backs it off (5 min) and remembers the offering (3 min); the next run uses the next pool', async () => {
    local = await startShepherdLocal({ config, seed: 31, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    withoutSampleWorkload(local);
    const { world } = local.sim;
    // Scaleway has no DEV1-M left: the pool resize answers 503 out_of_stock, as Scaleway's API does.
    world.setCapacity({ provider: 'scaleway' }, 0);
    await fillHome();

    await pending('first', 1);
    const failedAt = local.sim.clock.now();
    const first = await run({ trigger: 'reconcile' });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(first.result.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
    expect(first.result.added).toEqual([expect.objectContaining({ pool: 'scw-buffer', ok: false })]);
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(0);
    const failures = await auditEntries(local, 'buffer-scale-up-failed');
    expect(failures).toHaveLength(1);
    const failure = failures[0].detail as Record<string, unknown>;
    expect(failure).toMatchObject({ pool: 'scw-buffer', failed: 1, outOfCapacity: true });
    expect(String(failure.errors)).toMatch(/InsufficientCapacityError|out of stock/);
    // Backed off 5 min from the failure, the offering remembered 3 min (both from when the failure was recorded).
    const backedOff = (Date.parse(String(failure.backedOffUntil)) - failedAt) / 1000;
    const remembered = (Date.parse(String(failure.outOfCapacityUntil)) - failedAt) / 1000;
    expect(backedOff).toBeGreaterThanOrEqual(300);
    expect(backedOff - remembered).toBeCloseTo(120, -1);

    // 1200m pods: one to a GCE node (1900m), so each later pod waits for a new node.
    // The next run, inside the backoff: Scaleway skipped with why, GCE's pool takes the pod.
    const second = await run({ trigger: 'reconcile' });
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(second.result.scaleUps).toEqual([expect.objectContaining({ pool: 'gcp-amd64', count: 1 })]);
    expect(poolNodes(local, 'gcp-amd64').filter(ready)).toHaveLength(1);
    await local.sim.clock.until(() => podsOf(local, 'first').every((p) => p.status?.phase === 'Running'), 120_000, 'first pod Running');
    expect(poolNodes(local, 'gcp-amd64').map((n) => n.metadata.name)).toContain(nodeOf('first'));

    expect(await auditEntries(local, 'buffer-scale-up-failed')).toHaveLength(1);
  }, 900_000);
});

describe('Scenario: a buffer pool backed off after a failed scale-up', () => {
  it('a run inside the backoff skips the pool for the next one in priority order; a run after the backoff tries it again', async () => {
    local = await startShepherdLocal({ config, seed: 37, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    withoutSampleWorkload(local);
    const { world } = local.sim;
    await fillHome();
    const buffers = async () => {
      const status = await readBuffers(config, local.tableName, endpoints(), Promise.resolve([]), new Date(local.sim.clock.now()));
      return status?.pools.find((p) => p.pool === 'scw-buffer');
    };

    // The failure: Scaleway out of stock, the first-choice pool's scale-up fails and backs it off.
    world.setCapacity({ provider: 'scaleway' }, 0);
    await pending('first', 1);
    const failed = await run({ trigger: 'reconcile' });
    expect(failed.status, failed.cause).toBe('SUCCEEDED');
    expect(failed.result.added).toEqual([expect.objectContaining({ pool: 'scw-buffer', ok: false })]);
    const failedAt = local.sim.clock.now();
    // The pod that asked goes away: nothing is pending (no run of the stack's own falls back for it) until the next phase.
    removeWorkload('first');
    const [failure] = await auditEntries(local, 'buffer-scale-up-failed');
    const { backedOffUntil } = failure.detail as { backedOffUntil: string };
    const gcpNodesBefore = poolNodes(local, 'gcp-amd64').length;

    // Inside the backoff, past the offering memory (3 min), with Scaleway's stock back: only the backoff keeps the
    // pool out. The pod goes to the next pool, GCE's; Scaleway is not even asked (no second failure, no node).
    await local.sim.clock.until(() => seconds(failedAt) >= 200, 300_000, '200 s after the failure');
    world.setCapacity({ provider: 'scaleway' }, undefined);
    await pending('second', 1);
    const insideAt = local.sim.clock.now();
    expect(insideAt).toBeLessThan(Date.parse(backedOffUntil));
    const scwStatus = await buffers();
    expect(scwStatus?.backoff).toMatchObject({ until: backedOffUntil, failures: 1 });
    expect(scwStatus?.outOfCapacityUntil).toBeUndefined();
    const inside = await run({ trigger: 'reconcile' });
    expect(inside.status, inside.cause).toBe('SUCCEEDED');
    await local.sim.clock.until(() => nodeOf('second') !== undefined, 300_000, 'second pod Running');
    expect(poolNodes(local, 'gcp-amd64').map((n) => n.metadata.name)).toContain(nodeOf('second'));
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(gcpNodesBefore + 1);
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(0);
    expect(world.scalewayPools.list().find((p) => p.name === 'scw-buffer')?.size).toBe(0);
    expect(await auditEntries(local, 'buffer-scale-up-failed')).toHaveLength(1);
    const fallback = (await auditEntries(local, 'buffer-scaled-up')).map((e) => e.detail as Record<string, unknown>);
    const secondPods = podsOf(local, 'second').map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(fallback).toEqual([expect.objectContaining({ pool: 'gcp-amd64', added: 1, pods: secondPods })]);
    expect(fallback[0].skipped).toEqual([{ pool: 'scw-buffer', reason: `pool scw-buffer is backed off until ${backedOffUntil} after a failed scale-up` }]);

    // After the backoff: the pool is tried again, and grows (its Node Ready, the pod on it).
    await local.sim.clock.until(() => local.sim.clock.now() > Date.parse(backedOffUntil), 300_000, 'the end of the backoff');
    expect((await buffers())?.backoff).toBeUndefined();
    await pending('third', 1);
    const after = await run({ trigger: 'reconcile' });
    expect(after.status, after.cause).toBe('SUCCEEDED');
    await local.sim.clock.until(() => nodeOf('third') !== undefined, 300_000, 'third pod Running');
    expect(poolNodes(local, 'scw-buffer').map((n) => n.metadata.name)).toEqual([nodeOf('third')]);
    expect(poolNodes(local, 'scw-buffer').filter(ready)).toHaveLength(1);
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(gcpNodesBefore + 1);
    const grown = (await auditEntries(local, 'buffer-scaled-up')).map((e) => e.detail as Record<string, unknown>);
    expect(grown.map((d) => d.pool)).toEqual(['gcp-amd64', 'scw-buffer']);
    expect(grown[1].skipped).toEqual([]);
    expect(await auditEntries(local, 'buffer-scale-up-failed')).toHaveLength(1);
  }, 900_000);
});

describe('Scenario: a burst of arm64-only and plain pods', () => {
  it('one decision: the arm64 pods go to the arm64 pool (third in priority), the others to the first pool, each by the right count; every pod Running on its pool', async () => {
    local = await startShepherdLocal({ config, seed: 41, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    withoutSampleWorkload(local);
    const { world } = local.sim;
    await fillHome();
    const t0 = local.sim.clock.now();
    // Three arm64-only pods of 900m: two to a t4g.medium (1900m), so two nodes. Two plain pods of 2 CPU: one to a
    // DEV1-M (2900m), so two nodes; too big for what an arm64 node has left, so each lands where it was planned.
    addWorkload(world, 'graviton', 3, { cpu: '900m', memory: '512Mi' }, { 'kubernetes.io/arch': 'arm64' });
    addWorkload(world, 'plain', 2, { cpu: '2', memory: '512Mi' });
    const burst = () => [...podsOf(local, 'graviton'), ...podsOf(local, 'plain')];
    await local.sim.clock.until(() => burst().length === 5 && burst().every(unschedulable), 60_000, 'the burst unschedulable');

    const scaleBuffer = local.stateMachineArn('scaleBuffer');
    const reported = local.controlPlane.startExecution(
      scaleBuffer,
      watcherEvent('podsUnschedulable', 'e'.repeat(32), new Date(local.sim.clock.now()).toISOString()),
    );
    const mine = await local.controlPlane.waitForExecution(reported.executionArn);
    expect(mine.status, mine.cause).toBe('SUCCEEDED');
    // The stack's own watcher may report the same burst: whichever run comes first decides, the other adds nothing.
    const runs = local.controlPlane.stepFunctions.listExecutions(scaleBuffer).filter((r) => r.startDate >= t0);
    const outs = await Promise.all(runs.map((r) => local.controlPlane.waitForExecution(r.executionArn)));
    for (const out of outs) expect(out.status, out.cause).toBe('SUCCEEDED');
    const deciding = outs.map((out) => JSON.parse(out.output ?? '{}')).filter((r) => (r.scaleUps ?? []).length > 0);
    expect(deciding).toHaveLength(1);
    const [decision] = deciding;
    const pods = (app: string) =>
      podsOf(local, app)
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort();
    expect(decision.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 2 }), expect.objectContaining({ pool: 'aws-arm64', count: 2 })]);
    expect([...decision.scaleUps[0].pods].sort()).toEqual(pods('plain'));
    expect([...decision.scaleUps[1].pods].sort()).toEqual(pods('graviton'));
    expect(decision.unplaceable).toEqual([]);
    // Grown through nested ProvisionNode runs: one per node of the self-managed EC2 pool, one for Scaleway's two.
    const provisions = local.controlPlane.stepFunctions
      .listExecutions(local.stateMachineArn('provisionNode'))
      .filter((r) => r.startDate >= t0)
      .map((r) => JSON.parse(r.input) as { pool: string; count?: number });
    expect(provisions.filter((i) => i.pool === 'aws-arm64').map((i) => i.count ?? 1)).toEqual([1, 1]);
    expect(provisions.filter((i) => i.pool === 'scw-buffer').map((i) => i.count)).toEqual([2]);

    // The world: two Graviton VMs and their arm64 Nodes, two Scaleway nodes, nothing on GCE.
    const armNodes = poolNodes(local, 'aws-arm64');
    expect(armNodes).toHaveLength(2);
    expect(armNodes.every((n) => ready(n) && n.metadata.labels?.['kubernetes.io/arch'] === 'arm64')).toBe(true);
    const armVms = world.listVms('aws').filter((vm) => vm.state !== 'terminated' && vm.arch === 'arm64');
    expect(armVms).toHaveLength(2);
    expect(armVms.every((vm) => ['t4g.medium', 'm6g.large'].includes(vm.type))).toBe(true);
    expect(poolNodes(local, 'scw-buffer').filter(ready)).toHaveLength(2);
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(0);
    const onPool = (app: string) => podsOf(local, app).map((p) => (p.status?.phase === 'Running' ? (p.spec.nodeName as string) : undefined));
    await local.sim.clock.until(() => burst().every((p) => p.status?.phase === 'Running'), 120_000, 'the burst Running');
    const armNames = armNodes.map((n) => n.metadata.name);
    const scwNames = poolNodes(local, 'scw-buffer').map((n) => n.metadata.name);
    expect(onPool('graviton').every((n) => armNames.includes(n ?? ''))).toBe(true);
    expect(new Set(onPool('graviton')).size).toBe(2);
    expect(onPool('plain').every((n) => scwNames.includes(n ?? ''))).toBe(true);

    // Audited as one decision: an entry per pool grown, both with the burst's five pods as the decision's input.
    const grown = (await auditEntries(local, 'buffer-scaled-up')).map((e) => e.detail as Record<string, unknown>);
    expect(grown).toHaveLength(2);
    const byPool = Object.fromEntries(grown.map((d) => [d.pool, d]));
    expect(byPool['aws-arm64']).toMatchObject({ trigger: 'pods-unschedulable', pendingPods: 5, requested: 2, added: 2 });
    expect(byPool['scw-buffer']).toMatchObject({ trigger: 'pods-unschedulable', pendingPods: 5, requested: 2, added: 2 });
    expect([...(byPool['aws-arm64'].pods as string[])].sort()).toEqual(pods('graviton'));
    expect([...(byPool['scw-buffer'].pods as string[])].sort()).toEqual(pods('plain'));
    expect(await auditEntries(local, 'buffer-scale-up-failed')).toHaveLength(0);
  }, 900_000);
});
