import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { DynamoRemediationSwitchStore } from '../../../functions/adapters/store/remediation-switch.js';
import { DNS_DETAIL_TYPES, DNS_SOURCE } from '../../../functions/decisions/dns/failover-events.js';
import { ownershipComment } from '../../../functions/decisions/dns/ownership.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { EventBridgeEvent } from '../../../local/types.js';
import type { DnsRecord } from '../../../sim/world/dns/dns-types.js';

/**
 * DnsFailover in the local control plane against the simulated clouds: the stack's rules start it on EC2's spot
 * warning, a person starts it by hand, and it talks to the simulated Cloudflare through the official SDK. Records are
 * asserted in the simulated Cloudflare and through its resolver view (what a client that cached the answer sees).
 * Heals are paused (the remediation switch): a heal's replacement node would join the entrypoint mid-scenario.
 */

const config = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
const entry = config.dns!.entrypoints[0];
const OWNER = ownershipComment(config.cluster.name, entry.name);
const BUS = `shepherd-${config.cluster.name}`;
let local: ShepherdLocal;
const published: EventBridgeEvent[] = [];
const dnsLogs: string[] = [];
let homeIp = '';

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({
    config,
    seed: 11,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => {
      if (/dns-failover/.test(fn)) dnsLogs.push(line);
    },
  });
  local.controlPlane.events.onPublish((bus, event) => {
    if (bus === BUS) published.push(event);
  });
  const doc = new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws });
  await new DynamoRemediationSwitchStore(local.tableName, doc).pause('dns-failover test', 'heals would add replacement nodes to the entrypoint');
  const home = local.sim.world.listVms('home')[0];
  homeIp = home.publicIp;
  const homeNode = home.nodeName ?? home.name;
  await local.sim.clock.until(() => ready(homeNode) === 'True', 600_000, 'the home node Ready');
  // The home machine joins by hand: its operator labels its Node with its pool, as shepherd does for the nodes it provisions.
  local.sim.world.kube.mutate('nodes', undefined, homeNode, (n) => {
    n.metadata.labels = { ...n.metadata.labels, 'shepherd.io/pool': 'home' };
  });
}, 900_000);

afterAll(async () => {
  await local?.stop();
});

const ready = (name: string) =>
  (local.sim.world.kube.get('nodes', undefined, name)?.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')
    ?.status;
const zoneId = () => local.sim.world.dns.zoneByName(entry.zoneName)!.id;
const recordsAt = (name: string): DnsRecord[] => local.sim.world.dns.listRecords(zoneId()).filter((r) => r.name === name && r.type === entry.type);
const ours = (name: string) =>
  recordsAt(name)
    .filter((r) => r.comment === OWNER)
    .map((r) => r.content)
    .sort();
const dnsArn = () => local.stateMachineArn('dnsFailover');
const dnsEvents = (detailType: string) => published.filter((e) => e.source === DNS_SOURCE && e['detail-type'] === detailType);

async function runByHand(input: unknown = { reason: 'test' }) {
  const { executionArn } = local.controlPlane.startExecution(dnsArn(), input);
  const out = await local.controlPlane.waitForExecution(executionArn);
  return { ...out, executionArn };
}

async function audit(event: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new ScanCommand({ TableName: local.tableName }));
  return (out.Items ?? []).filter((i) => String(i.pk).startsWith('AUDIT#') && i.event === event).map((i) => i.detail as Record<string, unknown>);
}

async function provision(pool: string): Promise<string> {
  const arn = local.stateMachineArn('provisionNode');
  const { executionArn } = local.controlPlane.startExecution(arn, { pool });
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return (JSON.parse(out.output ?? '{}').nodes[0] as { nodeName: string }).nodeName;
}

function statesEntered(executionArn: string): string[] {
  return local.controlPlane.stepFunctions
    .history(executionArn)
    .map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name)
    .filter((n): n is string => n !== undefined);
}

function setCordoned(names: string[], cordoned: boolean) {
  for (const name of names) {
    local.sim.world.kube.mutate('nodes', undefined, name, (n) => {
      n.spec = { ...n.spec, unschedulable: cordoned };
    });
  }
}

describe('Workflow: DnsFailover (local control plane, simulated Cloudflare)', () => {
  it('a spot warning on an entrypoint node: its address leaves DNS, for every client, before the VM is reclaimed', async () => {
    const nodeName = await provision('aws-arm64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    expect(vm.spot).toBe(true);
    const first = await runByHand();
    expect(first.status, first.cause).toBe('SUCCEEDED');
    for (const name of entry.records) expect(ours(name)).toEqual([homeIp, vm.publicIp].sort());

    const warnedAt = local.sim.clock.now();
    expect(local.sim.world.reclaimSpot(vm.id, 120_000)).toBe(true);
    await local.sim.clock.until(() => entry.records.every((n) => !ours(n).includes(vm.publicIp)), 120_000, 'the spot node out of DNS');
    const changedAt = local.sim.clock.now();
    // Still running: the address left before the VM did.
    expect(local.sim.world.getVm(vm.id)?.state).toBe('running');
    console.log(`announced loss: spot warning -> records changed in ${(changedAt - warnedAt) / 1000} s (simulated)`);
    const reclaimAt = warnedAt + 120_000;
    for (const name of entry.records) {
      expect(ours(name)).toEqual([homeIp]);
      // At the reclaim, a client that last asked at any time from a minute before the warning on (its cached answer
      // living out the TTL) resolves to the healthy home node only.
      for (let asked = warnedAt - 60_000; asked <= reclaimAt; asked += 5_000) {
        expect(local.sim.world.dns.resolve(name, entry.type, { at: reclaimAt, lastQueriedAt: asked }).contents, `asked at ${asked - warnedAt} ms`).toEqual([
          homeIp,
        ]);
      }
    }
    const changed = (await audit('dns.records.changed')).filter((d) => String(d.why).includes(vm.id));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed[0]).toMatchObject({
      entrypoint: entry.name,
      removed: expect.arrayContaining([expect.objectContaining({ address: vm.publicIp, reason: 'going-away' })]),
    });
    expect(dnsEvents(DNS_DETAIL_TYPES.recordsChanged).some((e) => JSON.stringify(e.detail).includes(vm.id))).toBe(true);
  }, 1_800_000);

  it('no healthy target: the records stay as they are and an alert is published', async () => {
    const before = entry.records.map((n) => recordsAt(n).map((r) => `${r.id}=${r.content}`));
    const eligible = local.sim.world.kube
      .list('nodes')
      .filter((n) => ['home', 'aws-amd64', 'aws-arm64'].includes(n.metadata.labels?.['shepherd.io/pool'] ?? ''))
      .map((n) => n.metadata.name as string);
    setCordoned(eligible, true);
    const alertsBefore = dnsEvents(DNS_DETAIL_TYPES.noHealthyTarget).length;
    const auditsBefore = (await audit('dns.no-healthy-target')).length;
    const run = await runByHand({ entrypoints: [entry.name], reason: 'every entrypoint node cordoned' });
    // The condition lasts: a second run finds it again, audits it, and publishes no second alert.
    const second = await runByHand({ entrypoints: [entry.name], reason: 'still every entrypoint node cordoned' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(entry.records.map((n) => recordsAt(n).map((r) => `${r.id}=${r.content}`))).toEqual(before);
    const alerts = dnsEvents(DNS_DETAIL_TYPES.noHealthyTarget).slice(alertsBefore);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].detail).toMatchObject({ entrypoint: entry.name, kept: Object.fromEntries(entry.records.map((n) => [n, [homeIp]])), repeat: false });
    expect((await audit('dns.no-healthy-target')).length).toBe(auditsBefore + 2);
    // Once a node may serve again, the next run publishes the alert's end, once.
    setCordoned(eligible, false);
    const resolvedBefore = dnsEvents(DNS_DETAIL_TYPES.alertResolved).length;
    const third = await runByHand({ entrypoints: [entry.name], reason: 'nodes uncordoned' });
    expect(third.status, third.cause).toBe('SUCCEEDED');
    const resolved = dnsEvents(DNS_DETAIL_TYPES.alertResolved).slice(resolvedBefore);
    expect(resolved.map((e) => e.detail)).toEqual([
      expect.objectContaining({ entrypoint: entry.name, alert: 'no-healthy-target', since: (alerts[0].detail as { since: string }).since }),
    ]);
  }, 600_000);

  it('a foreign record at an entrypoint name is never touched, and the conflict is reported', async () => {
    const name = entry.records[entry.records.length - 1];
    const foreign = local.sim.world.dns.createRecord(zoneId(), { name, type: entry.type, content: '198.51.100.7', ttl: 300, comment: 'hand-made' });
    const conflictsBefore = dnsEvents(DNS_DETAIL_TYPES.conflictFound).length;
    const run = await runByHand();
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const still = recordsAt(name).find((r) => r.id === foreign.id);
    expect(still).toMatchObject({ content: '198.51.100.7', ttl: 300, comment: 'hand-made' });
    expect(ours(name)).toEqual([homeIp]);
    const conflicts = dnsEvents(DNS_DETAIL_TYPES.conflictFound).slice(conflictsBefore);
    expect(conflicts.length).toBeGreaterThan(0);
    expect(JSON.stringify(conflicts[0].detail)).toContain(foreign.id);
    local.sim.world.dns.deleteRecord(zoneId(), foreign.id);
  }, 600_000);

  it('Cloudflare answers 429 with retry-after: the run waits in a Wait state, then converges with no duplicate', async () => {
    const name = entry.records[0];
    // Someone deleted our record: the run must create exactly one again.
    for (const r of recordsAt(name).filter((x) => x.comment === OWNER)) local.sim.world.dns.deleteRecord(zoneId(), r.id);
    local.sim.faults.set('cloudflare', '*', { rateLimit: { capacity: 1, refillPerSecond: 0.001 } });
    const { executionArn } = local.controlPlane.startExecution(dnsArn(), { reason: 'throttled' });
    await local.sim.clock.until(() => statesEntered(executionArn).includes('Wait for retry-after'), 120_000, 'the run waiting for retry-after');
    const waitedFrom = local.sim.clock.now();
    local.sim.faults.set('cloudflare', '*', { rateLimit: { capacity: 1200, refillPerSecond: 4 } });
    const out = await local.controlPlane.waitForExecution(executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    // Cloudflare blocks a throttled token for 5 minutes: the retry-after it sent.
    expect(local.sim.clock.now() - waitedFrom).toBeGreaterThanOrEqual(250_000);
    for (const n of entry.records) expect(ours(n)).toEqual([homeIp]);
  }, 900_000);

  it('Cloudflare answers 5xx: the pass is retried from fresh reads and creates no duplicate', async () => {
    const name = entry.records[0];
    for (const r of recordsAt(name).filter((x) => x.comment === OWNER)) local.sim.world.dns.deleteRecord(zoneId(), r.id);
    local.sim.faults.set('cloudflare', 'dns_records.batch', { errorRate: 1 });
    const { executionArn } = local.controlPlane.startExecution(dnsArn(), { reason: '5xx' });
    await local.sim.clock.sleep(3_000);
    local.sim.faults.set('cloudflare', 'dns_records.batch', { errorRate: 0 });
    const out = await local.controlPlane.waitForExecution(executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const retried = local.controlPlane.stepFunctions.history(executionArn).filter((e) => e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed');
    expect(retried.length).toBeGreaterThan(0);
    for (const n of entry.records) expect(ours(n)).toEqual([homeIp]);
  }, 600_000);

  it('two runs at once end in the right records', async () => {
    const name = entry.records[0];
    for (const r of recordsAt(name).filter((x) => x.comment === OWNER)) local.sim.world.dns.deleteRecord(zoneId(), r.id);
    const a = local.controlPlane.startExecution(dnsArn(), { reason: 'run a' });
    const b = local.controlPlane.startExecution(dnsArn(), { reason: 'run b' });
    const [outA, outB] = await Promise.all([local.controlPlane.waitForExecution(a.executionArn), local.controlPlane.waitForExecution(b.executionArn)]);
    expect(outA.status, outA.cause).toBe('SUCCEEDED');
    expect(outB.status, outB.cause).toBe('SUCCEEDED');
    for (const n of entry.records) expect(ours(n)).toEqual([homeIp]);
  }, 600_000);

  it('bad input fails InvalidInput naming the field, and no log line of the function carries the Cloudflare token', async () => {
    const run = await runByHand({ entrypoints: ['nope'] });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.cause).toMatch(/^"entrypoints": "nope" is not an entrypoint of the config/);
    expect(dnsLogs.length).toBeGreaterThan(0);
    expect(dnsLogs.filter((l) => l.includes(local.sim.credentials.cloudflare.apiToken))).toEqual([]);
  }, 300_000);
});
