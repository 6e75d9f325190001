import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { addWorkload } from '../../../sim/scenarios.js';
import type { KubeObject } from '../../../sim/world/types.js';
import { auditEntries, bufferConfig, podsOf, poolNodes, ready, watcherEvent, withoutSampleWorkload } from '../../helpers/scale-buffer-local.js';

/**
 * A provider goes dark and comes back, end to end: the synthesized stack's state machines and functions in the local
 * control plane against the simulated clouds, on the virtual clock (the stack's own schedules, the watcher and the
 * 10-minute reconcile, run as they would). Nothing of ours is mocked; the watcher's provider events are delivered as
 * its rule delivers them (two AWS nodes are below its degradedMinNodes, so it would not call them a provider outage).
 */

const config = bufferConfig();
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
const now = () => local.sim.clock.now();

/** Runs ScaleBuffer; a run the stack started on its own (the reconcile, the watcher) holding the leases is waited out. */
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

const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;
const running = (pod: KubeObject) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;

describe('Scenario: a provider goes dark, the buffer stands in, and shrinks back after the recovery', () => {
  it('capacity before the pods go pending, within max and cost cap; the evicted pods run there; the buffer shrinks only after cooldown and recovery; a pod that cannot move is never evicted', async () => {
    local = await startShepherdLocal({ config, seed: 11, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    withoutSampleWorkload(local);
    const { world } = local.sim;

    const provisioned = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: 'aws-amd64', count: 2, reason: 'test' });
    const p = await local.controlPlane.waitForExecution(provisioned.executionArn);
    expect(p.status, p.cause).toBe('SUCCEEDED');
    const awsNodes = () => poolNodes(local, 'aws-amd64');
    await local.sim.clock.until(() => awsNodes().length === 2 && awsNodes().every(ready), 600_000, 'two AWS nodes Ready');
    const awsNames = awsNodes().map((n) => n.metadata.name);

    // The other nodes (home's) stay out of the way: the workload runs on AWS only, so all of it is lost when AWS goes dark.
    for (const n of world.kube.list('nodes').filter((x) => !awsNames.includes(x.metadata.name)))
      world.kube.mutate('nodes', undefined, n.metadata.name, (o) => {
        o.spec = { ...(o.spec as Record<string, unknown>), unschedulable: true };
      });
    // Four pods of 800m: two on each AWS node (1900m allocatable), none fits anywhere else.
    addWorkload(world, 'app', 4, { cpu: '800m', memory: '512Mi' });
    const app = () => podsOf(local, 'app');
    await local.sim.clock.until(() => app().length === 4 && app().every(running), 120_000, 'app pods Running on AWS');
    expect(
      app()
        .map(nodeOf)
        .filter((n) => !awsNames.includes(n ?? '')),
    ).toEqual([]);

    // AWS loses power; the watcher's Provider Degraded comes once its Nodes are NotReady.
    const darkAt = now();
    world.setProviderDark('aws', true);
    await local.sim.clock.until(() => awsNodes().every((n) => !ready(n)), 300_000, 'AWS Nodes NotReady');
    const degraded = await run(watcherEvent('providerDegraded', 'd'.repeat(32), iso(now()), { provider: 'aws', notReady: 2, total: 2 }));
    expect(degraded.status, degraded.cause).toBe('SUCCEEDED');
    expect(degraded.result.trigger).toBe('provider-degraded');
    // The lost pods' requests: 4 x 800m, three to a DEV1-M node (2900m): two nodes of the first pool.
    expect(degraded.result.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 2 })]);
    const scw = () => poolNodes(local, 'scw-buffer');
    expect(scw().filter(ready)).toHaveLength(2);
    const capacityAt = now();
    const capacityS = (capacityAt - darkAt) / 1000;
    // Before the pods go pending: the taint manager evicts them 300 s after their Nodes turned unreachable.
    expect(app().filter((pod) => pod.status?.phase === 'Pending' && !nodeOf(pod))).toEqual([]);
    expect(world.timeline.some((e) => e.type === 'pod.evicted' && e.at >= darkAt)).toBe(false);
    // Within the pool's max (3) and the cost cap (1 an hour): 2 x 0.04.
    const cfg = config.buffers!;
    const scwMax = cfg.pools.find((b) => b.pool === 'scw-buffer')?.maxNodes ?? config.pools.find((x) => x.name === 'scw-buffer')!.max;
    expect(scw().length).toBeLessThanOrEqual(scwMax);
    expect(scw().length * 0.04 + poolNodes(local, 'gcp-amd64').length * 0.08).toBeLessThanOrEqual(cfg.maxHourlyCost!);
    const up = await auditEntries(local, 'buffer-scaled-up');
    expect(up).toHaveLength(1);
    expect(up[0].detail).toMatchObject({ trigger: 'provider-degraded', degradedProviders: ['aws'], standingInFor: ['aws'], pool: 'scw-buffer', added: 2 });
    expect(String((up[0].detail as { reason?: string }).reason)).toContain('provider-degraded');

    // The evictions come; the replacements run on the buffer nodes at once.
    const scwNames = scw().map((n) => n.metadata.name);
    await local.sim.clock.until(
      () =>
        app().filter(running).length === 4 &&
        app()
          .filter(running)
          .every((pod) => scwNames.includes(nodeOf(pod) ?? '')),
      900_000,
      'app pods Running on the buffer nodes',
    );
    const movedAt = now();
    // One pod only that buffer node satisfies (its nodeSelector names it): that node must stay whatever happens.
    const pinnedNode = scwNames[0];
    addWorkload(world, 'pinned', 1, { cpu: '100m', memory: '64Mi' }, { 'kubernetes.io/hostname': pinnedNode });
    await local.sim.clock.until(() => podsOf(local, 'pinned').length === 1 && podsOf(local, 'pinned').every(running), 60_000, 'pinned pod Running');

    // What each stand-in's pods request of it (2900m): above the 50 % threshold, only the provider's return frees them.
    const cpuShare = (node: string) => (app().filter((pod) => running(pod) && nodeOf(pod) === node).length * 800) / 2900;
    const shares = Object.fromEntries(scwNames.map((n) => [n, cpuShare(n)]));

    // Power returns; the watcher's Provider Recovered.
    world.setProviderDark('aws', false);
    await local.sim.clock.until(() => awsNodes().every(ready), 300_000, 'AWS Nodes Ready again');
    const recoveredAt = now();
    const recovered = await run(watcherEvent('providerRecovered', 'e'.repeat(32), iso(recoveredAt), { provider: 'aws', degradedSince: iso(darkAt) }));
    expect(recovered.status, recovered.cause).toBe('SUCCEEDED');
    expect(recovered.result.removed).toEqual([]);

    // Nothing goes within the cooldown / recovery period (600 s each), whatever the reconcile does meanwhile.
    await local.sim.clock.until(() => now() - recoveredAt >= 590_000 || scw().length < 2, 700_000, 'the recovery period');
    expect(scw()).toHaveLength(2);
    const early = await run({ trigger: 'reconcile' });
    expect(early.result.removed ?? []).toEqual([]);
    const keptReasons = (early.result.kept as { node: string; reason: string }[]).map((k) => k.reason).join(' | ');
    expect(keptReasons).toMatch(/back only since|unneeded for \d+ s of the 600 s/);

    // Then the reconcile (every 10 min) removes the stand-in whose pods can go back to AWS; the pinned pod's node stays.
    await local.sim.clock.until(() => scw().length === 1, 3_600_000, 'a buffer node removed');
    const shrunkAt = now();
    expect(scw().map((n) => n.metadata.name)).toEqual([pinnedNode]);
    const removedNode = scwNames.find((n) => n !== pinnedNode) ?? '';
    expect(shares[removedNode]).toBeGreaterThanOrEqual(0.5);
    expect((shrunkAt - recoveredAt) / 1000).toBeGreaterThanOrEqual(600);
    await local.sim.clock.until(() => app().filter(running).length === 4, 600_000, 'app pods Running again');
    const down = await auditEntries(local, 'buffer-scaled-down');
    expect(down).toHaveLength(1);
    expect(down[0].detail).toMatchObject({ pool: 'scw-buffer', removed: true });
    expect(String((down[0].detail as { reason?: string }).reason)).toMatch(/^unneeded since /);
    const kept = await auditEntries(local, 'buffer-node-kept');
    expect(
      kept.some(
        (k) =>
          (k.detail as { nodeName?: string; why?: string }).nodeName === pinnedNode && /fits on no other node/.test(String((k.detail as { why?: string }).why)),
      ),
    ).toBe(true);
    // Nothing that could not move was evicted: the pinned pod runs where it was, never evicted.
    const pinnedPod = podsOf(local, 'pinned')[0];
    expect([nodeOf(pinnedPod), running(pinnedPod)]).toEqual([pinnedNode, true]);
    expect(world.timeline.some((e) => e.type === 'pod.evicted' && e.subject === `default/${pinnedPod.metadata.name}`)).toBe(false);

    console.log(
      `outage scenario (simulated): dark -> buffer Ready ${capacityS.toFixed(0)} s; dark -> pods Running on the buffer ${((movedAt - darkAt) / 1000).toFixed(0)} s; recovered -> shrunk ${((shrunkAt - recoveredAt) / 1000).toFixed(0)} s (the stand-in removed was ${Math.round(shares[removedNode] * 100)} % requested)`,
    );
  }, 900_000);
});
