import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WATCHER_DETAIL_TYPES } from '../../../functions/decisions/watcher/event-types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import {
  auditEntries,
  healExecutions,
  inputOf,
  isReady,
  nodeOf,
  outputOf,
  provision,
  type Scenario,
  shippedConfig,
  startScenario,
} from './heal-scenarios-support.js';

/**
 * Healing and a node's arrival, in the local control plane against the simulated clouds: a node ProvisionNode brings
 * up registers NotReady until its kubelet and CNI are ready, which is no failure to heal; and a home machine whose
 * Node a heal deleted while its site was dark registers again when the power returns (its kubelet starts with it).
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

describe('Healing and node arrival (local control plane, simulated clouds)', () => {
  it('a new node the watcher sees NotReady while it joins starts no heal: no HealNode execution, none FAILED, the intake audits why', async () => {
    s = await startScenario(config, 31);
    const { local } = s;
    // A CNI that takes 150 s to come up (a slow image pull): the watcher's 1-minute passes certainly see the new Node
    // NotReady while it joins, unlabelled at first, then labelled by ProvisionNode.
    local.sim.world.cluster.options.nodeReadyDelayMs = 150_000;
    const before = healExecutions(local).map((e) => e.executionArn);
    const nodeName = await provision(local, 'aws-amd64');
    expect(isReady(nodeOf(local, nodeName))).toBe(true);
    // Three more passes over the Ready node, and time for anything started to run.
    await local.sim.clock.sleep(240_000);

    const heals = healExecutions(local).filter((e) => !before.includes(e.executionArn));
    expect(heals.filter((e) => inputOf(e).nodeName === nodeName).map((e) => `${e.status} ${e.cause ?? ''}`)).toEqual([]);
    expect(heals.filter((e) => e.status === 'FAILED').map((e) => `${inputOf(e).nodeName}: ${e.cause}`)).toEqual([]);
    // The watcher did see it NotReady while it joined, and said it had never been Ready.
    const notReady = s.published.filter((e) => e['detail-type'] === WATCHER_DETAIL_TYPES.nodeNotReady && (e.detail as { node?: string }).node === nodeName);
    expect(notReady.map((e) => e.detail)).toEqual([expect.objectContaining({ node: nodeName, ready: 'False', neverReady: true })]);
    const history = (await auditEntries(local)).filter((e) => e.detail.nodeName === nodeName);
    expect(history.filter((e) => e.event.startsWith('heal.')).map((e) => [e.event, e.detail.why])).toEqual([['heal.trigger.ignored', 'still-joining']]);
    expect(history.map((e) => e.event)).toContain('node.provisioned');
    expect(s.lambdaErrors).toEqual([]);
  }, 1_800_000);

  it('provider-dark home for 10 minutes: the heal deletes home-1, and when the power returns home-1 registers again and is Ready', async () => {
    s = await startScenario(config, 32);
    const { local, observer } = s;
    const home = config.pools.find((p) => p.provider === 'home')!;
    const nodeName = `${home.name}-1`;
    await local.sim.clock.until(() => isReady(nodeOf(local, nodeName)), 120_000, `${nodeName} Ready`);
    const darkAt = local.sim.clock.now();
    local.sim.world.setProviderDark('home', true);
    await local.sim.clock.until(() => nodeOf(local, nodeName) === undefined, 900_000, `${nodeName} deleted by its heal`);
    await local.sim.clock.until(() => observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING'), 300_000, 'its heal ended');
    const heals = observer.healsOf(nodeName).map((h) => ({ status: h.status, outcome: outputOf(h).status }));
    expect(heals.filter((h) => h.status === 'SUCCEEDED').length, JSON.stringify(heals)).toBeGreaterThanOrEqual(1);
    const audited = (await auditEntries(local, 'heal.nodeDeleted')).filter((e) => e.detail.nodeName === nodeName);
    expect(audited).toHaveLength(1);
    await local.sim.clock.sleep(Math.max(0, darkAt + 600_000 - local.sim.clock.now()));

    local.sim.world.setProviderDark('home', false);
    await local.sim.clock.until(() => nodeOf(local, nodeName) !== undefined, 5_000, `${nodeName} registered again`);
    expect(nodeOf(local, nodeName)?.metadata.labels).toMatchObject(home.labels ?? {});
    await local.sim.clock.until(() => isReady(nodeOf(local, nodeName)), 120_000, `${nodeName} Ready again`);
    // Its coming back NotReady starts no heal: it was never Ready since it registered again.
    await local.sim.clock.sleep(180_000);
    expect(isReady(nodeOf(local, nodeName))).toBe(true);
    expect(
      healExecutions(local)
        .filter((e) => e.status === 'FAILED')
        .map((e) => `${inputOf(e).nodeName}: ${e.cause}`),
    ).toEqual([]);
    expect(s.lambdaErrors).toEqual([]);
  }, 2_400_000);
});
