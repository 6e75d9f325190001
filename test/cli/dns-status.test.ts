import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/commands/status.js';
import { main } from '../../cli/main.js';
import { parseConfig } from '../../config/load.js';
import { DynamoDnsAlertStore } from '../../functions/adapters/store/dns-alerts.js';
import { ownershipComment } from '../../functions/decisions/dns/ownership.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd status --local` shows each DNS entrypoint against the local control plane and the simulated clouds: the
 * records as the simulated Cloudflare lists them (through the official SDK, with the token read from the local SSM),
 * the candidate targets from the cluster and the table, and the open alerts. Nothing of ours is mocked.
 */

const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
const config = parseConfig(raw, 'test config');
const entry = config.dns!.entrypoints[0];
let local: ShepherdLocal;
let dir: string;
let endpointsFile: string;

function writeEndpoints(name: string, override: Partial<LocalEndpointsFile['endpoints']> = {}, configFile = resolve('shepherd.config.json')): string {
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints, ...override },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    kubeconfig: join(dir, 'sim.kubeconfig'),
    configFile,
    pid: process.pid,
  };
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(file));
  return path;
}

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 4, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-dns-status-'));
  await local.sim.writeKubeconfig(join(dir, 'sim.kubeconfig'));
  endpointsFile = writeEndpoints('local.json');
  // The home lab's node, the one node of the local world until something is provisioned.
  const home = local.sim.world.listVms('home')[0];
  await local.sim.clock.until(() => readyNodes().includes(home.nodeName ?? home.name), 600_000, 'the home node Ready');
}, 300_000);

const readyNodes = () =>
  local.sim.world.kube
    .list('nodes')
    .filter((n) => (n.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata.name as string);

afterAll(async () => {
  await local?.stop();
});

async function status(args: string[]) {
  const ctx = captureContext();
  const code = await main(['status', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('shepherd status (DNS entrypoints)', () => {
  it('--json: the records with their owner, every candidate target with why it does not serve, and the open alerts', async () => {
    const zone = local.sim.world.dns.zoneByName(entry.zoneName)!;
    const name = entry.records[0];
    local.sim.world.dns.createRecord(zone.id, { name, type: entry.type, content: '198.51.100.7', ttl: 300, comment: 'hand-made' });
    const home = local.sim.world.listVms('home')[0];
    const nodeName = home.nodeName ?? home.name;
    local.sim.world.kube.mutate('nodes', undefined, nodeName, (n) => {
      n.spec = { ...n.spec, unschedulable: true };
    });
    const alerts = new DynamoDnsAlertStore(
      local.tableName,
      new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
    );
    const since = '2026-11-30T12:00:00.000Z';
    await alerts.put(entry.name, 'conflict-found', { since, lastAlertAt: since }, undefined);

    const { code, out, err } = await status(['--local', '--endpoints', endpointsFile, '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as StatusReport;
    expect(report.dns.errors).toEqual([]);
    const e = report.dns.entrypoints.find((x) => x.name === entry.name)!;
    const ours = local.sim.world.dns
      .listRecords(zone.id)
      .filter((r) => entry.records.includes(r.name) && r.comment === ownershipComment(config.cluster.name, entry.name));
    expect(ours.length).toBeGreaterThan(0);
    expect(e.records).toEqual(
      expect.arrayContaining([
        ...ours.map((r) => ({ name: r.name, type: r.type, content: r.content, owner: 'this cluster' })),
        { name, type: entry.type, content: '198.51.100.7', owner: 'foreign' },
      ]),
    );
    expect(e.records).toHaveLength(ours.length + 1);
    const nodes = local.sim.world.kube.list('nodes').map((n) => n.metadata.name as string);
    expect(new Set(e.targets!.map((t) => t.node))).toEqual(new Set(nodes));
    // The home node (eligible by its home pool's labels), cordoned, with the address it would serve on.
    expect(e.targets!.find((t) => t.node === nodeName)).toMatchObject({ address: home.publicIp, ready: 'True', serves: false, excluded: 'cordoned' });
    expect(e.alerts).toEqual([{ kind: 'conflict-found', since, lastAlertAt: since }]);

    const text = await status(['--local', '--endpoints', endpointsFile]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`ENTRYPOINT ${entry.name} \\(${entry.type} in ${entry.zoneName.replace('.', '\\.')}\\)`));
    expect(text.out).toMatch(/198\.51\.100\.7 +foreign/);
    expect(text.out).toMatch(`Alerts: conflict-found since ${since}`);
    expect(text.out).toMatch(new RegExp(`${nodeName} +${home.publicIp.replace(/\./g, '\\.')} +True +- +no: cordoned`));
  }, 120_000);

  it('a missing Cloudflare token: "could not read" with the command that creates it, the rest still shown, exit 1', async () => {
    const missingArn = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/kosmos-demo/no-such-token';
    const configFile = join(dir, 'missing-token.config.json');
    writeFileSync(configFile, JSON.stringify({ ...raw, dns: { ...raw.dns, cloudflare: { apiTokenSecretArn: missingArn } } }));
    const file = writeEndpoints('missing-token.json', {}, configFile);
    const { code, out, err } = await status(['--local', '--endpoints', file]);
    expect(code).toBe(1);
    expect(out).toMatch(
      /Records:\nCloudflare records: could not read: the Cloudflare token .*no-such-token.* does not exist; create it: aws ssm put-parameter/,
    );
    expect(out).toMatch(/Targets:\nNODE/);
    expect(err).toMatch(/shepherd status: cannot read dns: Cloudflare records: could not read/);
  }, 60_000);

  it('Cloudflare unreachable: "could not read" with what to check, exit 1, and no token in the output', async () => {
    const file = writeEndpoints('no-cloudflare.json', { cloudflare: 'http://127.0.0.1:9' });
    const { code, out, err } = await status(['--local', '--endpoints', file, '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(out) as StatusReport;
    expect(report.dns.entrypoints[0].records).toBeNull();
    expect(report.dns.errors).toEqual([
      { part: 'records', message: expect.stringMatching(/could not read: .*check that the token can read DNS in zone .* and that Cloudflare is reachable/) },
    ]);
    expect(report.errors.map((e) => e.part)).toEqual(['dns']);
    expect(`${out}${err}`).not.toContain(local.sim.credentials.cloudflare.apiToken);
  }, 60_000);
});
