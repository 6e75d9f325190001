import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaFunctionError } from '../../local/errors.js';
import { LambdaFaults } from '../../local/lambda/lambda-faults.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import type { LambdaFunctionSpec } from '../../local/types.js';
import { Clock } from '../../sim/clock.js';

/** The two ways a real function is lost (timeout, out of memory) and FIS-style injected faults, in the local Lambda runner. */

let clock: Clock;
let runner: LambdaRunner;

afterEach(async () => {
  await runner?.stop();
  clock?.stop();
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

function start(functions: LambdaFunctionSpec[]): void {
  clock = new Clock({ mode: 'virtual' });
  runner = new LambdaRunner({ functions, clock, region: 'eu-west-3', environment: {}, onLog: () => undefined });
}

const ECHO = `let calls = 0; exports.handler = async (event) => ({ event, calls: ++calls, at: Date.now() });`;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as LambdaFunctionError,
  );

describe('Class: LambdaRunner (memory limit)', () => {
  it('fails a function that outgrows its MemorySize with Lambda.Unknown, as Step Functions reports it, and starts a fresh environment next', async () => {
    const hog = `let calls = 0; exports.handler = async (e) => { calls++; if (e.hog) { const a = []; for (;;) a.push(new Array(1 << 20).fill(1.5)); } return { calls }; };`;
    start([inline('hog', hog, { memoryMb: 64 })]);
    expect(await runner.invoke('hog', {})).toEqual({ calls: 1 });
    const err = await failure(runner.invoke('hog', { hog: true }));
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err.errorType).toBe('Lambda.Unknown');
    expect(err.errorMessage).toMatch(/^RequestId: \S+ Error: Runtime exited with error: signal: killed \(Runtime\.OutOfMemory: .*64 MB\)$/);
    // The killed environment is gone: module state starts over.
    expect(await runner.invoke('hog', {})).toEqual({ calls: 1 });
  }, 60_000);
});

describe('Class: LambdaFaults', () => {
  it('times out the chosen invocation of a state on the simulated clock (Sandbox.Timedout), then lets the rest through', async () => {
    start([inline('echo', ECHO, { timeoutSeconds: 20 })]);
    const armed = runner.faults.lambda({ state: 'Launch VM', after: 1, fault: { kind: 'timeout' } });
    const t0 = clock.now();
    expect(await runner.invoke('echo', { n: 1 }, { state: 'Launch VM' })).toMatchObject({ calls: 1 });
    // Another state, or no state: not matched.
    expect(await runner.invoke('echo', { n: 2 }, { state: 'Terminate VM' })).toMatchObject({ calls: 2 });
    const err = await failure(runner.invoke('echo', { n: 3 }, { state: 'Launch VM' }));
    expect(err.errorType).toBe('Sandbox.Timedout');
    expect(err.errorMessage).toContain('Task timed out after 20.00 seconds');
    expect(clock.now() - t0).toBeGreaterThanOrEqual(20_000);
    expect(armed.hits).toBe(1);
    // The timed-out environment was discarded, like Lambda's.
    expect(await runner.invoke('echo', { n: 4 }, { state: 'Launch VM' })).toMatchObject({ calls: 1 });
  });

  it('with afterHandler, runs the handler to the end and loses its answer: Sandbox.Timedout after its side effects', async () => {
    const marks = join(mkdtempSync(join(tmpdir(), 'lambda-faults-')), 'marks');
    const marker = `exports.handler = async () => { require('fs').appendFileSync(process.env.MARKS, 'ran;'); return 'done'; };`;
    start([inline('marker', marker, { timeoutSeconds: 30, env: { MARKS: marks } })]);
    runner.faults.lambda({ functionName: 'marker', fault: { kind: 'timeout', afterHandler: true } });
    const t0 = clock.now();
    await expect(runner.invoke('marker', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(clock.now() - t0).toBeGreaterThanOrEqual(30_000);
    expect(readFileSync(marks, 'utf8')).toBe('ran;');
    expect(await runner.invoke('marker', {})).toBe('done');
  });

  it('kills the chosen invocation by running its environment out of memory (Lambda.Unknown)', async () => {
    start([inline('echo', ECHO, { memoryMb: 64 })]);
    const armed = runner.faults.lambda({ functionName: 'echo', fault: { kind: 'out-of-memory' } });
    const err = await failure(runner.invoke('arn:aws:lambda:eu-west-3:123456789012:function:echo', {}));
    expect(err.errorType).toBe('Lambda.Unknown');
    expect(err.errorMessage).toContain('Runtime.OutOfMemory');
    expect(armed.hits).toBe(1);
    expect(await runner.invoke('echo', {})).toMatchObject({ calls: 1 });
  }, 60_000);

  it('returns an error without running the handler (FIS invocation error), count times', async () => {
    start([inline('echo', ECHO)]);
    runner.faults.lambda({ functionName: 'echo', count: 2, fault: { kind: 'error', errorType: 'Lambda.ServiceException', errorMessage: 'injected' } });
    for (let i = 0; i < 2; i++) await expect(runner.invoke('echo', {})).rejects.toMatchObject({ name: 'Lambda.ServiceException', errorMessage: 'injected' });
    expect(await runner.invoke('echo', {})).toMatchObject({ calls: 1 });
  });

  it('delays the start of the handler on the simulated clock (FIS add-delay); a delay past the timeout times the invocation out', async () => {
    start([inline('echo', ECHO, { timeoutSeconds: 10 })]);
    runner.faults.lambda({ functionName: 'echo', fault: { kind: 'delay', ms: 4_000 } });
    const t0 = clock.now();
    const out = (await runner.invoke('echo', {})) as { at: number };
    expect(out.at - t0).toBeGreaterThanOrEqual(4_000);
    runner.faults.lambda({ functionName: 'echo', fault: { kind: 'delay', ms: 11_000 } });
    await expect(runner.invoke('echo', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
  });

  it('lets one invocation take at most one fault, the earliest armed rule first; clear() disarms', () => {
    const faults = new LambdaFaults();
    const target = { functionName: 'f', functionArn: 'arn:aws:lambda:eu-west-3:1:function:f', state: 'S' };
    const first = faults.lambda({ state: 'S', fault: { kind: 'timeout' } });
    const second = faults.lambda({ functionName: target.functionArn, count: 5, fault: { kind: 'out-of-memory' } });
    expect(faults.take(target)).toEqual({ kind: 'timeout' });
    expect(faults.take(target)).toEqual({ kind: 'out-of-memory' });
    second.clear();
    expect(faults.take(target)).toBeUndefined();
    expect([first.hits, second.hits]).toEqual([1, 1]);
  });
});
