import { afterEach, describe, expect, it } from 'vitest';
import { IdSource } from '../../local/ids.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import { StepFunctionsService } from '../../local/stepfunctions/stepfunctions.js';
import { Clock } from '../../sim/clock.js';

const ARN = 'arn:aws:states:eu-west-3:123456789012:stateMachine:';

let clock: Clock;
let runner: LambdaRunner;
let sfn: StepFunctionsService;

afterEach(async () => {
  await sfn?.stop();
  await runner?.stop();
  clock?.stop();
});

/** A service on a virtual clock with one state machine per entry, each named by its key. */
function serve(definitions: Record<string, Record<string, unknown>>): void {
  clock = new Clock({ mode: 'virtual' });
  runner = new LambdaRunner({ functions: [], clock, region: 'eu-west-3', environment: {} });
  sfn = new StepFunctionsService({ clock, region: 'eu-west-3', accountId: '123456789012', lambdas: runner, ids: new IdSource('test'), random: () => 0.5 });
  for (const [name, definition] of Object.entries(definitions)) {
    sfn.addStateMachine({ logicalId: name, name, arn: `${ARN}${name}`, type: 'STANDARD', roleArn: `arn:aws:iam::123456789012:role/${name}`, definition });
  }
}

/** The child: waits `$.seconds` simulated seconds, then succeeds with `{doubled}` or, when `$.fail`, fails. */
const CHILD = {
  StartAt: 'Sleep',
  States: {
    Sleep: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Fail?' },
    'Fail?': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.fail', IsPresent: true },
            { Variable: '$.fail', BooleanEquals: true },
          ],
          Next: 'Broken',
        },
      ],
      Default: 'Double',
    },
    Broken: { Type: 'Fail', Error: 'ChildBroke', Cause: 'the child was asked to fail' },
    Double: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true },
  },
};

function parent(resource: string, extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'Run child',
    States: {
      'Run child': {
        Type: 'Task',
        Resource: resource,
        Parameters: { StateMachineArn: `${ARN}child`, 'Input.$': '$', 'Name.$': '$.childName' },
        ResultPath: '$.child',
        End: true,
        ...extra,
      },
    },
  };
}

async function run(machine: string, input: Record<string, unknown>, name = 'p') {
  const { executionArn } = sfn.startExecution({ stateMachineArn: `${ARN}${machine}`, name, input: JSON.stringify(input) });
  return sfn.waitForExecution(executionArn);
}

describe('Class: StepFunctionsService (nested executions)', () => {
  it('startExecution.sync:2 waits for the child on the simulated clock and returns its Output as JSON', async () => {
    serve({ child: CHILD, parent: parent('arn:aws:states:::states:startExecution.sync:2') });
    const started = clock.now();
    const done = await run('parent', { n: 21, seconds: 600, childName: 'c1' });

    expect(done.status).toBe('SUCCEEDED');
    const out = JSON.parse(done.output ?? '{}') as { child: Record<string, unknown> };
    expect(out.child).toMatchObject({ Status: 'SUCCEEDED', Name: 'c1', Output: { doubled: 42 }, StateMachineArn: `${ARN}child` });
    expect(out.child.Input).toEqual({ n: 21, seconds: 600, childName: 'c1' });
    expect((done.stopDate ?? 0) - started).toBeGreaterThanOrEqual(600_000);
    const child = sfn.describeExecution(out.child.ExecutionArn as string);
    expect(child.status).toBe('SUCCEEDED');
    expect(sfn.history(done.executionArn).map((e) => e.type)).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']),
    );
  });

  it('startExecution.sync returns Output as a string; the request-response form returns as soon as the child starts', async () => {
    serve({ child: CHILD, sync: parent('arn:aws:states:::states:startExecution.sync'), fire: parent('arn:aws:states:::states:startExecution') });
    const synced = await run('sync', { n: 2, seconds: 60, childName: 'c-sync' }, 'p1');
    expect((JSON.parse(synced.output ?? '{}') as { child: { Output: unknown } }).child.Output).toBe('{"doubled":4}');

    const fired = await run('fire', { n: 2, seconds: 3600, childName: 'c-fire' }, 'p2');
    const out = JSON.parse(fired.output ?? '{}') as { child: { ExecutionArn: string; StartDate: number } };
    expect(Object.keys(out.child).sort()).toEqual(['ExecutionArn', 'StartDate']);
    expect(sfn.describeExecution(out.child.ExecutionArn).status).toBe('RUNNING');
  });

  it("a child that fails fails the Task with States.TaskFailed and the child's DescribeExecution as Cause, which Catch sees", async () => {
    const caught = parent('arn:aws:states:::states:startExecution.sync:2', {
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Caught' }],
    });
    const { End: _end, ...runChild } = caught.States['Run child'];
    serve({
      child: CHILD,
      parent: { ...caught, States: { 'Run child': { ...runChild, Next: 'Done' }, Caught: { Type: 'Pass', End: true }, Done: { Type: 'Succeed' } } },
    });
    const done = await run('parent', { n: 1, seconds: 1, fail: true, childName: 'c-fail' });
    const { error } = JSON.parse(done.output ?? '{}') as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('States.TaskFailed');
    expect(JSON.parse(error.Cause)).toMatchObject({ Status: 'FAILED', Error: 'ChildBroke', Cause: 'the child was asked to fail', Name: 'c-fail' });
  });

  it('a name already used by a closed child is StepFunctions.ExecutionAlreadyExistsException; the same name and input while running is the same child', async () => {
    serve({ child: CHILD, parent: parent('arn:aws:states:::states:startExecution.sync:2') });
    await run('parent', { n: 1, seconds: 1, childName: 'once' }, 'first');
    const again = await run('parent', { n: 1, seconds: 1, childName: 'once' }, 'second');
    expect(again.status).toBe('FAILED');
    expect(again.error).toBe('StepFunctions.ExecutionAlreadyExistsException');

    const a = sfn.startExecution({ stateMachineArn: `${ARN}parent`, name: 'a', input: JSON.stringify({ n: 3, seconds: 100, childName: 'shared' }) });
    const b = sfn.startExecution({ stateMachineArn: `${ARN}parent`, name: 'b', input: JSON.stringify({ n: 3, seconds: 100, childName: 'shared' }) });
    const [da, db] = await Promise.all([sfn.waitForExecution(a.executionArn), sfn.waitForExecution(b.executionArn)]);
    expect([da.status, db.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(sfn.listExecutions(`${ARN}child`).filter((e) => e.name === 'shared')).toHaveLength(1);
  });

  it('stopping the parent stops a .sync child, and a Task timeout stops it too', async () => {
    serve({
      child: CHILD,
      parent: parent('arn:aws:states:::states:startExecution.sync:2'),
      impatient: parent('arn:aws:states:::states:startExecution.sync:2', { TimeoutSeconds: 30 }),
    });
    const p = sfn.startExecution({ stateMachineArn: `${ARN}parent`, name: 'stopped', input: JSON.stringify({ n: 1, seconds: 3600, childName: 'orphan' }) });
    clock.setTimer(60_000, () => sfn.stopExecution(p.executionArn, 'Operator', 'enough'));
    expect((await sfn.waitForExecution(p.executionArn)).status).toBe('ABORTED');
    const [orphan] = sfn.listExecutions(`${ARN}child`).filter((e) => e.name === 'orphan');
    await sfn.waitForExecution(orphan.executionArn);
    expect(sfn.describeExecution(orphan.executionArn).status).toBe('ABORTED');

    const late = await run('impatient', { n: 1, seconds: 3600, childName: 'slow' }, 'impatient');
    expect(late.status).toBe('FAILED');
    expect(late.error).toBe('States.Timeout');
    const [slow] = sfn.listExecutions(`${ARN}child`).filter((e) => e.name === 'slow');
    expect((await sfn.waitForExecution(slow.executionArn)).status).toBe('ABORTED');
  });
});
