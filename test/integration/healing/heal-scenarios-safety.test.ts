import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HEAL_DETAIL_TYPES } from '../../../functions/decisions/healing/heal-events.js';
import { WATCHER_DETAIL_TYPES } from '../../../functions/decisions/watcher/event-types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import {
  auditEntries,
  expectHealEventsMatchCatalog,
  healEvents,
  healExecutions,
  inputOf,
  isReady,
  nodeOf,
  outputOf,
  provision,
  provisionsSince,
  runHeal,
  type Scenario,
  seconds,
  shippedConfig,
  startScenario,
  workloadOn,
} from './heal-scenarios-support.js';

/**
 * The healing scenarios about the safety limits, in the local control plane against the simulated clouds:
 * what looks like mass node loss (a provider going dark), the cluster API unreachable, a PodDisruptionBudget that
 * blocks the drain, and a node that recovers before remediation. Each asserts what shepherd did (and did not do) to
 * the simulated clouds and cluster, and when, in simulated seconds.
 */

const config = shippedConfig();
let s: Scenario | undefined;

beforeAll(async () => {
  await synthesizeStack(config);
}, 900_000);

afterEach(async () => {
  await s?.local.stop();
  s = undefined;
});

/** The ids of the VMs that are not terminated or being terminated. */
const liveVmIds = () =>
  s!.local.sim.world
    .listVms()
    .filter((v) => !['terminated', 'shutting-down', 'deleted'].includes(String(v.state)))
    .map((v) => v.id)
    .sort();

describe('Scenario: a whole provider goes dark', () => {
  it('no Node is deleted and no VM launched by healing, a provider-degraded event is published, and nothing is lost when the power returns', async () => {
    s = await startScenario(config, 21);
    const { local, observer } = s;
    const nodes = [await provision(local, 'aws-amd64'), await provision(local, 'aws-arm64')];
    const vmsBefore = liveVmIds();
    const allNodesBefore = local.sim.world.kube
      .list('nodes')
      .map((n) => n.metadata.name)
      .sort();
    const t0 = local.sim.clock.now();
    local.sim.world.setProviderDark('aws', true);

    // Past the NotReady threshold and a few watcher passes: the heals the watcher's reports started have decided.
    await local.sim.clock.until(() => nodes.every((n) => !isReady(nodeOf(local, n))), 120_000, 'the AWS Nodes NotReady');
    await local.sim.clock.until(
      () => healEvents(s!, HEAL_DETAIL_TYPES.providerDegraded).length > 0,
      config.healing.unhealthyAfterSeconds * 1000 + 300_000,
      'a heal held by the provider short-circuit',
    );
    const heldAfterS = seconds(t0, local.sim.clock.now());
    await local.sim.clock.sleep(120_000);

    const degraded = healEvents(s, HEAL_DETAIL_TYPES.providerDegraded);
    expect(degraded[0].detail).toMatchObject({ provider: 'aws' });
    expect(nodes).toContain((degraded[0].detail as { nodeName: string }).nodeName);
    // Held once the threshold passed, not before, and within a few watcher passes of it.
    expect(heldAfterS).toBeGreaterThanOrEqual(config.healing.unhealthyAfterSeconds);
    expect(heldAfterS).toBeLessThanOrEqual(config.healing.unhealthyAfterSeconds + 240);
    const heals = nodes.flatMap((n) => observer.healsOf(n));
    expect(heals.length).toBeGreaterThan(0);
    // No heal tore anything down, and none failed (the new nodes' registration NotReady starts none).
    for (const h of heals) expect(['replaced', 'deleted'], `${h.name}: ${h.cause ?? h.output}`).not.toContain(outputOf(h).status);
    expect(
      healExecutions(local)
        .filter((h) => h.status === 'FAILED')
        .map((h) => `${h.name}: ${h.cause}`),
    ).toEqual([]);
    expect(heals.some((h) => outputOf(h).status === 'held' && (outputOf(h).verdict as string) === 'short-circuit')).toBe(true);
    // Nothing destructive while dark: every Node is there, none cordoned, no VM launched or terminated.
    for (const n of nodes) expect(observer.fate(n)).toEqual({});
    expect(provisionsSince(local, t0)).toEqual([]);
    expect(liveVmIds()).toEqual(vmsBefore);
    expect((await auditEntries(local)).filter((e) => /^heal\.(cordoned|drained|nodeDeleted|vmTerminated)$/.test(e.event))).toEqual([]);

    // The power returns: the same Nodes are Ready on the same VMs.
    local.sim.world.setProviderDark('aws', false);
    const back = local.sim.clock.now();
    await local.sim.clock.until(() => nodes.every((n) => isReady(nodeOf(local, n))), 300_000, 'the AWS Nodes Ready again');
    expect(seconds(back, local.sim.clock.now())).toBeLessThanOrEqual(60);
    await local.sim.clock.sleep(180_000);
    expect(
      local.sim.world.kube
        .list('nodes')
        .map((n) => n.metadata.name)
        .sort(),
    ).toEqual(allNodesBefore);
    for (const n of nodes) expect(isReady(nodeOf(local, n))).toBe(true);
    expect(liveVmIds()).toEqual(vmsBefore);
    expect(provisionsSince(local, t0)).toEqual([]);
    expect(healExecutions(local).every((h) => h.status !== 'RUNNING')).toBe(true);
    expect(s.lambdaErrors).toEqual([]);
  }, 2_400_000);
});

describe('Scenario: the cluster API is unreachable', () => {
  it('nothing destructive happens: no cordon, no Node deleted, no VM terminated or launched; a heal asked for is held', async () => {
    s = await startScenario(config, 22);
    const { local, observer } = s;
    const healthy = await provision(local, 'aws-amd64');
    const dying = await provision(local, 'aws-arm64');
    const healthyVm = local.sim.world.vmOfNode(healthy)!;
    const t0 = local.sim.clock.now();
    local.sim.world.setClusterApiDown(true);
    // A VM dies meanwhile (EC2 publishes its state change), and an operator asks for a heal of a Ready node.
    local.sim.world.terminateVm(local.sim.world.vmOfNode(dying)!.id);
    const asked = await runHeal(local, { nodeName: healthy, reason: 'scheduled-change' });

    expect(asked.status, asked.cause).toBe('SUCCEEDED');
    expect(asked.result).toMatchObject({ status: 'held', nodeName: healthy, verdict: 'frozen' });
    expect(String(asked.result.message)).toContain('the cluster API is unreachable');
    await local.sim.clock.sleep(420_000);

    // The watcher reported the outage; nothing was cordoned, drained, deleted, terminated or launched.
    expect(s.published.some((e) => e['detail-type'] === WATCHER_DETAIL_TYPES.apiUnreachable)).toBe(true);
    for (const n of [healthy, dying]) {
      expect(observer.fate(n)).toEqual({});
      expect(nodeOf(local, n)).toBeDefined();
    }
    expect(local.sim.world.getVm(healthyVm.id)?.state).toBe('running');
    expect(provisionsSince(local, t0)).toEqual([]);
    for (const h of healExecutions(local).filter((h) => h.status !== 'RUNNING')) {
      expect(['held', 'already-healing'], `${h.name}: ${h.cause ?? h.output}`).toContain(outputOf(h).status);
    }
    const audit = await auditEntries(local);
    expect(audit.filter((e) => /^heal\.(cordoned|drained|nodeDeleted|vmTerminated|replacementStarted)$/.test(e.event))).toEqual([]);
    expect(audit.find((e) => e.event === 'heal.held' && e.detail.nodeName === healthy)?.detail).toMatchObject({ verdict: 'frozen' });
    expect(seconds(t0, local.sim.clock.now())).toBeGreaterThanOrEqual(420);
    local.sim.world.setClusterApiDown(false);
  }, 1_800_000);
});

describe('Scenario: a PodDisruptionBudget blocks the drain', () => {
  it('the drain retries until its deadline, then the deadline path deletes the pod, the heal goes on, and the audit log says so', async () => {
    s = await startScenario(config, 23);
    const { local, observer } = s;
    const pool = 'aws-amd64';
    const nodeName = await provision(local, pool);
    const pods = await workloadOn(local, 'guarded', pool, nodeName, 1);
    local.sim.world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded', namespace: 'default' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    });
    const guarded = `default/${pods()[0].metadata.name}`;
    const deadline = 60;
    const t0 = local.sim.clock.now();
    // AWS Health announces a retirement of a Ready node: it is drained with the deadline asked for.
    const out = await runHeal(local, { nodeName, reason: 'scheduled-change', drainTimeoutSeconds: deadline });
    const tookS = seconds(t0, local.sim.clock.now());

    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(out.result).toMatchObject({ status: 'replaced', nodeName, pool });
    const fate = observer.fate(nodeName);
    // The drain waited the deadline (evictions refused with 429 meanwhile), not much more, before the pod went.
    expect(local.sim.world.timeline.some((e) => e.type === 'pod.evicted' && e.subject === guarded)).toBe(false);
    expect(seconds(t0, fate.cordonedAt!)).toBeLessThanOrEqual(10);
    expect(seconds(t0, fate.deletedAt!)).toBeGreaterThanOrEqual(deadline);
    expect(seconds(t0, fate.deletedAt!)).toBeLessThanOrEqual(deadline + 60);
    expect(tookS).toBeLessThanOrEqual(900);

    const history = (await auditEntries(local)).filter((e) => e.detail.nodeName === nodeName);
    const drained = history.find((e) => e.event === 'heal.drained');
    expect(drained?.detail).toMatchObject({ forced: true, deadlineSeconds: deadline });
    expect(drained?.detail.deleted).toEqual([guarded]);
    expect(Number(drained?.detail.passes)).toBeGreaterThanOrEqual(deadline / config.healing.evictionRetrySeconds);
    const order = history.map((e) => e.event);
    expect(order.indexOf('heal.cordoned')).toBeLessThan(order.indexOf('heal.drained'));
    expect(order).toContain('heal.nodeDeleted');
    expect(order).toContain('heal.succeeded');
    expectHealEventsMatchCatalog(s);
    expect(nodeOf(local, nodeName)).toBeUndefined();
    expect(s.lambdaErrors).toEqual([]);
  }, 1_800_000);
});

describe('Scenario: a node Ready again before remediation starts', () => {
  it('is left alone: the heal the watcher started waits for the threshold, finds it Ready, and touches nothing', async () => {
    s = await startScenario(config, 24);
    const { local, observer } = s;
    const nodeName = await provision(local, 'gcp-amd64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const t0 = local.sim.clock.now();
    local.sim.world.setPartition([nodeName], true);
    await local.sim.clock.until(() => observer.healsOf(nodeName).length > 0, 300_000, 'a heal started by the watcher');
    const startedS = seconds(t0, observer.healsOf(nodeName)[0].startDate);
    // Back well before the 300 s threshold.
    await local.sim.clock.sleep(60_000);
    local.sim.world.setPartition([nodeName], false);
    await local.sim.clock.until(() => isReady(nodeOf(local, nodeName)), 120_000, 'the node Ready again');
    await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 900_000, 'its heals ended');
    const endedS = seconds(t0, Math.max(...observer.healsOf(nodeName).map((h) => h.stopDate ?? 0)));

    const heals = observer.healsOf(nodeName);
    expect(inputOf(heals[0])).toMatchObject({ reason: 'not-ready', source: { kind: 'watcher' } });
    for (const h of heals) expect(['left-alone', 'already-healing'], `${h.name}: ${h.cause ?? h.output}`).toContain(outputOf(h).status);
    expect(heals.filter((h) => outputOf(h).status === 'left-alone').length).toBeGreaterThanOrEqual(1);
    // It waited for the threshold (counted from the NotReady transition), then looked again.
    expect(startedS).toBeLessThanOrEqual(180);
    expect(endedS).toBeGreaterThanOrEqual(config.healing.unhealthyAfterSeconds);
    expect(endedS).toBeLessThanOrEqual(config.healing.unhealthyAfterSeconds + 180);
    expect(observer.fate(nodeName)).toEqual({});
    expect(isReady(nodeOf(local, nodeName))).toBe(true);
    expect(nodeOf(local, nodeName)?.spec?.unschedulable).toBeFalsy();
    expect(local.sim.world.getVm(vm.id)?.state).toBe('running');
    expect(provisionsSince(local, t0)).toEqual([]);
    const history = (await auditEntries(local)).filter((e) => e.detail.nodeName === nodeName).map((e) => e.event);
    expect(history).toContain('heal.waiting');
    expect(history).toContain('heal.skipped');
    expect(history.filter((e) => /^heal\.(cordoned|drained|nodeDeleted|vmTerminated)$/.test(e))).toEqual([]);
    expect(s.lambdaErrors).toEqual([]);
  }, 1_800_000);
});
