import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { loadConfigFile } from '../../config/load.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd start | executions | watch --local` against the local control plane running the synthesized stack on the
 * simulated clouds, through the endpoints file `shepherd local` writes. Nothing of ours is mocked.
 */

const config = loadConfigFile('shepherd.config.json');
let local: ShepherdLocal;
let endpointsFile: string;

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 3, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    pid: process.pid,
  };
  endpointsFile = join(mkdtempSync(join(tmpdir(), 'shepherd-cli-')), 'local.json');
  writeFileSync(endpointsFile, JSON.stringify(file));
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

describe('shepherd start --local', () => {
  it('follows one node in a dozen lines: one per phase, prefixed by its slot, then the outcome', async () => {
    const ctx = captureContext();
    const input = JSON.stringify({ pool: 'aws-amd64', count: 1, reason: 'cli test' });
    const code = await main(['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', input, '--name', 'cli-one'], ctx);
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    const lines = ctx.out().trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^started arn:aws:states:[^:]+:\d{12}:execution:[^:]*provision-node:cli-one$/);
    expect(lines).toContainEqual(expect.stringMatching(/^slot 1: claimed c\w+ in pool aws-amd64/));
    expect(lines).toContainEqual(expect.stringMatching(/^slot 1: launched i-[0-9a-f]+ \(\S+ in eu-west-3[a-c]\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^slot 1: node \S+ is Ready$/));
    expect(lines).toContainEqual(expect.stringMatching(/^slot 1: labelled( and tainted)? node \S+$/));
    expect(lines.at(-1)).toMatch(/^execution SUCCEEDED after \d+/);
  });

  it('prefixes each node of a multi-node run with its slot, and --verbose keeps the state-by-state view with the output', async () => {
    const ctx = captureContext();
    const input = JSON.stringify({ pool: 'aws-arm64', count: 2, reason: 'cli test' });
    expect(await main(['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', input, '--name', 'cli-two'], ctx)).toBe(0);
    const out = ctx.out();
    for (const n of [1, 2]) expect(out).toMatch(new RegExp(`^slot ${n}: node \\S+ is Ready$`, 'm'));

    const verbose = captureContext();
    const again = JSON.stringify({ pool: 'aws-arm64', count: 1, reason: 'cli test' });
    expect(await main(['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', again, '--verbose'], verbose)).toBe(0);
    expect(verbose.out()).toMatch(/entered {2}Claim capacity \(Task\)/);
    expect(verbose.out()).toMatch(/"nodes": \[/);
  });
});

describe('shepherd executions and watch --local', () => {
  it('lists executions by workflow name, newest first, and re-attaches to one by name', async () => {
    const ctx = captureContext();
    expect(await main(['executions', '--local', '--endpoints', endpointsFile], ctx)).toBe(0);
    const rows = ctx.out().trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+WORKFLOW\s+STATUS\s+STARTED\s+DURATION$/);
    const one = rows.find((r) => r.startsWith('cli-one '));
    expect(one).toMatch(/^cli-one\s+provision-node\s+SUCCEEDED\s+/);
    expect(rows.indexOf(rows.find((r) => r.startsWith('cli-two '))!)).toBeLessThan(rows.indexOf(one!));

    const running = captureContext();
    expect(await main(['executions', '--running', '--local', '--endpoints', endpointsFile], running)).toBe(0);
    expect(running.out()).toBe('no running executions\n');

    const watch = captureContext();
    expect(await main(['watch', 'cli-one', '--local', '--endpoints', endpointsFile], watch)).toBe(0);
    expect(watch.out()).toMatch(/^watching arn:aws:states:.*:cli-one\n/);
    expect(watch.out()).toMatch(/^slot 1: node \S+ is Ready$/m);

    const missing = captureContext();
    expect(await main(['watch', 'no-such-run', '--local', '--endpoints', endpointsFile], missing)).toBe(1);
    expect(missing.err()).toMatch(/no execution named "no-such-run".*shepherd executions/);
  });
});

describe('shepherd command line mistakes', () => {
  it('suggests the command or option meant, and names workflows as users know them', async () => {
    const typo = captureContext();
    expect(await main(['strat'], typo)).toBe(2);
    expect(typo.err()).toMatch(/unknown command "strat" \(did you mean "start"\?\)/);

    const option = captureContext();
    expect(await main(['start', 'provision-node', '--inptu', '{}'], option)).toBe(2);
    expect(option.err()).toMatch(/unknown option --inptu \(did you mean "--input"\?\)/);

    const unknown = captureContext();
    expect(await main(['start', 'heal-everything', '--local', '--endpoints', endpointsFile, '--input', '{}'], unknown)).toBe(1);
    expect(unknown.err()).toMatch(/available: provision-node \(shepherd-kosmos-demo-provision-node\)/);
  });

  it('says a stale endpoints file is stale, and how to set a missing region', async () => {
    const stale = join(mkdtempSync(join(tmpdir(), 'shepherd-cli-')), 'local.json');
    const file = JSON.parse(
      JSON.stringify({ ready: true, endpoints: local.controlPlane.endpoints, region: 'eu-west-3', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    );
    // A pid no process has: above the kernel's pid_max.
    writeFileSync(stale, JSON.stringify({ ...file, pid: 2 ** 22 + 1 }));
    const ctx = captureContext();
    expect(await main(['executions', '--endpoints', stale], ctx)).toBe(1);
    expect(ctx.err()).toMatch(/\(pid 4194305\) is no longer running; start it again with `shepherd local`/);

    const noRegion = captureContext({ AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: 'shepherd-test-no-such-profile', AWS_CONFIG_FILE: '/nonexistent' });
    const saved = { ...process.env };
    try {
      for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION']) delete process.env[k];
      process.env.AWS_CONFIG_FILE = '/nonexistent';
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent';
      expect(await main(['executions'], noRegion)).toBe(1);
    } finally {
      process.env = saved;
    }
    expect(noRegion.err()).toMatch(/no AWS region: set AWS_REGION/);
  });
});

describe('shepherd start remove-node --local', () => {
  it('follows a removal in a few lines without slot prefixes, and says so when a second run has nothing to do', async () => {
    const [node] = local.sim.world.kube.list('nodes', { labelSelector: 'shepherd.io/pool=aws-arm64' });
    const nodeName = node.metadata.name;
    const ctx = captureContext();
    const input = JSON.stringify({ nodeName, reason: 'cli test' });
    expect(await main(['start', 'remove-node', '--local', '--endpoints', endpointsFile, '--input', input, '--name', 'cli-remove'], ctx)).toBe(0);
    const lines = ctx.out().trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^started arn:aws:states:[^:]+:\d{12}:execution:[^:]*remove-node:cli-remove$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^removing node ${nodeName} \\(claim c\\w+ in pool aws-arm64\\)$`)));
    expect(lines).toContain(`cordoned node ${nodeName}`);
    expect(lines).toContain(`drained node ${nodeName}`);
    expect(lines).toContain(`deleted Node ${nodeName}`);
    expect(lines).toContainEqual(expect.stringMatching(/^terminated VM i-[0-9a-f]+$/));
    expect(lines).toContain('claim released');
    expect(lines.filter((l) => l.startsWith('slot '))).toEqual([]);
    // No Wait when nothing blocks the drain: the virtual clock stands still while functions run.
    expect(lines.at(-1)).toMatch(/^execution SUCCEEDED (after \d+s|in under a second)$/);
    expect(lines.at(-1)).not.toMatch(/after 0s/);

    const again = captureContext();
    expect(await main(['start', 'remove-node', '--local', '--endpoints', endpointsFile, '--input', input], again)).toBe(0);
    expect(again.out()).toMatch(new RegExp(`^Nothing to do: node ${nodeName} is already removed: its claim c\\w+ was released`, 'm'));
  });
});
