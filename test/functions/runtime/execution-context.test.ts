import { afterEach, describe, expect, it, vi } from 'vitest';
import { executionOf, type LambdaContext, withExecutionContext } from '../../../functions/runtime/execution-context.js';
import { log } from '../../../functions/runtime/logger.js';
import { MetricUnit, metrics } from '../../../functions/runtime/metrics.js';

const EXECUTION = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-provision-node:run-1';

/** Every JSON line written to stdout and stderr meanwhile. */
function captureLines(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  for (const name of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  return () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const isMetricsLine = (l: Record<string, unknown>) => '_aws' in l;

const context = {
  functionName: 'shepherd-claims',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-3:123456789012:function:shepherd-claims',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/shepherd-claims',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 1000,
} as unknown as LambdaContext;

afterEach(() => vi.restoreAllMocks());

describe('Function: executionOf', () => {
  it('reads the execution id a state machine passes as `execution`, and nothing else', () => {
    expect(executionOf({ execution: EXECUTION, slot: {} })).toBe(EXECUTION);
    expect(executionOf({ execution: '' })).toBeUndefined();
    expect(executionOf({ execution: { Id: EXECUTION } })).toBeUndefined();
    expect(executionOf({})).toBeUndefined();
    expect(executionOf(null)).toBeUndefined();
    expect(executionOf('text')).toBeUndefined();
  });
});

describe('Function: withExecutionContext', () => {
  it('puts the execution id and the request id on every line of the invocation, and on none after it', async () => {
    const lines = captureLines();
    const handler = withExecutionContext(async (event: { execution: string; pool: string }) => {
      log('info', 'claim', { pool: event.pool });
      log('warn', 'claim released', { pool: event.pool });
      return event.pool;
    });
    expect(await handler({ execution: EXECUTION, pool: 'aws-amd64' }, context)).toBe('aws-amd64');
    log('info', 'between invocations');
    expect(lines()).toEqual([
      expect.objectContaining({ message: 'claim', execution: EXECUTION, function_request_id: 'req-1', function_name: 'shepherd-claims' }),
      expect.objectContaining({ message: 'claim released', execution: EXECUTION, function_request_id: 'req-1' }),
      expect.not.objectContaining({ execution: expect.anything() }),
    ]);
  });

  it('does not carry one execution id over to the next invocation', async () => {
    const lines = captureLines();
    const handler = withExecutionContext(async (_event: { execution?: string }) => log('info', 'step', {}));
    await handler({ execution: `${EXECUTION}-a` }, context);
    await handler({}, context);
    await handler({ execution: `${EXECUTION}-b` }, context);
    expect(lines().map((l) => l.execution)).toEqual([`${EXECUTION}-a`, undefined, `${EXECUTION}-b`]);
  });

  it('flushes recorded metrics as one EMF line in namespace Shepherd, also when the handler throws', async () => {
    const lines = captureLines();
    const failing = withExecutionContext(async (_event: { execution: string }) => {
      metrics.addMetric('launchFailed', MetricUnit.Count, 1);
      throw Object.assign(new Error('no capacity'), { name: 'InsufficientCapacityError' });
    });
    await expect(failing({ execution: EXECUTION })).rejects.toThrow('no capacity');
    const emf = lines().filter(isMetricsLine);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      launchFailed: 1,
      service: 'shepherd',
      _aws: { CloudWatchMetrics: [{ Namespace: 'Shepherd', Dimensions: [['service']], Metrics: [{ Name: 'launchFailed', Unit: 'Count' }] }] },
    });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('writes nothing about metrics when the invocation recorded none', async () => {
    const lines = captureLines();
    await withExecutionContext(async () => 'ok')({ execution: EXECUTION });
    expect(lines()).toEqual([]);
  });
});
