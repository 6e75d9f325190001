import { afterEach, describe, expect, it } from 'vitest';
import { TemplateError } from '../../local/errors.js';
import { IdSource } from '../../local/ids.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import { type StepFunctionsOptions, StepFunctionsService } from '../../local/stepfunctions/stepfunctions.js';
import type { EventBridgeEvent } from '../../local/types.js';
import { Clock, DEFAULT_START_TIME } from '../../sim/clock.js';

const ARN = 'arn:aws:states:eu-west-3:123456789012:stateMachine:';

let clock: Clock;
let runner: LambdaRunner;
let sfn: StepFunctionsService;

afterEach(async () => {
  await sfn?.stop();
  await runner?.stop();
  clock?.stop();
});

/** A service with one state machine named `m`, on a virtual clock that moves by itself. */
function serve(definition: Record<string, unknown>, statusEvents?: StepFunctionsOptions['statusEvents']): string {
  clock = new Clock({ mode: 'virtual' });
  runner = new LambdaRunner({ functions: [], clock, region: 'eu-west-3', environment: {} });
  sfn = new StepFunctionsService({
    clock,
    region: 'eu-west-3',
    accountId: '123456789012',
    lambdas: runner,
    ids: new IdSource('test'),
    random: () => 0.5,
    statusEvents,
  });
  sfn.addStateMachine({ logicalId: 'M', name: 'm', arn: `${ARN}m`, type: 'STANDARD', roleArn: 'arn:aws:iam::123456789012:role/m', definition });
  return `${ARN}m`;
}

async function runToEnd(arn: string, input: unknown, name?: string) {
  const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: JSON.stringify(input), name });
  return sfn.waitForExecution(executionArn);
}

describe('local Step Functions on the simulated clock', () => {
  it("sends each execution's status changes to the event bus in Step Functions' envelope, and none when the service stops", async () => {
    const events: EventBridgeEvent[] = [];
    const arn = serve(
      { StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 600, End: true } } },
      { publish: (e) => events.push(e), ids: new IdSource('events') },
    );
    const done = await runToEnd(arn, { a: 1 }, 'quick');
    const slow = sfn.startExecution({ stateMachineArn: arn, name: 'slow', input: '{}' });
    clock.setTimer(60_000, () => sfn.stopExecution(slow.executionArn, 'Operator', 'no longer needed'));
    await sfn.waitForExecution(slow.executionArn);
    const late = sfn.startExecution({ stateMachineArn: arn, name: 'late', input: '{}' });
    await sfn.stop();
    expect(sfn.describeExecution(late.executionArn).status).toBe('ABORTED');

    expect(events.map((e) => `${(e.detail as { name: string }).name} ${(e.detail as { status: string }).status}`)).toEqual([
      'quick RUNNING',
      'quick SUCCEEDED',
      'slow RUNNING',
      'slow ABORTED',
      'late RUNNING',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[1]).toEqual({
      version: '0',
      id: events[1].id,
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '123456789012',
      time: new Date(done.stopDate!).toISOString().replace('.000Z', 'Z'),
      region: 'eu-west-3',
      resources: [done.executionArn],
      detail: {
        executionArn: done.executionArn,
        stateMachineArn: arn,
        name: 'quick',
        status: 'SUCCEEDED',
        startDate: done.startDate,
        stopDate: done.startDate + 600_000,
        input: '{"a":1}',
        output: '{"a":1}',
        inputDetails: { included: true },
        outputDetails: { included: true },
        error: null,
        cause: null,
        redriveCount: 0,
        redriveDate: null,
        redriveStatus: null,
        redriveStatusReason: null,
      },
    });
    expect(events[3].detail).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'no longer needed', output: null, outputDetails: null });
  });

  it('wakes executions sleeping on different waits in the order of their wake-up times', async () => {
    const arn = serve({
      StartAt: 'Sleep',
      States: { Sleep: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Done' }, Done: { Type: 'Pass', End: true } },
    });
    const wallStart = Date.now();
    const finished: string[] = [];
    const long = sfn.startExecution({ stateMachineArn: arn, name: 'long', input: '{"seconds":600}' });
    const short = sfn.startExecution({ stateMachineArn: arn, name: 'short', input: '{"seconds":300}' });
    await Promise.all([long, short].map((s) => sfn.waitForExecution(s.executionArn).then((e) => finished.push(e.name))));
    expect(finished).toEqual(['short', 'long']);
    expect(Date.now() - wallStart).toBeLessThan(2_000);
    const l = sfn.describeExecution(long.executionArn);
    const s = sfn.describeExecution(short.executionArn);
    expect([s.stopDate! - s.startDate, l.stopDate! - l.startDate]).toEqual([300_000, 600_000]);
  });

  it('waits until a TimestampPath and exposes the simulated start time as $$.Execution.StartTime', async () => {
    const arn = serve({
      StartAt: 'Until',
      States: {
        Until: { Type: 'Wait', TimestampPath: '$.at', Next: 'Report' },
        Report: { Type: 'Pass', Parameters: { 'started.$': '$$.Execution.StartTime', 'name.$': '$$.Execution.Name' }, End: true },
      },
    });
    const at = new Date(DEFAULT_START_TIME + 3_600_000).toISOString();
    const done = await runToEnd(arn, { at }, 'until-one');
    expect(done.stopDate).toBe(DEFAULT_START_TIME + 3_600_000);
    expect(JSON.parse(done.output ?? '{}')).toEqual({ started: new Date(DEFAULT_START_TIME).toISOString(), name: 'until-one' });
  });

  it('runs Parallel branches side by side: the state lasts as long as its longest wait', async () => {
    const branch = (seconds: number) => ({ StartAt: `W${seconds}`, States: { [`W${seconds}`]: { Type: 'Wait', Seconds: seconds, End: true } } });
    const arn = serve({ StartAt: 'Both', States: { Both: { Type: 'Parallel', Branches: [branch(60), branch(120)], End: true } } });
    const done = await runToEnd(arn, { x: 1 });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate! - done.startDate).toBe(120_000);
    expect(JSON.parse(done.output ?? '[]')).toEqual([{ x: 1 }, { x: 1 }]);
    const types = sfn.history(done.executionArn).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited']));
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(2);
  });

  it('evaluates Fail ErrorPath and an intrinsic CausePath', async () => {
    const arn = serve({
      StartAt: 'Fail',
      States: { Fail: { Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('node {} failed', $.node)" } },
    });
    const failed = await runToEnd(arn, { code: 'NodeLost', node: 'n-1' });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'NodeLost', cause: 'node n-1 failed' });
    const history = sfn.history(failed.executionArn);
    expect(history.map((e) => e.type)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('reports no error or cause for a Fail state without them, as AWS does', async () => {
    const bare = serve({ StartAt: 'Stop', States: { Stop: { Type: 'Fail' } } });
    const stopped = await runToEnd(bare, {});
    expect(stopped).toMatchObject({ status: 'FAILED', error: undefined, cause: undefined });
  });

  it('puts a Pass state\'s false, 0, "" or null Result at its ResultPath, as AWS does (the library passed the input on)', async () => {
    const arn = serve({
      StartAt: 'No',
      States: {
        No: { Type: 'Pass', Result: false, ResultPath: '$.ok', Next: 'Zero' },
        Zero: { Type: 'Pass', Result: 0, ResultPath: '$.n', Next: 'Yes' },
        Yes: { Type: 'Pass', Result: true, ResultPath: '$.yes', End: true },
      },
    });
    const done = await runToEnd(arn, { pool: 'p' });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toEqual({ pool: 'p', ok: false, n: 0, yes: true });
  });

  it('times an execution out on the simulated clock (top-level TimeoutSeconds)', async () => {
    const arn = serve({ TimeoutSeconds: 30, StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 3600, End: true } } });
    const done = await runToEnd(arn, {});
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(done.stopDate! - done.startDate).toBe(30_000);
    expect(sfn.history(done.executionArn).at(-1)?.type).toBe('ExecutionTimedOut');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fails a Task whose resource it cannot run with States.Runtime, which States.ALL does not catch', async () => {
    const arn = serve({
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 't' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    });
    const done = await runToEnd(arn, {});
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Runtime');
    expect(done.cause).toContain('dynamodb:putItem');
  });

  it('refuses definitions the library would silently misrun (JSONata)', () => {
    expect(() => serve({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } })).toThrow(TemplateError);
  });
});
