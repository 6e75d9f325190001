import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { schemaOfDetailType } from '../../../functions/decisions/watcher/event-schemas.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../../functions/decisions/watcher/event-types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { EventBridgeEvent } from '../../../local/types.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * The cluster watcher in the local control plane: its schedule rule fires on the simulated clock, the bundled
 * function lists Nodes and pending pods from the simulated API server, invokes the provider functions (EC2, GCE,
 * Scaleway against the simulated clouds) and puts its transitions on the project's bus. Nothing of ours is mocked.
 * EventBridge's at-least-once delivery is on, so a scheduled pass may run twice: events count once per transitionId,
 * as consumers dedupe them.
 */

/** The shipped config with a 5-minute registration deadline, so that an orphan shows within a few passes. */
function testConfig(): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.provisioning = { ...raw.provisioning, registrationTimeoutSeconds: 300 };
  return parseConfig(raw, 'test config');
}

const config = testConfig();
let local: ShepherdLocal;
const published: EventBridgeEvent[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 3, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  local.controlPlane.events.onPublish((bus, event) => {
    if (bus === `shepherd-${config.cluster.name}` && event.source === WATCHER_SOURCE) published.push(event);
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

const watcherRule = () => {
  const rule = local.controlPlane.stack.rules.find((r) => r.scheduleExpression && r.targets.some((t) => /cluster-watcher/.test(t.arn)));
  if (!rule) throw new Error('no schedule rule targets the cluster watcher');
  return rule.name;
};
const passes = () => local.controlPlane.events.deliveries.filter((d) => d.rule === watcherRule() && d.ok).length;

/** Waits until `n` more passes have finished. */
async function passesDone(n = 1): Promise<void> {
  const target = passes() + n;
  await local.sim.clock.until(() => passes() >= target, n * 180_000, `${n} watcher pass(es)`);
}

/** Distinct transitions (by transitionId) of one detail-type, optionally about one subject. */
function transitions(detailType: string, match: (detail: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  for (const e of published) {
    const detail = e.detail as Record<string, unknown>;
    if (e['detail-type'] === detailType && match(detail)) byId.set(String(detail.transitionId), detail);
  }
  return [...byId.values()];
}

const ready = (n: KubeObject | undefined) => n?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

async function provision(pool: string): Promise<string> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool });
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return (JSON.parse(out.output ?? '{}').nodes[0] as { nodeName: string }).nodeName;
}

describe('Function: cluster-watcher (schedule rule, local control plane, simulated clouds)', () => {
  let awsNode: string;
  let gcpNode: string;

  it('runs on its schedule, and a healthy cluster publishes nothing about its Nodes', async () => {
    awsNode = await provision('aws-amd64');
    gcpNode = await provision('gcp-amd64');
    await passesDone(2);
    expect(transitions(WATCHER_DETAIL_TYPES.nodeNotReady, (d) => d.node === awsNode || d.node === gcpNode)).toEqual([]);
    expect(transitions(WATCHER_DETAIL_TYPES.nodeVmGone)).toEqual([]);
    for (const e of published) expect(schemaOfDetailType(e['detail-type'])?.safeParse(e.detail).success, e['detail-type']).toBe(true);
  }, 300_000);

  it('a Node that goes NotReady is published once, nothing on the next pass, and Ready again once', async () => {
    local.sim.world.setPartition([awsNode], true);
    await local.sim.clock.until(() => ready(local.sim.world.kube.get('nodes', undefined, awsNode)) === 'Unknown', 120_000, 'node Unknown');
    await passesDone(1);
    const notReady = transitions(WATCHER_DETAIL_TYPES.nodeNotReady, (d) => d.node === awsNode);
    expect(notReady).toHaveLength(1);
    expect(notReady[0]).toMatchObject({ node: awsNode, provider: 'aws', pool: 'aws-amd64', ready: 'Unknown', cluster: config.cluster.name });
    await passesDone(2);
    expect(transitions(WATCHER_DETAIL_TYPES.nodeNotReady, (d) => d.node === awsNode)).toHaveLength(1);
    // Partitioned, not gone: its VM is still listed by EC2.
    expect(transitions(WATCHER_DETAIL_TYPES.nodeVmGone, (d) => d.node === awsNode)).toEqual([]);

    local.sim.world.setPartition([awsNode], false);
    await local.sim.clock.until(() => ready(local.sim.world.kube.get('nodes', undefined, awsNode)) === 'True', 120_000, 'node Ready');
    await passesDone(2);
    const readyAgain = transitions(WATCHER_DETAIL_TYPES.nodeReady, (d) => d.node === awsNode);
    expect(readyAgain).toHaveLength(1);
    expect(readyAgain[0].notReadySince).toBe(notReady[0].since);
  }, 600_000);

  it('a GCE VM deleted out of band: its Node is published as VM gone, once', async () => {
    const vm = local.sim.world.listVms('gcp').find((v) => v.nodeName === gcpNode)!;
    local.sim.world.terminateVm(vm.id);
    await local.sim.clock.until(() => transitions(WATCHER_DETAIL_TYPES.nodeVmGone, (d) => d.node === gcpNode).length > 0, 600_000, 'VM gone event');
    await passesDone(2);
    const gone = transitions(WATCHER_DETAIL_TYPES.nodeVmGone, (d) => d.node === gcpNode);
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ provider: 'gcp', cause: 'missing' });
  }, 900_000);

  it('a VM of the cluster that never gets a Node is published as an orphan once past the registration deadline', async () => {
    const aws = config.providers.aws!;
    const pool = config.pools.find((p) => p.name === 'aws-amd64')!;
    const launchedAt = local.sim.clock.now();
    const vm = local.sim.world.launchVm({
      provider: 'aws',
      zone: aws.subnets[0].zone,
      type: pool.instanceTypes[0],
      tags: { 'shepherd:cluster': config.cluster.name, 'shepherd:pool': pool.name },
      autoJoin: false,
    });
    await local.sim.clock.until(() => transitions(WATCHER_DETAIL_TYPES.orphanVm, (d) => (d.vm as { id: string }).id === vm.id).length > 0, 1_200_000, 'orphan');
    expect(local.sim.clock.now() - launchedAt).toBeGreaterThanOrEqual(config.provisioning.registrationTimeoutSeconds * 1000);
    await passesDone(2);
    const orphans = transitions(WATCHER_DETAIL_TYPES.orphanVm, (d) => (d.vm as { id: string }).id === vm.id);
    expect(orphans).toHaveLength(1);
    expect(orphans[0]).toMatchObject({ provider: 'aws', deadlineSeconds: 300 });
  }, 1_500_000);

  it('slow clouds do not stop time: passes go on while the provider functions it invokes wait on EC2 and GCE latency', async () => {
    // The watcher waits on the provider functions through Lambda's Invoke API while they wait on the clouds; before the
    // Invoke endpoint lent the caller's hold of the simulated clock, a parked cloud request froze time for good.
    local.sim.faults.set('ec2', '*', { latencyMs: 1500 });
    local.sim.faults.set('gce', '*', { latencyMs: 1500 });
    const before = passes();
    const started = local.sim.clock.now();
    await passesDone(2);
    expect(passes()).toBeGreaterThanOrEqual(before + 2);
    expect(local.sim.clock.now() - started).toBeGreaterThanOrEqual(60_000);
    local.sim.faults.clear('ec2');
    local.sim.faults.clear('gce');
  }, 300_000);

  it('the API server down: cluster API unreachable once and no Node event; reachable again once', async () => {
    const before = published.length;
    local.sim.faults.set('kube', '*', { down: true });
    // While the API server is down, a Node also loses its kubelet: the watcher cannot know, and says nothing of it.
    local.sim.world.setPartition([awsNode], true);
    await passesDone(3);
    const during = published.slice(before);
    expect(
      new Set(during.filter((e) => e['detail-type'] === WATCHER_DETAIL_TYPES.apiUnreachable).map((e) => (e.detail as { transitionId: string }).transitionId))
        .size,
    ).toBe(1);
    expect(during.filter((e) => e['detail-type'] !== WATCHER_DETAIL_TYPES.apiUnreachable)).toEqual([]);
    expect(transitions(WATCHER_DETAIL_TYPES.apiUnreachable)[0].error).toMatch(/KubeConnectionError|ECONNRESET/);

    local.sim.faults.clear('kube');
    await passesDone(2);
    expect(transitions(WATCHER_DETAIL_TYPES.apiReachable)).toHaveLength(1);
    local.sim.world.setPartition([awsNode], false);
  }, 900_000);
});
