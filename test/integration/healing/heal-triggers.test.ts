import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../../functions/decisions/watcher/event-types.js';
import { HEALING_SOURCE, ORPHAN_TERMINATED } from '../../../functions/healing/orphan-collection.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { EventBridgeEvent } from '../../../local/types.js';
import type { KubeObject, Vm } from '../../../sim/world/types.js';

/**
 * The heal triggers in the local control plane, against the simulated clouds: the cluster watcher on its schedule,
 * the heal intake and the orphan collector run by the stack's rules, the provider functions they invoke. Nothing of
 * ours is mocked; EventBridge delivers at least once. These scenarios need no HealNode: an orphan is terminated by
 * the collector, and a forged or malformed event must start nothing at all.
 */

/** The shipped config with a 5-minute registration deadline, so that an orphan shows within a few passes. */
function testConfig(): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.provisioning = { ...raw.provisioning, registrationTimeoutSeconds: 300 };
  return parseConfig(raw, 'test config');
}

const config = testConfig();
const BUS = `shepherd-${config.cluster.name}`;
let local: ShepherdLocal;
const published: EventBridgeEvent[] = [];
const lambdaErrors: string[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({
    config,
    seed: 5,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => {
      if (/heal-intake|orphan-collector/.test(fn) && /"level":"ERROR"/.test(line)) lambdaErrors.push(`${fn}: ${line}`);
    },
  });
  local.controlPlane.events.onPublish((bus, event) => {
    if (bus === BUS) published.push(event);
  });
}, 900_000);

afterAll(async () => {
  await local?.stop();
});

const ruleNamesTo = (fn: RegExp) => new Set(local.controlPlane.stack.rules.filter((r) => r.targets.some((t) => fn.test(t.arn))).map((r) => r.name));
const deliveriesTo = (fn: RegExp) => {
  const rules = ruleNamesTo(fn);
  return local.controlPlane.events.deliveries.filter((d) => rules.has(d.rule));
};
const healNodeExecutions = () => (healNodeArn() ? local.controlPlane.stepFunctions.listExecutions(healNodeArn()) : []);
const healNodeArn = () => Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('-heal-node'))?.[1] ?? '';
const ready = (n: KubeObject | undefined) => n?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

async function audit(event: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new ScanCommand({ TableName: local.tableName }));
  return (out.Items ?? []).filter((i) => String(i.pk).startsWith('AUDIT#') && i.event === event).map((i) => i.detail as Record<string, unknown>);
}

/** Like clock.until, for a predicate that reads over the wire. */
async function untilAsync(predicate: () => Promise<boolean>, maxMs: number, what: string): Promise<void> {
  const deadline = local.sim.clock.now() + maxMs;
  while (!(await predicate())) {
    if (local.sim.clock.now() >= deadline) throw new Error(`timed out after ${maxMs} ms (simulated) waiting for ${what}`);
    await local.sim.clock.sleep(2000);
  }
}

async function provision(pool: string): Promise<string> {
  const arn = Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('-provision-node'))![1];
  const { executionArn } = local.controlPlane.startExecution(arn, { pool });
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return (JSON.parse(out.output ?? '{}').nodes[0] as { nodeName: string }).nodeName;
}

describe('Heal triggers (local control plane, simulated clouds)', () => {
  it('an orphan VM on each cloud provider is found by the watcher and terminated by the collector', async () => {
    const started = local.sim.clock.now();
    const aws = config.providers.aws!;
    const gcp = config.providers.gcp!;
    const awsPool = config.pools.find((p) => p.name === 'aws-amd64')!;
    const gcpPool = config.pools.find((p) => p.name === 'gcp-amd64')!;
    const scwPool = config.pools.find((p) => p.provider === 'scaleway')!;
    const orphans: Vm[] = [
      local.sim.world.launchVm({
        provider: 'aws',
        zone: aws.subnets[0].zone,
        type: awsPool.instanceTypes[0],
        tags: { 'shepherd:cluster': config.cluster.name, 'shepherd:pool': awsPool.name },
        autoJoin: false,
      }),
      local.sim.world.launchVm({
        provider: 'gcp',
        zone: gcp.zones[0],
        type: gcpPool.instanceTypes[0],
        project: gcp.project,
        name: `${gcpPool.name}-0rphan0000`,
        tags: { 'shepherd-cluster': config.cluster.name, 'shepherd-pool': gcpPool.name },
        autoJoin: false,
      }),
    ];
    // A Scaleway pool node that never registers: the pool grows by one whose kubelet never joins.
    if (scwPool.join.method !== 'scaleway-pool') throw new Error('the shipped config has a scaleway-pool pool');
    local.sim.world.setNeverJoin({ provider: 'scaleway' });
    local.sim.world.resizePool(scwPool.join.poolId, 1);
    orphans.push(...local.sim.world.poolVms(scwPool.join.poolId));
    expect(orphans).toHaveLength(3);

    const live = (vm: Vm) => {
      const now = local.sim.world.getVm(vm.id);
      return now !== undefined && !['terminated', 'shutting-down', 'deleted'].includes(String(now.state));
    };
    await local.sim.clock.until(() => orphans.every((vm) => !live(vm)), 1_800_000, 'every orphan terminated');
    const took = (local.sim.clock.now() - started) / 1000;
    local.sim.world.setNeverJoin(undefined);

    // Past the 300 s registration deadline, within a few watcher passes of it.
    expect(took).toBeGreaterThanOrEqual(config.provisioning.registrationTimeoutSeconds);
    expect(took).toBeLessThanOrEqual(config.provisioning.registrationTimeoutSeconds + 240);
    const terminated = published
      .filter((e) => e.source === HEALING_SOURCE && e['detail-type'] === ORPHAN_TERMINATED)
      .map((e) => e.detail as Record<string, unknown>);
    expect(new Set(terminated.map((d) => d.provider))).toEqual(new Set(['aws', 'gcp', 'scaleway']));
    // A Scaleway pool node is known to its API by its node id. Each orphan is terminated once and nothing else is: an
    // event EventBridge delivers again while the VM is still being deleted finds the termination recorded and does
    // nothing, so there is one audit entry per orphan.
    expect((await audit('orphan.terminated')).map((d) => d.vmId).sort()).toEqual(orphans.map((vm) => vm.poolNodeId ?? vm.id).sort());
    // The Scaleway pool shrank by its orphan instead of replacing it.
    expect(local.sim.world.getPool(scwPool.join.poolId)?.size).toBe(0);
    expect(lambdaErrors).toEqual([]);
  }, 2_400_000);

  it('a forged "terminated" event for a healthy running instance changes nothing, and the intake audits why', async () => {
    const nodeName = await provision('aws-amd64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const forged: EventBridgeEvent = {
      version: '0',
      id: 'f0f0f0f0-0000-4000-8000-00000000f0f0',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: local.sim.credentials.aws.accountId,
      time: new Date(local.sim.clock.now()).toISOString(),
      region: config.providers.aws!.region,
      resources: [`arn:aws:ec2:${config.providers.aws!.region}:${local.sim.credentials.aws.accountId}:instance/${vm.id}`],
      detail: { 'instance-id': vm.id, state: 'terminated' },
    };
    const at = local.sim.clock.now();
    local.controlPlane.publish(forged);
    await local.sim.clock.until(
      () => deliveriesTo(/heal-intake/).filter((d) => d.eventId === forged.id).length > 0,
      120_000,
      'the intake got the forged event',
    );
    await untilAsync(async () => (await audit('heal.trigger.ignored')).some((d) => d.eventId === forged.id), 120_000, 'the intake audited its decision');
    await local.sim.clock.sleep(30_000);

    expect(local.sim.world.getVm(vm.id)?.state).toBe('running');
    expect(ready(local.sim.world.kube.get('nodes', undefined, nodeName))).toBe('True');
    expect(local.sim.world.kube.get('nodes', undefined, nodeName)?.spec?.unschedulable).toBeFalsy();
    expect(healNodeExecutions()).toEqual([]);
    const ignored = (await audit('heal.trigger.ignored')).filter((d) => d.eventId === forged.id);
    expect(ignored[0]).toMatchObject({ nodeName, instanceId: vm.id, why: 'stale', vmState: 'running' });
    expect((local.sim.clock.now() - at) / 1000).toBeLessThanOrEqual(180);
  }, 600_000);

  it('a malformed event on either bus crashes nothing and loops nothing: each copy is delivered once and dropped', async () => {
    const intakeBefore = deliveriesTo(/heal-intake/).length;
    const orphansBefore = deliveriesTo(/orphan-collector/).length;
    const base = {
      version: '0',
      account: local.sim.credentials.aws.accountId,
      region: config.providers.aws!.region,
      resources: [],
      time: new Date(local.sim.clock.now()).toISOString(),
    };
    const junk: { bus: string; event: EventBridgeEvent }[] = [
      {
        bus: 'default',
        event: { ...base, id: 'bad-1', source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: { 'instance-id': 'not-an-id' } },
      },
      {
        bus: 'default',
        event: { ...base, id: 'bad-2', source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'terminated' } },
      },
      { bus: BUS, event: { ...base, id: 'bad-3', source: WATCHER_SOURCE, 'detail-type': WATCHER_DETAIL_TYPES.nodeNotReady, detail: { node: 42 } } },
      { bus: BUS, event: { ...base, id: 'bad-4', source: WATCHER_SOURCE, 'detail-type': WATCHER_DETAIL_TYPES.orphanVm, detail: { vm: 'gone' } } },
    ];
    for (const { bus, event } of junk) local.controlPlane.publish(event, bus);
    const ids = new Set(junk.map((j) => j.event.id));
    await local.sim.clock.until(
      () => [...ids].every((id) => local.controlPlane.events.deliveries.some((d) => d.eventId === id)),
      120_000,
      'every malformed event delivered',
    );
    // Ten simulated minutes later nothing has come back: no retry, no redelivery loop, no heal.
    const settled = local.sim.clock.now();
    await local.sim.clock.sleep(600_000);
    expect(local.sim.clock.now() - settled).toBeGreaterThanOrEqual(600_000);
    const copies = local.controlPlane.events.deliveries.filter((d) => ids.has(d.eventId));
    expect(copies.every((d) => d.ok)).toBe(true);
    // At-least-once delivery may hand a copy over twice; never more.
    for (const id of ids) expect(copies.filter((d) => d.eventId === id).length).toBeLessThanOrEqual(2);
    expect(deliveriesTo(/heal-intake/).length - intakeBefore).toBeGreaterThanOrEqual(3);
    expect(deliveriesTo(/orphan-collector/).length - orphansBefore).toBeGreaterThanOrEqual(1);
    expect(healNodeExecutions()).toEqual([]);
    expect(lambdaErrors).toEqual([]);
  }, 1_200_000);
});
