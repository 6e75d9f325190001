import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/commands/status.js';
import { main } from '../../cli/main.js';
import { loadConfigFile } from '../../config/load.js';
import { DynamoNodeLeaseStore } from '../../functions/adapters/store/node-lease.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd pause | resume | status --local` against the local control plane running the synthesized stack, through
 * the endpoints file `shepherd local` writes: the switch and the leases live in the stack's table. Nothing of ours
 * is mocked.
 */

const CONFIG_FILE = resolve('shepherd.config.json');
const config = loadConfigFile(CONFIG_FILE);
let local: ShepherdLocal;
let endpointsFile: string;

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 3, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-pause-'));
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
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

async function cli(...argv: string[]) {
  const ctx = captureContext();
  const code = await main(argv, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

async function status(): Promise<StatusReport> {
  const { code, out, err } = await cli('status', '--local', '--endpoints', endpointsFile, '--json');
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as StatusReport;
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('shepherd pause / resume --local', () => {
  it('pause -> status shows paused (the first pause kept) -> resume -> status shows active', async () => {
    expect((await status()).remediation).toEqual({ paused: false });

    const paused = await cli('pause', '--local', '--endpoints', endpointsFile, '--reason', 'incident 42: provider outage', '--by', 'alice');
    expect(paused).toMatchObject({ code: 0, err: '' });
    expect(paused.out).toMatch(
      new RegExp(`^Remediation: paused since ${ISO} by alice: incident 42: provider outage\\nNo remediation starts until \`shepherd resume\`\\.\\n$`),
    );

    const again = await cli('pause', '--local', '--endpoints', endpointsFile, '--reason', 'me too', '--by', 'bob', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({
      changed: false,
      state: { paused: true, by: 'alice', since: expect.stringMatching(new RegExp(`^${ISO}$`)), reason: 'incident 42: provider outage' },
    });

    const report = await status();
    expect(report.remediation).toMatchObject({ paused: true, by: 'alice', reason: 'incident 42: provider outage' });
    const human = await cli('status', '--local', '--endpoints', endpointsFile);
    expect(human.code).toBe(0);
    expect(human.out.split('\n')[0]).toMatch(new RegExp(`^Remediation: paused since ${ISO} by alice: incident 42: provider outage$`));

    const resumed = await cli('resume', '--local', '--endpoints', endpointsFile, '--by', 'bob');
    expect(resumed).toEqual({ code: 0, out: 'Remediation: active (resumed by bob)\n', err: '' });
    expect(await cli('resume', '--local', '--endpoints', endpointsFile)).toEqual({
      code: 0,
      out: 'Remediation: active\nIt was not paused: nothing changed.\n',
      err: '',
    });
    expect((await status()).remediation).toEqual({ paused: false, resumedBy: 'bob', resumedAt: expect.stringMatching(new RegExp(`^${ISO}$`)) });
    expect((await cli('status', '--local', '--endpoints', endpointsFile)).out.split('\n')[0]).toBe('Remediation: active');

    // Paused again without a reason: a default says none was given.
    const bare = await cli('pause', '--local', '--endpoints', endpointsFile, '--by', 'carol', '--json');
    expect(JSON.parse(bare.out)).toMatchObject({ changed: true, state: { paused: true, by: 'carol', reason: 'no reason given' } });
    await cli('resume', '--local', '--endpoints', endpointsFile);
  });

  it('status lists the node leases not released: the healing execution and when its lease expires', async () => {
    const client = new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws });
    const leases = new DynamoNodeLeaseStore(local.tableName, client);
    const owner = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-ip-10-0-1-5';
    await leases.acquire('ip-10-0-1-5', owner, 900);
    await leases.acquire('nuc-1', `${owner}-released`, 900);
    await leases.release('nuc-1', `${owner}-released`);
    client.destroy();

    const report = await status();
    expect(report.leases).toEqual([
      { node: 'ip-10-0-1-5', owner, execution: 'heal-ip-10-0-1-5', leaseExpiresAt: expect.any(Number), expiresInSeconds: expect.any(Number) },
    ]);
    expect(report.leases[0].expiresInSeconds).toBeGreaterThan(880);
    expect(report.leases[0].expiresInSeconds).toBeLessThanOrEqual(900);
    const human = await cli('status', '--local', '--endpoints', endpointsFile);
    expect(human.out).toMatch(/\nNODE LEASES\nNODE +HEALED BY EXECUTION +EXPIRES IN\nip-10-0-1-5 +heal-ip-10-0-1-5 +(8[89]\d|900) s\n(\n|$)/);
  });

  it('without --local or a table name, pause says which table is missing (exit 1) and changes nothing', async () => {
    expect(await cli('pause', '--reason', 'x')).toEqual({
      code: 1,
      out: '',
      err: 'shepherd pause: the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)\n',
    });
    expect((await status()).remediation).toMatchObject({ paused: false });
  });

  it('--help prints the usage of each', async () => {
    expect((await cli('pause', '--help')).out).toMatch(/^usage: shepherd pause \[--reason TEXT\]/);
    expect((await cli('resume', '--help')).out).toMatch(/^usage: shepherd resume /);
  });
});
