import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import { IdSource } from '../../local/ids.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import { StepFunctionsService } from '../../local/stepfunctions/stepfunctions.js';
import type { LambdaFunctionSpec } from '../../local/types.js';
import { Clock } from '../../sim/clock.js';
import { provisionNodeDefinition } from '../../workflows/provision-node.js';
import { expectReadableCause } from '../helpers/fail-cause.js';

const ARN = 'arn:aws:states:eu-west-3:123456789012:stateMachine:provision-node';
const fnArn = (name: string) => `arn:aws:lambda:eu-west-3:123456789012:function:${name}`;

let clock: Clock;
let runner: LambdaRunner;
let service: StepFunctionsService;

afterEach(async () => {
  await service?.stop();
  await runner?.stop();
  clock?.stop();
});

/** ProvisionNode's definition, its functions named by ARN; only validate-input is run here. */
function definition(): Record<string, unknown> {
  const stack = new Stack(new App(), 'Provision');
  const fn = (name: string) => lambda.Function.fromFunctionArn(stack, name, fnArn(name));
  const chain = provisionNodeDefinition(stack, { validate: fn('validate'), claims: fn('claims'), cluster: fn('cluster'), providers: [fn('aws')] });
  return stack.resolve(new sfn.StateGraph(sfn.Chain.start(chain).startState, 'test').toGraphJson()) as Record<string, unknown>;
}

function hangingValidate(): LambdaFunctionSpec {
  return {
    logicalId: 'validate',
    name: 'validate',
    arn: fnArn('validate'),
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    env: {},
    // Longer than the Task's timeout, so the Task's States.Timeout is what ends each attempt.
    timeoutSeconds: 300,
    memoryMb: 128,
    code: { kind: 'inline', source: 'exports.handler = () => new Promise(() => {});' },
  };
}

describe('Function: provisionNodeDefinition', () => {
  it('"Validation timed out": validate-input never answering says nothing was claimed, and sends nobody to logs', async () => {
    // A handler that never answers holds a virtual clock for ever: scaled time runs past the Task's timeouts instead.
    clock = new Clock({ mode: 'scaled', factor: 1000 });
    runner = new LambdaRunner({ functions: [hangingValidate()], clock, region: 'eu-west-3', environment: {}, onLog: () => undefined });
    service = new StepFunctionsService({ clock, region: 'eu-west-3', accountId: '123456789012', lambdas: runner, ids: new IdSource('t'), random: () => 0.5 });
    service.addStateMachine({
      logicalId: 'M',
      name: 'provision-node',
      arn: ARN,
      type: 'STANDARD',
      roleArn: 'arn:aws:iam::123456789012:role/m',
      definition: definition(),
    });
    const { executionArn } = service.startExecution({ stateMachineArn: ARN, input: JSON.stringify({ pool: 'aws-amd64' }) });
    const out = await service.waitForExecution(executionArn);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ValidationTimedOut');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toMatch(/^The request could not be checked in time .*nothing was claimed or launched; start it again$/);
    expect(cause.sentence).not.toMatch(/log/);
    expect(cause.details).toEqual({ error: 'States.Timeout' });
  });
});
