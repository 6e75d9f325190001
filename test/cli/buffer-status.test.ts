import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/commands/status.js';
import { main } from '../../cli/main.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { addWorkload } from '../../sim/scenarios.js';
import { bufferConfig, podsOf, poolNodes, ready, unschedulable, watcherEvent, withoutSampleWorkload } from '../helpers/scale-buffer-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd status --local` with buffer pools: the synthesized stack's ScaleBuffer runs on the simulated clouds, then
 * the command reads the cluster, ScaleBuffer's memory and the audit log through the endpoints file `shepherd local`
 * writes. Nothing of ours is mocked.
 */

// GCE's pool first (its nodes take one 1-CPU pod each). The watcher is off: this test
// starts ScaleBuffer itself (the triggers have their own tests), so no run of the watcher's races with it.
const base = bufferConfig({
  pools: [
    { pool: 'gcp-amd64', allocatable: { cpu: '1900m', memory: '7936Mi' }, hourlyCost: 0.08 },
    { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.04 },
  ],
});
const config = { ...base, watcher: { ...base.watcher, enabled: false } };
let local: ShepherdLocal;
let endpointsFile: string;

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  withoutSampleWorkload(local);
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-buffers-'));
  writeFileSync(join(dir, 'shepherd.config.json'), JSON.stringify(config));
  await local.sim.writeKubeconfig(join(dir, 'sim.kubeconfig'));
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints, chaos: local.chaos.url },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    chaosToken: local.chaos.token,
    kubeconfig: 'sim.kubeconfig',
    configFile: 'shepherd.config.json',
    pid: process.pid,
  };
  endpointsFile = join(dir, 'local.json');
  writeFileSync(endpointsFile, JSON.stringify(file));
}, 600_000);

afterAll(async () => {
  await local?.stop();
});

async function run(input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), input);
  const out = await local.controlPlane.waitForExecution(executionArn);
  expect(out.status, out.cause).toBe('SUCCEEDED');
  return JSON.parse(out.output ?? '{}');
}

async function status(json: boolean) {
  const ctx = captureContext();
  const code = await main(['status', '--local', '--endpoints', endpointsFile, ...(json ? ['--json'] : [])], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

describe('shepherd status (buffer pools)', () => {
  it('shows each buffer pool: before any decision, then its nodes and Ready ones, the pending pods it holds capacity for and the last decision', async () => {
    const before = await status(true);
    expect(before.err).toBe('');
    const empty = JSON.parse(before.out) as StatusReport;
    expect(empty.buffers?.pools.map((p) => [p.pool, p.nodes, p.min, p.max])).toEqual([
      ['gcp-amd64', 0, 0, config.pools.find((p) => p.name === 'gcp-amd64')?.max],
      ['scw-buffer', 0, 0, config.pools.find((p) => p.name === 'scw-buffer')?.max],
    ]);
    expect(empty.buffers?.lastDecision).toBeUndefined();

    addWorkload(local.sim.world, 'burst', 6, { cpu: '1', memory: '512Mi' });
    // The home node takes what fits; the rest are pending.
    const settled = () => podsOf(local, 'burst').length === 6 && podsOf(local, 'burst').every((p) => p.status?.phase === 'Running' || unschedulable(p));
    await local.sim.clock.until(() => settled() && podsOf(local, 'burst').some(unschedulable), 60_000, 'burst placed or pending');
    const pending = podsOf(local, 'burst')
      .filter(unschedulable)
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    await run(watcherEvent('podsUnschedulable', 'b'.repeat(32), new Date(local.sim.clock.now()).toISOString()));

    const { code, out, err } = await status(true);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as StatusReport;
    // Each pool as the simulated cluster has it.
    for (const row of report.buffers?.pools ?? []) {
      const nodes = poolNodes(local, row.pool);
      expect([row.pool, row.nodes, row.ready]).toEqual([row.pool, nodes.length, nodes.filter(ready).length]);
    }
    const grown = (report.buffers?.pools ?? []).filter((p) => (p.nodes ?? 0) > 0);
    expect(grown.length).toBeGreaterThan(0);
    for (const pool of grown) {
      expect(pool.lastDecision).toMatchObject({
        event: 'buffer-scaled-up',
        trigger: 'pods-unschedulable',
        summary: `added ${pool.nodes} of ${pool.nodes} to ${pool.pool}`,
      });
      expect(pool.pendingPods.length).toBeGreaterThan(0);
      for (const pod of pool.pendingPods) expect(pending).toContain(pod);
    }
    expect(report.buffers?.lastScaleUpAt).toBeTypeOf('string');

    const text = await status(false);
    const section = text.out.slice(text.out.indexOf('BUFFER POOLS'));
    for (const pool of grown) {
      expect(section).toMatch(
        new RegExp(`^${pool.pool}\\s+${pool.nodes} \\(${pool.ready} Ready\\)\\s+0\\s+${pool.max}\\s+${pool.pendingPods.length} pending pod\\(s\\)`, 'm'),
      );
    }
    expect(section).toContain(`Last decision: ${report.buffers?.lastDecision?.at} ${report.buffers?.lastDecision?.summary} (pods-unschedulable)`);
  }, 900_000);

  it("a manual target's hold and a failed scale-up's backoff, both compared with the local control plane's simulated clock", async () => {
    // Scaleway has no capacity left: the manual growth fails and backs the pool off; the hold is saved before it.
    local.sim.world.setCapacity({ provider: 'scaleway' }, 0);
    const size = poolNodes(local, 'scw-buffer').length;
    const startedAt = local.sim.clock.now();
    await run({ targets: { 'scw-buffer': size + 1 }, holdMinutes: 30, reason: 'load test' });

    const { out } = await status(true);
    const report = JSON.parse(out) as StatusReport;
    // The simulated clock started on 2026-01-01: compared with this machine's, every hold and backoff looks long over.
    expect(report.clock.source).toBe('simulated');
    expect(Date.parse(report.clock.now)).toBeGreaterThanOrEqual(startedAt);
    expect(Date.parse(report.clock.now)).toBeLessThan(Date.now() - 86_400_000);
    const scw = report.buffers?.pools.find((p) => p.pool === 'scw-buffer');
    expect(scw?.hold).toEqual({ size: size + 1, until: expect.any(String), reason: 'load test' });
    const heldFor = (Date.parse(String(scw?.hold?.until)) - startedAt) / 60_000;
    expect(heldFor).toBeGreaterThanOrEqual(29);
    expect(heldFor).toBeLessThanOrEqual(31);
    expect(scw?.backoff?.failures).toBe(1);
    expect(Date.parse(String(scw?.backoff?.until))).toBeGreaterThan(Date.parse(report.clock.now));

    const text = (await status(false)).out;
    expect(text).toContain(`Clock: ${'2026-'}`);
    const section = text.slice(text.indexOf('BUFFER POOLS'));
    const row = section.split('\n').find((l) => l.startsWith('scw-buffer')) ?? '';
    expect(row).toContain(`held at ${size + 1} until ${scw?.hold?.until} (load test)`);
    expect(row).toContain(`until ${scw?.backoff?.until} (1 failure(s)`);
  }, 900_000);
});
