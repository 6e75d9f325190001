import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { addWorkload } from '../../sim/scenarios.js';
import { auditEntries, bufferConfig, podsOf, poolNodes, ready, unschedulable, withoutSampleWorkload } from '../helpers/scale-buffer-local.js';

/**
 * The first-choice buffer pool out of capacity, end to end (local control plane, simulated clouds, virtual clock):
 * Scaleway answers the pool resize with its real out-of-stock error, the failed scale-up backs the pool off and
 * remembers its offering, and the next run takes the next pool.
 */

const config = bufferConfig();
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
    // Every node there is (home's) is filled by a pod pinned to it: the pods wait for buffer nodes only.
    for (const n of world.kube.list('nodes'))
      addWorkload(world, `fill-${n.metadata.name}`, 1, { cpu: '3700m', memory: '1Gi' }, { 'kubernetes.io/hostname': n.metadata.name });
    await local.sim.clock.until(() => world.kube.list('pods').every((p) => p.status?.phase === 'Running'), 60_000, 'filler pods Running');

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

    expect(await auditEntries(local, 'buffer-scale-up-failed')).toHaveLength(1);
  }, 900_000);
});
