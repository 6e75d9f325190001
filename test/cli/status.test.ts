import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/commands/status.js';
import type { LocalEndpoints } from '../../cli/local-endpoints.js';
import { main } from '../../cli/main.js';
import minimal from '../../config/examples/minimal.json' with { type: 'json' };
import { DynamoWatcherSnapshotStore } from '../../functions/adapters/store/watcher-snapshot.js';
import { emptySnapshot } from '../../functions/decisions/watcher/types.js';
import { type Sim, startSim } from '../../sim/index.js';
import { readyStatus } from '../../sim/world/cluster/status.js';
import { createClaimsTable } from '../helpers/claims-table.js';
import { captureContext } from './capture.js';

const TABLE = 'ShepherdTable';
const credentials = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local-secret' };

let sim: Sim;
let db: Server;
let sfn: Server;
let dir: string;
let endpointsFile: string;
let kubeconfigFile: string;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-status-'));
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
  sim.world.addHomeMachine('nuc-1');
  // nuc-2 carries only its pool's labels (kubelet --node-labels), as a home machine shepherd did not provision.
  sim.world.addHomeMachine('nuc-2', 'nuc', 'home-1', { 'shepherd.io/site': 'home' });
  await sim.clock.until(() => ['nuc-1', 'nuc-2'].every((n) => isReady(n)), 120_000, 'home nodes Ready');
  kubeconfigFile = join(dir, 'sim.kubeconfig');
  await sim.writeKubeconfig(kubeconfigFile);
  // The labels the cluster-nodes handler sets on a node it provisioned.
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const labels = {
    'shepherd.io/pool': 'home-lab',
    'shepherd.io/provider': 'home',
    'topology.kubernetes.io/zone': 'home-1',
    'node.kubernetes.io/instance-type': 'nuc',
  };
  await kc.makeApiClient(CoreV1Api).patchNode({ name: 'nuc-1', body: { metadata: { labels } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

  db = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
  const dynamodb = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  await seedTable(dynamodb);
  sfn = await startStepFunctions();

  configFile = join(dir, 'shepherd.config.json');
  const homePool = {
    name: 'home-lab',
    provider: 'home',
    instanceTypes: ['nuc'],
    arch: 'amd64',
    max: 4,
    join: { method: 'none' },
    labels: { 'shepherd.io/site': 'home' },
  };
  writeFileSync(configFile, JSON.stringify({ ...minimal, pools: [...minimal.pools, homePool] }));
  endpointsFile = join(dir, 'local.json');
  const local: LocalEndpoints = {
    ready: true,
    endpoints: {
      stepfunctions: `http://127.0.0.1:${(sfn.address() as AddressInfo).port}`,
      dynamodb,
      eventbridge: 'http://127.0.0.1:9',
      secretsmanager: 'http://127.0.0.1:9',
      kube: sim.endpoints.kube,
    },
    region: 'eu-west-3',
    credentials,
    tableName: TABLE,
    // Relative: resolved against the endpoints file's folder.
    kubeconfig: 'sim.kubeconfig',
    configFile: 'shepherd.config.json',
  };
  writeFileSync(endpointsFile, JSON.stringify(local));
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((resolve) => (db ? db.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (sfn ? sfn.close(() => resolve()) : resolve()));
});

const HEAL_MACHINE = 'arn:aws:states:eu-west-3:123456789012:stateMachine:shepherd-minimal-heal-node';
const execution = (name: string) => `arn:aws:states:eu-west-3:123456789012:execution:shepherd-minimal-heal-node:${name}`;

/**
 * A loopback server speaking the Step Functions API (AWS JSON 1.0, X-Amz-Target AWSStepFunctions.<Operation>, epoch
 * seconds) for AWS: the heal-node state machine among others, with two running executions (one whose input is not
 * HealNode's) and a finished one.
 */
async function startStepFunctions(): Promise<Server> {
  const machines = [
    {
      name: 'shepherd-minimal-provision-node',
      stateMachineArn: HEAL_MACHINE.replace('heal-node', 'provision-node'),
      type: 'STANDARD',
      creationDate: 1767225000,
    },
    { name: 'shepherd-minimal-heal-node', stateMachineArn: HEAL_MACHINE, type: 'STANDARD', creationDate: 1767225000 },
  ];
  const executions = [
    { name: 'watcher-nuc-2', status: 'RUNNING', startDate: 1767226000, input: JSON.stringify({ nodeName: 'nuc-2', reason: 'not-ready' }) },
    { name: 'by-hand', status: 'RUNNING', startDate: 1767225900, input: 'not json' },
    { name: 'old', status: 'SUCCEEDED', startDate: 1767220000, input: JSON.stringify({ nodeName: 'nuc-9', reason: 'vm-gone' }) },
  ].map((e) => ({ ...e, executionArn: execution(e.name), stateMachineArn: HEAL_MACHINE }));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const op = String(req.headers['x-amz-target']).replace('AWSStepFunctions.', '');
      const r = JSON.parse(body || '{}');
      const answer = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(payload));
      };
      if (op === 'ListStateMachines') return answer(200, { stateMachines: machines });
      if (op === 'ListExecutions') {
        const of = executions.filter((e) => e.stateMachineArn === r.stateMachineArn && (!r.statusFilter || e.status === r.statusFilter));
        return answer(200, { executions: of.map(({ input: _i, ...e }) => e) });
      }
      const found = executions.find((e) => e.executionArn === r.executionArn);
      if (op === 'DescribeExecution' && found) return answer(200, found);
      answer(400, { __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', message: `no ${op} for ${body}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function isReady(name: string): boolean {
  const node = sim.world.kube.get('nodes', undefined, name);
  return node !== undefined && readyStatus(node) === 'True';
}

/** Items as the claims handler writes them: a pool counter, an active and a released claim, an audit entry. */
async function seedTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-3', credentials });
  await createClaimsTable(client, TABLE);
  const doc = DynamoDBDocumentClient.from(client);
  const items = [
    { pk: 'POOL#home-lab', sk: 'STATE', claims: { 'c-2': 1 }, active: 1 },
    {
      pk: 'CLAIM#c-1',
      sk: 'CLAIM',
      claimId: 'c-1',
      pool: 'home-lab',
      owner: 'exec-1',
      status: 'released',
      reason: 'scale up',
      releaseReason: 'node did not register within 900 s',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:15:00.000Z',
      expiresAt: 1769817600,
    },
    {
      pk: 'CLAIM#c-2',
      sk: 'CLAIM',
      claimId: 'c-2',
      pool: 'home-lab',
      owner: 'exec-2',
      status: 'active',
      reason: 'scale up',
      vm: { provider: 'home', id: 'home-nuc-1', name: 'nuc-1', zone: 'home-1', region: 'home', type: 'nuc' },
      nodeName: 'nuc-1',
      createdAt: '2026-01-01T01:00:00.000Z',
      updatedAt: '2026-01-01T01:05:00.000Z',
    },
    { pk: 'AUDIT#2026-01-01', sk: '2026-01-01T01:05:00.000Z#abc', event: 'node.provisioned', detail: { claimId: 'c-2' } },
  ];
  for (const Item of items) await doc.send(new PutCommand({ TableName: TABLE, Item }));
  // The watcher's snapshot as its pass saves it: nuc-2 NotReady, a Node without its VM, a degraded region.
  const snapshot = {
    ...emptySnapshot(),
    api: { lastReachableAt: '2026-01-01T02:00:00.000Z' },
    nodes: {
      'nuc-2': { notReadySince: '2026-01-01T01:50:00Z' },
      'gone-1': { notReadySince: '2026-01-01T01:40:00Z', vmMissingSince: '2026-01-01T01:42:00.000Z', vmGoneAt: '2026-01-01T01:43:00.000Z' },
      'lagging-1': { vmMissingSince: '2026-01-01T02:00:00.000Z' },
    },
    degraded: { 'gcp/europe-west1': '2026-01-01T01:45:00.000Z' },
  };
  expect(await new DynamoWatcherSnapshotStore(TABLE, client).save(snapshot, { snapshot: emptySnapshot(), generation: 0 }, '2026-01-01T02:00:00.000Z')).toBe(
    'saved',
  );
  client.destroy();
}

describe('shepherd status', () => {
  it('--local --json: pools with their claim counts, recent claims newest first, nodes with shepherd labels, the watcher pass, unhealthy nodes, running heals', async () => {
    const ctx = captureContext();
    const code = await main(['status', '--local', '--endpoints', endpointsFile, '--json'], ctx);
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(ctx.out()) as StatusReport;
    expect(report.errors).toEqual([]);
    expect(report.remediation).toEqual({ paused: false });
    expect(report.leases).toEqual([]);
    expect(report.pools).toEqual([
      { name: 'aws-amd64', provider: 'aws', role: 'worker', min: 0, max: 3, activeClaims: 0 },
      { name: 'home-lab', provider: 'home', role: 'worker', min: 0, max: 4, activeClaims: 1 },
    ]);
    expect(report.claims.map((c) => [c.claimId, c.status, c.nodeName, c.releaseReason])).toEqual([
      ['c-2', 'active', 'nuc-1', undefined],
      ['c-1', 'released', undefined, 'node did not register within 900 s'],
    ]);
    expect(report.claims[0]).not.toHaveProperty('pk');
    expect(report.nodes).toEqual([
      { name: 'nuc-1', ready: 'True', pool: 'home-lab', provider: 'home', zone: 'home-1', instanceType: 'nuc' },
      // In its pool by the pool's labels, as healing and DNS count it (poolOfNode).
      { name: 'nuc-2', ready: 'True', pool: 'home-lab', provider: 'home' },
    ]);
    expect(report.watcher).toEqual({
      lastPassAt: '2026-01-01T02:00:00.000Z',
      apiReachable: true,
      lastReachableAt: '2026-01-01T02:00:00.000Z',
      degraded: { 'gcp/europe-west1': '2026-01-01T01:45:00.000Z' },
    });
    // NotReady longest first, then the one only missing from a list; labels joined from the cluster's Nodes.
    expect(report.unhealthy).toEqual([
      { node: 'gone-1', notReadySince: '2026-01-01T01:40:00Z', vmMissingSince: '2026-01-01T01:42:00.000Z', vmGoneAt: '2026-01-01T01:43:00.000Z' },
      { node: 'nuc-2', pool: 'home-lab', provider: 'home', notReadySince: '2026-01-01T01:50:00Z' },
      { node: 'lagging-1', vmMissingSince: '2026-01-01T02:00:00.000Z' },
    ]);
    // Running ones only, oldest first; node and reason from HealNode's input when it is HealNode's.
    expect(report.heals).toEqual({
      stateMachine: 'shepherd-minimal-heal-node',
      deployed: true,
      running: [
        { execution: 'by-hand', executionArn: execution('by-hand'), startDate: '2026-01-01T00:05:00.000Z' },
        { execution: 'watcher-nuc-2', executionArn: execution('watcher-nuc-2'), startDate: '2026-01-01T00:06:40.000Z', nodeName: 'nuc-2', reason: 'not-ready' },
      ],
    });
  });

  it('prints tables, and still shows what it could read when the cluster is unreachable (exit 1)', async () => {
    const ctx = captureContext();
    const missing = join(dir, 'absent.kubeconfig');
    const code = await main(['status', '--local', '--endpoints', endpointsFile, '--kubeconfig', missing, '--claims', '1'], ctx);
    expect(code).toBe(1);
    const out = ctx.out();
    expect(out).toMatch(
      /^Remediation: active\nWatcher: last pass 2026-01-01T02:00:00.000Z, cluster API reachable\nDegraded: gcp\/europe-west1 since 2026-01-01T01:45:00.000Z\n\nPOOLS\nPOOL +PROVIDER +ROLE +MIN +MAX +CLAIMS\naws-amd64 +aws +worker +0 +3 +0\nhome-lab +home +worker +0 +4 +1\n/,
    );
    expect(out).toMatch(
      /RECENT CLAIMS\nCLAIM +POOL +STATUS +NODE +VM +UPDATED +RELEASED BECAUSE\nc-2 +home-lab +active +nuc-1 +home-nuc-1 +2026-01-01T01:05:00.000Z +-\n\n/,
    );
    expect(out).not.toMatch(/^c-1 /m);
    expect(out).toContain(
      [
        `\nNODES\n(could not read: cannot read kubeconfig ${missing} (ENOENT); pass --kubeconfig PATH or set KUBECONFIG)\n`,
        'UNHEALTHY NODES',
        'NODE       POOL  PROVIDER  NOT READY SINCE       VM GONE',
        'gone-1     -     -         2026-01-01T01:40:00Z  2026-01-01T01:43:00.000Z',
        'nuc-2      -     -         2026-01-01T01:50:00Z  -',
        'lagging-1  -     -         -                     not listed since 2026-01-01T02:00:00.000Z',
        '',
        'HEALS IN FLIGHT',
        'EXECUTION      NODE   REASON     STARTED',
        'by-hand        -      -          2026-01-01T00:05:00.000Z',
        'watcher-nuc-2  nuc-2  not-ready  2026-01-01T00:06:40.000Z',
        '',
        'NODE LEASES\n(none)\n',
      ].join('\n'),
    );
    expect(out.endsWith('NODE LEASES\n(none)\n')).toBe(true);
    expect(ctx.err()).toBe(`shepherd status: cannot read nodes: cannot read kubeconfig ${missing} (ENOENT); pass --kubeconfig PATH or set KUBECONFIG\n`);
  });

  it('without --local or a table name: nodes from the kubeconfig, claims reported unreadable', async () => {
    const ctx = captureContext({ KUBECONFIG: kubeconfigFile });
    const code = await main(['status', '--config', configFile, '--json'], ctx);
    expect(code).toBe(1);
    const report = JSON.parse(ctx.out()) as StatusReport;
    expect(report.pools.map((p) => p.activeClaims)).toEqual([null, null]);
    expect(report.nodes.map((n) => n.name)).toEqual(['nuc-1', 'nuc-2']);
    const unknownTable = expect.stringMatching(/^the table name is unknown; pass --table NAME or set SHEPHERD_TABLE/);
    expect(report.errors).toEqual([
      { part: 'claims', message: unknownTable },
      { part: 'remediation', message: unknownTable },
      { part: 'watcher', message: unknownTable },
      // No AWS region in this environment: Step Functions cannot be asked.
      { part: 'heals', message: expect.any(String) },
    ]);
    expect(report.remediation).toBeNull();
    expect(report.watcher).toBeNull();
    expect(report.heals).toBeNull();
  });

  it('without --local, AWS_REGION or a table name: each part it could not read says so and why, naming AWS_REGION', async () => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(dir, 'no-aws-config');
    try {
      const ctx = captureContext({ KUBECONFIG: kubeconfigFile });
      expect(await main(['status', '--config', configFile], ctx)).toBe(1);
      const out = ctx.out();
      const noTable = '(could not read: the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName))';
      expect(out).toContain(`Remediation: ? ${noTable}\nWatcher: ? ${noTable}\n`);
      expect(out).toContain(`\nRECENT CLAIMS\n${noTable}\n`);
      expect(out).toContain(`\nUNHEALTHY NODES\n${noTable}\n`);
      expect(out).toContain(`\nNODE LEASES\n${noTable}\n`);
      expect(out).toContain('\nHEALS IN FLIGHT\n(could not read: no AWS region: set AWS_REGION');
      expect(out).not.toContain('(none)');
      expect(ctx.err()).toContain('shepherd status: cannot read heals: no AWS region: set AWS_REGION');
      expect(ctx.err()).not.toContain('Region is missing');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
