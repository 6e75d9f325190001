import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeHistoryReport } from '../../cli/commands/history.js';
import type { StatusReport } from '../../cli/commands/status.js';
import { main } from '../../cli/main.js';
import { loadConfigFile } from '../../config/load.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd history NODE` and the healing part of `shepherd status` against the local control plane running the
 * synthesized stack on the simulated clouds, through the endpoints file `shepherd local` writes: the audit entries
 * are the ones the workflows' functions wrote, the watcher's snapshot the one its scheduled passes saved. Nothing of
 * ours is mocked.
 */

const CONFIG_FILE = resolve('shepherd.config.json');
const config = loadConfigFile(CONFIG_FILE);
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const isoString = () => expect.stringMatching(new RegExp(`^${ISO}$`));
/** Kubernetes condition times have whole seconds. */
const KUBE_TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z';
let local: ShepherdLocal;
let endpointsFile: string;
const vmGoneEvents: string[] = [];
const watcherEvents: string[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  local.controlPlane.events.onPublish((_bus, event) => {
    if (event.source !== WATCHER_SOURCE) return;
    watcherEvents.push(event['detail-type']);
    if (event['detail-type'] === WATCHER_DETAIL_TYPES.nodeVmGone) vmGoneEvents.push(String((event.detail as { node: string }).node));
  });
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-operator-'));
  await local.sim.writeKubeconfig(join(dir, 'sim.kubeconfig'));
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    kubeconfig: 'sim.kubeconfig',
    configFile: CONFIG_FILE,
    pid: process.pid,
  };
  endpointsFile = join(dir, 'local.json');
  writeFileSync(endpointsFile, JSON.stringify(file));
}, 600_000);

afterAll(async () => {
  await local?.stop();
});

async function cli(...argv: string[]) {
  const ctx = captureContext();
  const code = await main(argv, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

const watcherRule = () => {
  const rule = local.controlPlane.stack.rules.find((r) => r.scheduleExpression && r.targets.some((t) => /cluster-watcher/.test(t.arn)));
  if (!rule) throw new Error('no schedule rule targets the cluster watcher');
  return rule.name;
};
const passes = () => local.controlPlane.events.deliveries.filter((d) => d.rule === watcherRule() && d.ok).length;

async function passesDone(n: number): Promise<void> {
  const target = passes() + n;
  await local.sim.clock.until(() => passes() >= target, n * 180_000, `${n} watcher pass(es)`);
}

async function run(workflow: 'provisionNode' | 'removeNode', input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn(workflow), input);
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return JSON.parse(out.output ?? '{}');
}

async function provision(pool: string): Promise<string> {
  const out = (await run('provisionNode', { pool, reason: 'operator view test' })) as { nodes: { nodeName: string }[] };
  return out.nodes[0].nodeName;
}

describe('shepherd history NODE --local', () => {
  it("prints a provisioned then removed node's audit log oldest first, as a table and as JSON", async () => {
    const node = await provision('aws-arm64');
    // The operator retires it a little later. Without the gap the order of the first two entries would rest on the local
    // Lambda clock: a function sees the simulated time its invocation started plus the real time it has run (the
    // simulated clock holds still meanwhile), so on a loaded machine a slow function's entry is stamped after that of
    // a function invoked later.
    await local.sim.clock.sleep(30_000);
    await run('removeNode', { nodeName: node, reason: 'operator view test: retire' });

    const json = await cli('history', node, '--local', '--endpoints', endpointsFile, '--json');
    expect(json.err).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as NodeHistoryReport;
    expect(report.node).toBe(node);
    expect(report.entries.map((e) => e.event)).toEqual(['node.provisioned', 'node.removal.started', 'node.removed']);
    const times = report.entries.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    for (const e of report.entries) expect(e.at).toMatch(new RegExp(`^${ISO}$`));
    const claimId = report.entries[0].detail.claimId;
    expect(report.entries[0].detail).toMatchObject({ nodeName: node, pool: 'aws-arm64', provider: 'aws', vmId: expect.stringMatching(/^i-[0-9a-f]+$/) });
    for (const e of report.entries) expect(e.detail).toMatchObject({ nodeName: node, claimId });

    const human = await cli('history', node, '--local', '--endpoints', endpointsFile);
    expect(human.code).toBe(0);
    const lines = human.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`History of node ${node} (3 entries, oldest first)`);
    expect(lines[1]).toMatch(/^TIME +EVENT +DETAILS$/);
    expect(lines[2]).toMatch(new RegExp(`^${ISO} +node\\.provisioned +pool=aws-arm64 claimId=${claimId} provider=aws vmId=i-[0-9a-f]+ `));
    // Executions by name, not by ARN; the node's name is the title, not a column.
    expect(lines[3]).toMatch(new RegExp(`^${ISO} +node\\.removal\\.started +pool=aws-arm64 claimId=${claimId} owner=[^: ]+( |$)`));
    expect(lines[4]).toMatch(new RegExp(`^${ISO} +node\\.removed +`));
    expect(human.out).not.toContain('nodeName=');
    expect(human.out).not.toContain('arn:aws:states');
  }, 600_000);

  it('says clearly when a node has no history (exit 0, empty JSON list), and asks for a node when none is given', async () => {
    expect(await cli('history', 'no-such-node', '--local', '--endpoints', endpointsFile)).toEqual({
      code: 0,
      out: `No history for node no-such-node: no audit entry in table ${local.tableName} names it. Check the name (\`kubectl get nodes\`); entries are kept 90 days.\n`,
      err: '',
    });
    const json = await cli('history', 'no-such-node', '--local', '--endpoints', endpointsFile, '--json');
    expect(JSON.parse(json.out)).toEqual({ node: 'no-such-node', entries: [] });

    const bare = await cli('history', '--local', '--endpoints', endpointsFile);
    expect(bare.code).toBe(2);
    expect(bare.err).toMatch(/^shepherd history: which node\? pass its name/);
    expect((await cli('history', 'a', 'b')).code).toBe(2);
    expect(await cli('history', 'x')).toEqual({
      code: 1,
      out: '',
      err: 'shepherd history: the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)\n',
    });
  });
});

describe('shepherd status --local: the healing view', () => {
  let gcpNode: string;

  it('shows the last watcher pass, a node whose VM was deleted out of band as unhealthy, and the heals in flight', async () => {
    // Paused, so that nothing heals the node while the test reads it (HealNode and its triggers may be deployed).
    expect((await cli('pause', '--local', '--endpoints', endpointsFile, '--reason', 'operator view test', '--by', 'test')).code).toBe(0);
    gcpNode = await provision('gcp-amd64');
    const vm = local.sim.world.listVms('gcp').find((v) => v.nodeName === gcpNode);
    expect(vm).toBeDefined();
    local.sim.world.terminateVm(vm!.id);
    await local.sim.clock.until(() => vmGoneEvents.includes(gcpNode), 600_000, 'VM gone event');

    const { code, out, err } = await cli('status', '--local', '--endpoints', endpointsFile, '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as StatusReport;
    expect(report.watcher).toEqual({ lastPassAt: isoString(), apiReachable: true, lastReachableAt: isoString(), degraded: {} });
    const row = report.unhealthy.find((u) => u.node === gcpNode);
    expect(row).toEqual({
      node: gcpNode,
      pool: 'gcp-amd64',
      provider: 'gcp',
      vmMissingSince: isoString(),
      vmGoneAt: isoString(),
      ...(row?.notReadySince ? { notReadySince: expect.stringMatching(new RegExp(`^${KUBE_TIME}$`)) } : {}),
    });
    expect(Date.parse(row!.vmGoneAt!)).toBeGreaterThanOrEqual(Date.parse(row!.vmMissingSince!));
    expect(Date.parse(report.watcher!.lastPassAt!)).toBeGreaterThanOrEqual(Date.parse(row!.vmGoneAt!));
    // HealNode is in the stack; paused, a heal the triggers start ends without touching the node.
    expect(report.heals).toMatchObject({ stateMachine: `shepherd-${config.cluster.name}-heal-node`, deployed: true });
    for (const heal of report.heals!.running)
      expect(heal).toMatchObject({ executionArn: expect.stringContaining(':execution:'), nodeName: expect.any(String) });

    const human = await cli('status', '--local', '--endpoints', endpointsFile);
    expect(human.code).toBe(0);
    const lines = human.out.split('\n');
    expect(lines[0]).toMatch(/^Remediation: paused since .* by test: operator view test$/);
    expect(lines[1]).toBe(`Watcher: last pass ${report.watcher!.lastPassAt}, cluster API reachable`);
    expect(human.out).toMatch(
      new RegExp(
        `\\nUNHEALTHY NODES\\nNODE +POOL +PROVIDER +NOT READY SINCE +VM GONE\\n(.*\\n)*${gcpNode} +gcp-amd64 +gcp +(${KUBE_TIME}|-) +${row!.vmGoneAt}\\n`,
      ),
    );
    expect(human.out).toMatch(/\nHEALS IN FLIGHT\n(\(none\)\n|EXECUTION +NODE +REASON +STARTED\n(.+\n)+)\nNODE LEASES\n/);
  }, 900_000);

  it('shows the cluster API unreachable once a watcher pass found it so (and the nodes it could not list)', async () => {
    await local.sim.setClusterApiDown(true);
    try {
      await local.sim.clock.until(() => watcherEvents.includes(WATCHER_DETAIL_TYPES.apiUnreachable), 300_000, 'the API unreachable event');
      // The pass publishes before it saves its snapshot: one more pass and the snapshot says so for sure.
      await passesDone(1);
      const { code, out, err } = await cli('status', '--local', '--endpoints', endpointsFile);
      expect(code).toBe(1);
      expect(out.split('\n')[1]).toMatch(
        new RegExp(`^Watcher: last pass ${ISO}, cluster API UNREACHABLE since ${ISO} \\(last reached ${ISO}\\): destructive healing is frozen$`),
      );
      // The watcher's memory of the unhealthy node is kept while the API is down.
      expect(out).toMatch(new RegExp(`\\nUNHEALTHY NODES\\n.*\\n(.*\\n)*${gcpNode} +`));
      expect(err).toMatch(/^shepherd status: cannot read nodes: /);
    } finally {
      await local.sim.setClusterApiDown(false);
      await cli('resume', '--local', '--endpoints', endpointsFile);
    }
  }, 600_000);
});
