import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../local/aws-api/api-server.js';
import { LambdaFunctionError, LambdaServiceError } from '../../local/errors.js';
import { lambdaApi } from '../../local/lambda/lambda-api.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import type { LambdaFunctionSpec } from '../../local/types.js';
import { Clock } from '../../sim/clock.js';

let clock: Clock;
let runner: LambdaRunner;
let server: http.Server | undefined;
let api: ApiServer | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
  await runner?.stop();
  clock?.stop();
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

function inline(name: string, source: string, extra: Partial<LambdaFunctionSpec> = {}): LambdaFunctionSpec {
  return {
    logicalId: name,
    name,
    arn: `arn:aws:lambda:eu-west-3:123456789012:function:${name}`,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    env: {},
    timeoutSeconds: 60,
    memoryMb: 128,
    code: { kind: 'inline', source },
    ...extra,
  };
}

function start(functions: LambdaFunctionSpec[], extraEnv: Record<string, string> = {}): void {
  clock = new Clock({ mode: 'virtual' });
  runner = new LambdaRunner({ functions, clock, region: 'eu-west-3', environment: { SHARED: 'control-plane' }, extraEnv, onLog: () => undefined });
}

/** A loopback server that answers after `delayMs` of simulated time, lending the clock meanwhile (as a simulated server's latency fault does). */
async function slowServer(delayMs: number): Promise<string> {
  server = http.createServer((_req, res) => {
    const giveBack = clock.lend();
    void clock.sleep(delayMs).then(() => {
      giveBack();
      res.end(JSON.stringify({ answeredAt: clock.now() }));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FETCH_URL = `exports.handler = async () => (await fetch(process.env.URL)).json();`;
const HTTP_GET_URL = `
const http = require('http');
exports.handler = () => new Promise((resolve, reject) => {
  http.get(process.env.URL, (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(JSON.parse(body))); }).on('error', reject);
});`;

describe('local Lambda runner', () => {
  it('gives each function its own environment: template env, then control plane env, then extra env', async () => {
    const echo = `exports.handler = async () => ({ own: process.env.OWN, shared: process.env.SHARED, extra: process.env.EXTRA, name: process.env.AWS_LAMBDA_FUNCTION_NAME });`;
    start([inline('a', echo, { env: { OWN: 'a', EXTRA: 'template' } }), inline('b', echo, { env: { OWN: 'b' } })], { EXTRA: 'extra' });
    const [a, b] = await Promise.all([runner.invoke('a', {}), runner.invoke('arn:aws:lambda:eu-west-3:123456789012:function:b', {})]);
    expect(a).toEqual({ own: 'a', shared: 'control-plane', extra: 'extra', name: 'a' });
    expect(b).toEqual({ own: 'b', shared: 'control-plane', extra: 'extra', name: 'b' });
  });

  it('reports a thrown error with its name as errorType, and an unknown function as Lambda.ResourceNotFoundException', async () => {
    start([
      inline('thrower', `class QuotaError extends Error { name = 'QuotaError' } exports.handler = async () => { throw new QuotaError('no capacity'); };`),
    ]);
    const err = await runner.invoke('thrower', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err).toMatchObject({ name: 'QuotaError', errorType: 'QuotaError', errorMessage: 'no capacity' });
    await expect(runner.invoke('missing', {})).rejects.toMatchObject({ name: 'Lambda.ResourceNotFoundException' });
    await expect(runner.invoke('missing', {})).rejects.toBeInstanceOf(LambdaServiceError);
  });

  for (const [client, source] of [
    ['fetch', FETCH_URL],
    ['node:http', HTTP_GET_URL],
  ] as const) {
    it(`lets virtual time move while a function waits on a slow server (${client})`, async () => {
      start([]);
      const url = await slowServer(30_000);
      runner = new LambdaRunner({ functions: [inline('caller', source, { env: { URL: url } })], clock, region: 'eu-west-3', environment: {} });
      const t0 = clock.now();
      const out = (await runner.invoke('caller', {})) as { answeredAt: number };
      expect(out.answeredAt - t0).toBe(30_000);
    });
  }

  it('lets virtual time move while a function waits, through the Invoke API, on a function that waits on a slow server', async () => {
    // The cluster watcher's shape: invoked on its own (holding the clock), it asks a provider function through Lambda's
    // Invoke API, and that function waits on a cloud that parks the request on the clock.
    const invokeOther = `exports.handler = async (e) => {
      const res = await fetch(e.invokeUrl, { method: 'POST', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIALOCAL/20260101/eu-west-3/lambda/aws4_request' }, body: JSON.stringify({}) });
      return res.json();
    };`;
    start([]);
    const url = await slowServer(30_000);
    runner = new LambdaRunner({
      functions: [inline('watcher', invokeOther), inline('provider', FETCH_URL, { env: { URL: url }, timeoutSeconds: 60 })],
      clock,
      region: 'eu-west-3',
      environment: {},
    });
    api = await startApiServer({ clock, accessKeyId: 'AKIALOCAL', services: [], rest: lambdaApi(runner) });
    const t0 = clock.now();
    const out = (await runner.invoke('watcher', { invokeUrl: `${api.url}/2015-03-31/functions/provider/invocations` })) as { answeredAt: number };
    // Before the Invoke API lent its caller's hold, the watcher's hold froze time: the provider ran into its real-time limit.
    expect(out.answeredAt - t0).toBe(30_000);
  }, 120_000);

  it('times a function out on the simulated clock (Sandbox.Timedout)', async () => {
    start([]);
    const url = await slowServer(30_000);
    runner = new LambdaRunner({
      functions: [inline('impatient', FETCH_URL, { env: { URL: url }, timeoutSeconds: 10 })],
      clock,
      region: 'eu-west-3',
      environment: {},
    });
    const t0 = clock.now();
    await expect(runner.invoke('impatient', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(clock.now() - t0).toBe(10_000);
  });

  it("keeps a function's init (the cold import of its bundle) out of simulated time, in scaled mode too", async () => {
    // 800 real ms of module import: 8 simulated s at x10, more than the function's 2 s timeout.
    const slowInit = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800); exports.handler = async () => ({ ok: true });`;
    clock = new Clock({ mode: 'scaled', factor: 10 });
    runner = new LambdaRunner({ functions: [inline('slow-init', slowInit, { timeoutSeconds: 2 })], clock, region: 'eu-west-3', environment: {} });
    let taskTimedOut = false;
    // A Task's TimeoutSeconds of 3 s, armed before the invocation as Step Functions arms it.
    const taskTimeout = clock.setTimer(3000, () => {
      taskTimedOut = true;
    });
    const t0 = clock.now();
    await expect(runner.invoke('slow-init', {})).resolves.toEqual({ ok: true });
    expect(taskTimedOut).toBe(false);
    expect(clock.now() - t0).toBeLessThan(2000);
    clock.cancel(taskTimeout);
  });

  it('shows the function the simulated time: Date.now(), new Date() and the remaining time follow the clock', async () => {
    const source = `exports.handler = async (_e, ctx) => ({ now: Date.now(), iso: new Date().toISOString(), isDate: new Date() instanceof Date, fixed: new Date(0).getTime(), remaining: ctx.getRemainingTimeInMillis() });`;
    start([inline('clock-reader', source, { timeoutSeconds: 30 })]);
    await clock.advance(3_600_000);
    const out = (await runner.invoke('clock-reader', {})) as { now: number; iso: string; isDate: boolean; fixed: number; remaining: number };
    expect(Math.abs(out.now - clock.now())).toBeLessThan(5_000);
    expect(out.iso.slice(0, 13)).toBe(new Date(clock.now()).toISOString().slice(0, 13));
    expect(out.isDate).toBe(true);
    expect(out.fixed).toBe(0);
    expect(out.remaining).toBeGreaterThan(25_000);
    expect(out.remaining).toBeLessThanOrEqual(30_000);
  });
});
