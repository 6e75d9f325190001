import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { addWorkload } from '../../../sim/scenarios.js';
import { expectReadableCause } from '../../helpers/fail-cause.js';
import { auditEntries, bufferConfig, podsOf, poolNodes, ready, unschedulable, watcherEvent, withoutSampleWorkload } from '../../helpers/scale-buffer-local.js';

/**
 * ScaleBuffer's scale-up end to end: the synthesized stack's state machines and bundled functions, run by the local
 * control plane against the simulated clouds, whose scheduler leaves pods pending until a node fits them. Nothing
 * of ours is mocked.
 */

// A 3 s batch idle time (Karpenter's default is 1 s): the burst test's waves come 2.5 s apart, one burst with it.
const config = bufferConfig({ batchIdleSeconds: 3, batchMaxSeconds: 10 });
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

async function start(seed = 1) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  withoutSampleWorkload(local);
  return local;
}

async function run(input: unknown, name?: string) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), input, name);
  return local.controlPlane.waitForExecution(executionArn);
}

async function pendingBurst(app: string, replicas: number, requests: { cpu: string; memory: string }, nodeSelector?: Record<string, string>) {
  addWorkload(local.sim.world, app, replicas, requests, nodeSelector);
  await local.sim.clock.until(() => podsOf(local, app).length === replicas && podsOf(local, app).every(unschedulable), 60_000, `${app} pods unschedulable`);
}

describe('Workflow: ScaleBuffer scale-up (local control plane + simulated clouds)', () => {
  it('a burst of pending pods that fit: one decision, the first pool by priority grows by the right count, its nodes Ready and the pods Running', async () => {
    await start();
    // Six pods of 1 CPU: a Scaleway DEV1-M node (2.9 CPU allocatable) takes two, so three nodes.
    await pendingBurst('burst', 6, { cpu: '1', memory: '512Mi' });
    const now = new Date(local.sim.clock.now()).toISOString();

    const out = await run(watcherEvent('podsUnschedulable', 'a'.repeat(32), now));
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const result = JSON.parse(out.output ?? '{}');
    expect(result.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 3 })]);
    expect(result.unplaceable).toEqual([]);
    // A Scaleway pool grows through one ProvisionNode for its three nodes (its launches set the pool size one at a time).
    expect(result.added).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 3, ok: true })]);
    const nodes = poolNodes(local, 'scw-buffer');
    expect(nodes).toHaveLength(3);
    expect(nodes.every(ready)).toBe(true);
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(0);
    await local.sim.clock.until(() => podsOf(local, 'burst').every((p) => p.status?.phase === 'Running'), 120_000, 'burst pods Running');
    // One decision for the burst: one audit entry, with its inputs.
    const decisions = await auditEntries(local, 'buffer-scaled-up');
    expect(decisions).toHaveLength(1);
    expect(decisions[0].detail).toMatchObject({ trigger: 'pods-unschedulable', pendingPods: 6, pool: 'scw-buffer', requested: 3, added: 3 });
  }, 900_000);

  it('a burst in three waves over ~5 s, each reported: one decision once the batch closes, for every wave, the right count', async () => {
    await start();
    const scaleBuffer = local.stateMachineArn('scaleBuffer');
    const began = local.sim.clock.now();
    const runs: string[] = [];
    // Three waves of two 1-CPU pods, 2.5 s apart; the watcher reports each (a new transition each time, as its pass
    // does when the count grows), so three executions start within the batch window.
    for (const [i, wave] of ['wave-a', 'wave-b', 'wave-c'].entries()) {
      if (i > 0) await local.sim.clock.sleep(began + i * 2500 - local.sim.clock.now());
      await pendingBurst(wave, 2, { cpu: '1', memory: '512Mi' });
      const now = new Date(local.sim.clock.now()).toISOString();
      runs.push(local.controlPlane.startExecution(scaleBuffer, watcherEvent('podsUnschedulable', String(i + 1).repeat(32), now)).executionArn);
    }
    const outs = await Promise.all(runs.map((arn) => local.controlPlane.waitForExecution(arn)));
    for (const out of outs) expect(out.status, out.cause).toBe('SUCCEEDED');
    const results = outs.map((out) => JSON.parse(out.output ?? '{}'));
    // The first run held the leases while the burst went on: the later reports end at once.
    expect(results.map((r) => r.status)).toEqual(['done', 'already-scaling', 'already-scaling']);
    // Six pods of 1 CPU: three Scaleway DEV1-M nodes (2.9 CPU each takes two), decided once for all three waves.
    expect(results[0].scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 3 })]);
    expect(results[0].scaleUps[0].pods).toHaveLength(6);
    const decisions = await auditEntries(local, 'buffer-scaled-up');
    expect(decisions).toHaveLength(1);
    expect(decisions[0].detail).toMatchObject({ trigger: 'pods-unschedulable', pendingPods: 6, pool: 'scw-buffer', requested: 3, added: 3 });
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(3);
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(0);
    // The decision waited for the burst: Plan ran after the last wave's pods plus the idle time, within the max.
    const planned = local.controlPlane.stepFunctions
      .history(runs[0])
      .find((e) => e.type === 'TaskStateEntered' && (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === 'Plan');
    const plannedAfter = ((planned?.timestamp ?? Number.NaN) - began) / 1000;
    expect(plannedAfter).toBeGreaterThanOrEqual(5 + 3);
    expect(plannedAfter).toBeLessThanOrEqual(10 + 2);
  }, 900_000);

  it('pods no buffer pool can place: reported with each pool reason, and nothing is added', async () => {
    await start();
    await pendingBurst('arm-only', 2, { cpu: '500m', memory: '256Mi' }, { 'kubernetes.io/arch': 'arm64' });
    const out = await run({ trigger: 'reconcile' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const result = JSON.parse(out.output ?? '{}');
    expect(result.scaleUps).toEqual([]);
    expect(result.added).toEqual([]);
    expect(result.unplaceable).toHaveLength(2);
    expect(result.unplaceable[0].reasons).toEqual({
      'scw-buffer': expect.stringContaining('kubernetes.io/arch=arm64'),
      'gcp-amd64': expect.stringContaining('kubernetes.io/arch=arm64'),
    });
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(0);
    expect(poolNodes(local, 'gcp-amd64')).toHaveLength(0);
    const skipped = await auditEntries(local, 'buffer-scale-up-skipped');
    expect(skipped).toHaveLength(1);
    expect((skipped[0].detail as { unplaceable: unknown[] }).unplaceable).toHaveLength(2);
  }, 900_000);

  it('the first pool at its max: the rest goes to the next pool, and the first never grows above its max', async () => {
    await start();
    // Eight pods of 1 CPU: Scaleway's pool (max 3) takes six, GCE's (1.9 CPU a node) one pod a node for the last two.
    await pendingBurst('big', 8, { cpu: '1', memory: '512Mi' });
    const out = await run({ trigger: 'reconcile' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const result = JSON.parse(out.output ?? '{}');
    expect(result.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 3 }), expect.objectContaining({ pool: 'gcp-amd64', count: 2 })]);
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(3);
    expect(poolNodes(local, 'gcp-amd64').filter(ready)).toHaveLength(2);
  }, 900_000);

  it('two runs at once: the second finds the pool leases taken and adds nothing; the nodes are added once', async () => {
    await start();
    await pendingBurst('twice', 2, { cpu: '1', memory: '512Mi' });
    const now = new Date(local.sim.clock.now()).toISOString();
    const first = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), watcherEvent('podsUnschedulable', 'b'.repeat(32), now));
    const second = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), { trigger: 'reconcile' });
    const [a, b] = await Promise.all([local.controlPlane.waitForExecution(first.executionArn), local.controlPlane.waitForExecution(second.executionArn)]);
    expect(a.status, a.cause).toBe('SUCCEEDED');
    expect(b.status, b.cause).toBe('SUCCEEDED');
    const statuses = [JSON.parse(a.output ?? '{}').status, JSON.parse(b.output ?? '{}').status].sort();
    expect(statuses).toEqual(['already-scaling', 'done']);
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(1);
    expect(await auditEntries(local, 'buffer-scaled-up')).toHaveLength(1);
  }, 900_000);

  it('a burst between two watcher passes: a cluster hint starts a pass at once, and ScaleBuffer decides within 15 s of the first pending pod', async () => {
    await start();
    const { clock } = local.sim;
    // The hint chain starts with its keep-alive, on the minute as the watcher's schedule; its first rounds then run.
    const hintTicks = () => local.controlPlane.eventSourceMappings.invocations.filter((i) => /ClusterHints/.test(i.mapping) && i.ok);
    await clock.until(() => hintTicks().length >= 1, 150_000, 'a hint round');
    // Right after a scheduled pass: the next comes ~55 s later, so a decision within 15 s can only come from a hint.
    const minute = 60_000;
    const afterPass = Math.ceil(clock.now() / minute) * minute + 5_000;
    await clock.until(() => clock.now() >= afterPass, 2 * minute, 'a few seconds after a scheduled pass');
    const t0 = clock.now();
    addWorkload(local.sim.world, 'hinted', 4, { cpu: '1', memory: '512Mi' });
    let firstPending: number | undefined;
    const planExitedAt = () => {
      for (const run of local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('scaleBuffer'))) {
        if (run.startDate < t0) continue;
        const exited = local.controlPlane.stepFunctions
          .history(run.executionArn)
          .find((e) => (e.stateExitedEventDetails as { name?: string } | undefined)?.name === 'Plan');
        if (exited) return exited.timestamp;
      }
      return undefined;
    };
    await clock.until(
      () => {
        if (firstPending === undefined && podsOf(local, 'hinted').some(unschedulable)) firstPending = clock.now();
        return planExitedAt() !== undefined;
      },
      50_000,
      'a ScaleBuffer plan before the next scheduled pass',
    );
    const decidedAt = planExitedAt() as number;
    expect(firstPending).toBeDefined();
    expect(decidedAt - (firstPending as number)).toBeLessThanOrEqual(15_000);
    // The pass the hint started was the one that reported the pods (not the schedule's, still ~40 s away).
    expect(decidedAt).toBeLessThan(afterPass + 50_000);
    const [run] = local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('scaleBuffer')).filter((r) => r.startDate >= t0);
    const out = await local.controlPlane.waitForExecution(run.executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    // The count is the batching's business (the hint may catch the burst's first pods only); the pool is the first by priority.
    expect(JSON.parse(out.output ?? '{}').scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer' })]);
  }, 900_000);

  it('bad input fails InvalidInput with a readable cause naming the field', async () => {
    await start();
    const out = await run({ targets: { 'scw-buffer': 9 } });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('InvalidInput');
    const { sentence } = expectReadableCause(out.cause);
    expect(sentence).toContain('"targets"');
    expect(sentence).toContain('scw-buffer may have 0 to 3 nodes (pools[].min to pools[].max), asked for 9');
    expect(poolNodes(local, 'scw-buffer')).toHaveLength(0);
  }, 900_000);
});
