import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import type { EventBridgeEvent } from '../../../local/types.js';
import {
  auditEntries,
  expectHealEventsMatchCatalog,
  inputOf,
  isReady,
  nodeOf,
  outputOf,
  provision,
  provisionsSince,
  type Scenario,
  seconds,
  shippedConfig,
  startScenario,
  workloadOn,
} from './heal-scenarios-support.js';

/**
 * The healing scenarios where a VM is lost, in the local control plane against the simulated clouds: the
 * synthesized stack's rules, the watcher, the heal intake and HealNode act on their own; the test only makes the
 * world unkind (a spot reclaim, a VM deleted out of band) and reads the end state of the simulated clouds and cluster,
 * with the simulated seconds it took.
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

/** Nodes of `pool` other than `except` that are Ready and carry shepherd's labels. */
function readyReplacements(pool: string, except: string) {
  const { world } = s!.local.sim;
  return world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` }).filter((n) => n.metadata.name !== except && isReady(n));
}

function expectLabelled(node: { metadata: { labels?: Record<string, string> } }, pool: string) {
  const want = config.pools.find((p) => p.name === pool)!;
  expect(node.metadata.labels).toMatchObject({ 'shepherd.io/pool': pool, 'shepherd.io/provider': want.provider, ...want.labels });
  expect(node.metadata.labels?.['shepherd.io/claim']).toMatch(/^c[0-9a-f]{25}$/);
}

describe('Scenario: spot interruption warning (EC2 on the default bus, through the heal intake)', () => {
  it('the node is cordoned and drained before EC2 reclaims the VM, and a replacement is Ready and labelled', async () => {
    s = await startScenario(config, 11);
    const { local, observer } = s;
    const pool = config.pools.find((p) => p.provider === 'aws' && p.spot)!.name;
    const nodeName = await provision(local, pool);
    const pods = await workloadOn(local, 'spot-web', pool, nodeName, 2);
    const evictable = pods().map((p) => `default/${p.metadata.name}`);
    const vm = local.sim.world.vmOfNode(nodeName)!;
    let reclaimAt = 0;
    const off = local.sim.world.on('spot-interruption', (e) => {
      if (e.vm.id === vm.id) reclaimAt = e.actionAt;
    });
    const t0 = local.sim.clock.now();
    expect(local.sim.world.reclaimSpot(vm.id)).toBe(true);
    off();

    await local.sim.clock.until(
      () => observer.fate(nodeName).deletedAt !== undefined && readyReplacements(pool, nodeName).length > 0,
      900_000,
      'the spot node healed',
    );
    await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 300_000, 'its heal ended');

    // The warning came from EC2's real envelope on the default bus and started the heal through the intake.
    const warning = s.awsEvents.find((e) => e['detail-type'] === 'EC2 Spot Instance Interruption Warning');
    expect(warning?.detail).toMatchObject({ 'instance-id': vm.id, 'instance-action': 'terminate' });
    const heals = observer.healsOf(nodeName);
    expect(heals.map((h) => h.status)).toContain('SUCCEEDED');
    const done = heals.filter((h) => outputOf(h).status === 'replaced');
    expect(done).toHaveLength(1);
    expect(inputOf(done[0])).toMatchObject({ reason: 'spot-interruption', source: { kind: 'ec2-event', id: warning?.id } });

    // Drained before the reclaim: cordoned at once, every pod evicted and the Node deleted before EC2 takes the VM.
    expect(seconds(t0, reclaimAt)).toBe(120);
    const fate = observer.fate(nodeName);
    expect(seconds(t0, fate.cordonedAt!)).toBeLessThanOrEqual(10);
    const evictions = local.sim.world.timeline.filter((e) => e.type === 'pod.evicted' && e.at >= t0 && evictable.includes(String(e.subject)));
    expect(evictions.map((e) => e.subject).sort()).toEqual([...evictable].sort());
    for (const e of evictions) expect(e.at).toBeLessThan(reclaimAt);
    expect(fate.deletedAt!).toBeLessThan(reclaimAt);

    // The replacement was started within 10 s of the warning (beside the drain), and is Ready and labelled.
    const replacementRuns = provisionsSince(local, t0);
    expect(replacementRuns).toHaveLength(1);
    expect(seconds(t0, replacementRuns[0].startDate)).toBeLessThanOrEqual(10);
    const [replacement] = readyReplacements(pool, nodeName);
    expectLabelled(replacement, pool);
    const readyAt = observer.readyReplacement(pool, nodeName, t0)!.readyAt;
    expect(seconds(t0, readyAt)).toBeLessThanOrEqual(300);
    // The old VM is gone (shepherd's terminate or EC2's reclaim, whichever came first), the new one runs.
    expect(['shutting-down', 'terminated']).toContain(local.sim.world.getVm(vm.id)?.state);
    expect(local.sim.world.vmOfNode(replacement.metadata.name)?.state).toBe('running');
    // The evicted pods run again, on the replacement.
    await local.sim.clock.until(
      () => pods().filter((p) => p.spec.nodeName === replacement.metadata.name && p.status?.phase === 'Running').length === 2,
      300_000,
      'the workload back on the replacement',
    );
    const history = (await auditEntries(local)).filter((e) => e.detail.nodeName === nodeName).map((e) => e.event);
    expect(history).toEqual(
      expect.arrayContaining(['heal.trigger.started', 'heal.started', 'heal.cordoned', 'heal.drained', 'heal.nodeDeleted', 'heal.succeeded']),
    );
    expectHealEventsMatchCatalog(s);
    expect(s.lambdaErrors).toEqual([]);
  }, 1_800_000);
});

describe('Scenario: a VM terminated out of band', () => {
  // Not yet Scaleway: a scaleway-pool claim records no node id (Scaleway picks the node), so HealNode cannot confirm
  // the VM gone and waits the NotReady threshold, and the replacement's launch does not grow a pool whose size still
  // counts the vanished node, so ProvisionNode waits for a node that never comes (see the session's report).
  it.each([
    { pool: 'aws-amd64', how: 'the EC2 Instance State-change Notification', goal: 10 },
    { pool: 'gcp-amd64', how: 'the watcher (GCE publishes no event)', goal: 180 },
  ])(
    '$pool, found by $how: the NotReady Node is deleted and replaced',
    async ({ pool, goal }) => {
      s = await startScenario(config, 12);
      const { local, observer } = s;
      const nodeName = await provision(local, pool);
      const vm = local.sim.world.vmOfNode(nodeName)!;
      const t0 = local.sim.clock.now();
      local.sim.world.terminateVm(vm.id);

      await local.sim.clock.until(
        () => observer.fate(nodeName).deletedAt !== undefined && readyReplacements(pool, nodeName).length > 0,
        1_200_000,
        `${pool} node healed`,
      );
      await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 300_000, 'its heals ended');

      const deletedS = seconds(t0, observer.fate(nodeName).deletedAt!);
      expect(deletedS).toBeLessThanOrEqual(goal);
      expect(nodeOf(local, nodeName)).toBeUndefined();
      const heals = observer.healsOf(nodeName);
      expect(heals.filter((h) => outputOf(h).status === 'replaced')).toHaveLength(1);
      // Every other heal of the same death (a second delivery, the other source) changed nothing, and none failed.
      for (const h of heals) expect(['replaced', 'already-healing', 'nothing-to-heal'], `${h.name}: ${h.cause ?? h.output}`).toContain(outputOf(h).status);
      const source = inputOf(heals.find((h) => outputOf(h).status === 'replaced')!).source?.kind;
      expect(source).toBe(pool.startsWith('aws') ? 'ec2-event' : 'watcher');

      // One replacement, Ready and labelled, on a new VM of the same provider; the pool holds one node again.
      expect(provisionsSince(local, t0)).toHaveLength(1);
      const replacements = readyReplacements(pool, nodeName);
      expect(replacements).toHaveLength(1);
      expectLabelled(replacements[0], pool);
      const newVm = local.sim.world.vmOfNode(replacements[0].metadata.name)!;
      expect(newVm).toMatchObject({ provider: vm.provider, state: 'running' });
      expect(newVm.id).not.toBe(vm.id);
      expect(seconds(t0, observer.readyReplacement(pool, nodeName, t0)!.readyAt)).toBeLessThanOrEqual(goal + 600);
      const live = local.sim.world.listVms(vm.provider).filter((v) => !['terminated', 'shutting-down', 'deleted'].includes(String(v.state)));
      expect(live.map((v) => v.id)).toEqual([newVm.id]);
      expect(s.lambdaErrors).toEqual([]);
    },
    2_400_000,
  );

  it('home lab, no API and no event: the watcher reports the NotReady Node, which is deleted after the threshold and never replaced', async () => {
    s = await startScenario(config, 13);
    const { local, observer } = s;
    const [home] = local.sim.world.listVms('home');
    await local.sim.clock.until(() => isReady(nodeOf(local, home.name)), 120_000, 'the home Node Ready');
    const nodeName = local.sim.world.getVm(home.id)!.nodeName!;
    // The home machine registered with its pool's labels (kubelet --node-labels): shepherd knows its pool by them.
    expect(nodeOf(local, nodeName)?.metadata.labels).toMatchObject(config.pools.find((p) => p.name === 'home')!.labels);
    expect(isReady(nodeOf(local, nodeName))).toBe(true);
    const t0 = local.sim.clock.now();
    local.sim.world.terminateVm(home.id);

    await local.sim.clock.until(() => observer.fate(nodeName).deletedAt !== undefined, 1_200_000, 'the home Node deleted');
    await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 300_000, 'its heals ended');
    // Not before the NotReady threshold (no API confirms the machine gone), within a few watcher passes after it.
    const deletedS = seconds(t0, observer.fate(nodeName).deletedAt!);
    expect(deletedS).toBeGreaterThanOrEqual(config.healing.unhealthyAfterSeconds);
    expect(deletedS).toBeLessThanOrEqual(config.healing.unhealthyAfterSeconds + 180);
    const done = observer.healsOf(nodeName).filter((h) => outputOf(h).status === 'deleted');
    expect(done).toHaveLength(1);
    expect(inputOf(done[0])).toMatchObject({ reason: 'not-ready', source: { kind: 'watcher' } });
    // Only deleted: no ProvisionNode, no new machine, no other home Node.
    await local.sim.clock.sleep(120_000);
    expect(provisionsSince(local, t0)).toEqual([]);
    expect(local.sim.world.listVms('home').map((v) => v.id)).toEqual([home.id]);
    expect(local.sim.world.kube.list('nodes').filter((n) => n.metadata.labels?.['shepherd.io/site'] === 'home')).toEqual([]);
    const succeeded = (await auditEntries(local, 'heal.succeeded')).filter((e) => e.detail.nodeName === nodeName);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0].detail).toMatchObject({ replaced: false, pool: 'home' });
    expect(s.lambdaErrors).toEqual([]);
  }, 2_400_000);
});

describe('Scenario: one death, reported many times', () => {
  it('the EC2 event delivered three times and the watcher reporting the same death: one heal, one replacement', async () => {
    s = await startScenario(config, 14);
    const { local, observer } = s;
    const pool = 'aws-amd64';
    const nodeName = await provision(local, pool);
    const vm = local.sim.world.vmOfNode(nodeName)!;
    // The heal that EC2's event starts is slow to look at the node (FIS-style invocation delays, each under the
    // function's timeout), so that the watcher's passes see the dead VM's Node and report it too.
    const slow = [
      local.controlPlane.faults.lambda({ state: 'Record heal started', count: 1, fault: { kind: 'delay', ms: 25_000 } }),
      local.controlPlane.faults.lambda({ state: 'Read node health', count: 1, fault: { kind: 'delay', ms: 55_000 } }),
      local.controlPlane.faults.lambda({ state: 'Assess node', count: 1, fault: { kind: 'delay', ms: 85_000 } }),
    ];
    const t0 = local.sim.clock.now();
    local.sim.world.terminateVm(vm.id);
    const stateChange = (state: string) => (e: EventBridgeEvent) =>
      e['detail-type'] === 'EC2 Instance State-change Notification' &&
      (e.detail as { 'instance-id'?: string; state?: string })['instance-id'] === vm.id &&
      (e.detail as { state?: string }).state === state;
    await local.sim.clock.until(() => s!.awsEvents.some(stateChange('shutting-down')), 60_000, "EC2's state-change event");
    const event = s.awsEvents.find(stateChange('shutting-down'))!;
    // The same event twice more, as EventBridge may hand it over (same id).
    for (const _ of [1, 2]) local.controlPlane.publish(event);

    await local.sim.clock.until(
      () => observer.fate(nodeName).deletedAt !== undefined && readyReplacements(pool, nodeName).length > 0,
      1_200_000,
      'the node healed',
    );
    // Let every copy and every watcher report land, then every heal end.
    await local.sim.clock.sleep(180_000);
    await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 300_000, 'every heal ended');
    for (const f of slow) expect(f.hits).toBe(1);

    const intakeRules = new Set(local.controlPlane.stack.rules.filter((r) => r.targets.some((t) => /heal-intake/.test(t.arn))).map((r) => r.name));
    const copies = local.controlPlane.events.deliveries.filter((d) => d.eventId === event.id && intakeRules.has(d.rule));
    expect(copies.length).toBeGreaterThanOrEqual(3);
    const heals = observer.healsOf(nodeName);
    const sources = new Set(heals.map((h) => inputOf(h).source?.kind));
    expect(sources).toEqual(new Set(['ec2-event', 'watcher']));
    // Three copies of one event start one execution (named after the event id).
    expect(heals.filter((h) => inputOf(h).source?.id === event.id)).toHaveLength(1);
    // One heal did the work; every other one found it done or under way.
    expect(heals.filter((h) => outputOf(h).status === 'replaced')).toHaveLength(1);
    for (const h of heals) expect(['replaced', 'already-healing', 'nothing-to-heal'], `${h.name}: ${h.cause ?? h.output}`).toContain(outputOf(h).status);
    expect(provisionsSince(local, t0)).toHaveLength(1);
    expect(readyReplacements(pool, nodeName)).toHaveLength(1);
    expect((await auditEntries(local, 'heal.nodeDeleted')).filter((e) => e.detail.nodeName === nodeName)).toHaveLength(1);
    expect(seconds(t0, observer.fate(nodeName).deletedAt!)).toBeLessThanOrEqual(300);
    expect(s.lambdaErrors).toEqual([]);
  }, 2_400_000);
});
