import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import { IdSource } from '../../local/ids.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import { StepFunctionsService } from '../../local/stepfunctions/stepfunctions.js';
import { Clock } from '../../sim/clock.js';
import { failWithCause, readError } from '../../workflows/fail-cause.js';
import { expectReadableCause } from '../helpers/fail-cause.js';

const ARN = 'arn:aws:states:eu-west-3:123456789012:stateMachine:fail-cause';

let clock: Clock;
let runner: LambdaRunner;
let service: StepFunctionsService;

afterEach(async () => {
  await service?.stop();
  await runner?.stop();
  clock?.stop();
});

/** A caught error at $.error, read by readError, then failWithCause: the pair every workflow uses. */
function definition(): Record<string, unknown> {
  const stack = new Stack(new App(), 'FailCause');
  const chain = readError(stack, 'Read error', '$.error', '$.failure').next(
    failWithCause(stack, 'Thing failed', {
      error: 'ThingFailed',
      sentence: sfn.JsonPath.format(
        'Thing {} failed, {}: {}',
        sfn.JsonPath.stringAt('$.thing'),
        sfn.JsonPath.stringAt('$.failure.error'),
        sfn.JsonPath.stringAt('$.failure.message'),
      ),
      details: { 'thing.$': '$.thing', 'failure.$': '$.failure' },
    }),
  );
  return stack.resolve(new sfn.StateGraph(sfn.Chain.start(chain).startState, 'test').toGraphJson()) as Record<string, unknown>;
}

/** Runs the definition in the local control plane's Step Functions (aws-local-stepfunctions) with this input. */
async function run(input: unknown) {
  clock = new Clock({ mode: 'virtual' });
  runner = new LambdaRunner({ functions: [], clock, region: 'eu-west-3', environment: {} });
  service = new StepFunctionsService({ clock, region: 'eu-west-3', accountId: '123456789012', lambdas: runner, ids: new IdSource('t'), random: () => 0.5 });
  service.addStateMachine({
    logicalId: 'M',
    name: 'fail-cause',
    arn: ARN,
    type: 'STANDARD',
    roleArn: 'arn:aws:iam::123456789012:role/m',
    definition: definition(),
  });
  const { executionArn } = service.startExecution({ stateMachineArn: ARN, input: JSON.stringify(input) });
  return service.waitForExecution(executionArn);
}

const lambdaCause = JSON.stringify({
  errorType: 'ProviderRequestError',
  errorMessage: 'EC2 refused the launch: UnauthorizedOperation; grant ec2:RunInstances',
  trace: ['ProviderRequestError: EC2 refused the launch', '    at launch (/var/task/index.mjs:12:34)'],
});

describe('Function: readError + failWithCause (run by aws-local-stepfunctions)', () => {
  it.each([
    [
      'a Lambda error (JSON with a stack trace): its message only',
      { Error: 'ProviderRequestError', Cause: lambdaCause },
      'EC2 refused the launch: UnauthorizedOperation; grant ec2:RunInstances',
    ],
    [
      "a Lambda error that lists errorMessage first (a timed-out function's)",
      { Error: 'Sandbox.Timedout', Cause: '{"errorMessage":"RequestId: 1 Error: Task timed out after 30.00 seconds","errorType":"Sandbox.Timedout"}' },
      'RequestId: 1 Error: Task timed out after 30.00 seconds',
    ],
    [
      'a plain text cause: as it is',
      { Error: 'RegistrationTimeout', Cause: 'VM i-1 did not register a Ready Node within 60 polls of 15 s.' },
      'VM i-1 did not register a Ready Node within 60 polls of 15 s.',
    ],
    ['an empty cause (a task timeout): the error name', { Error: 'States.Timeout', Cause: '' }, 'States.Timeout (no message)'],
    ['no cause at all: the error name', { Error: 'States.Timeout' }, 'States.Timeout (no message)'],
  ])('%s', async (_, error, message) => {
    const out = await run({ thing: 'gizmo', error });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ThingFailed');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toBe(`Thing gizmo failed, ${error.Error}: ${message}`);
    expect(cause.details).toEqual({ thing: 'gizmo', failure: { error: error.Error, message } });
  });

  it('renders the Fail with the Cause built in CausePath from the Pass before it', () => {
    const states = (definition() as { States: Record<string, Record<string, unknown>> }).States;
    expect(states['Thing failed']).toEqual({
      Type: 'Fail',
      Error: 'ThingFailed',
      CausePath: "States.Format('{} {}', $.sentence, States.JsonToString($.details))",
    });
    expect(states['Explain thing failed']).toMatchObject({ Type: 'Pass', Next: 'Thing failed' });
  });
});

describe('Function: expectReadableCause', () => {
  it.each([
    ['a raw Lambda error', lambdaCause],
    ['a sentence without details', 'Something failed; try again.'],
    ['details that are not JSON', 'Something failed. {not json}'],
    ['a sentence with a brace in it', 'Something {x} failed. {"a":1}'],
    ['a stack trace in the details', `Something failed. ${JSON.stringify({ nodes: [{ trace: ['at x'] }] })}`],
    ['a file path in the details', `Something failed. ${JSON.stringify({ message: 'boom at f (/var/task/index.mjs:1:2)' })}`],
    ['nested escaped JSON', `Something failed. ${JSON.stringify({ nodes: [{ cause: lambdaCause }] })}`],
  ])('fails on %s', (_, cause) => {
    expect(() => expectReadableCause(cause)).toThrow();
  });
});
