import type { Clock } from '../../sim/index.js';
import { AwsApiError } from '../errors.js';
import type { StartExecutionPattern, TaskPlan } from './asl-prepare.js';
import { type ClockActivity, sleepOnClock } from './clock-activity.js';
import { type ExecutionHistory, json } from './execution-history.js';
import { statesError } from './states-error.js';
import { RetryPolicy } from './task-retry.js';

/** What a nested execution needs of the service that runs it. */
export interface ExecutionStarter {
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: number };
  waitForExecution(arn: string): Promise<ChildExecution>;
  stopExecution(arn: string, error?: string, cause?: string): unknown;
}

/** The fields of DescribeExecution a nested execution reports. */
export interface ChildExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface NestedExecutionTask {
  service: ExecutionStarter;
  clock: Clock;
  region: string;
  random: () => number;
  plan: Extract<TaskPlan, { kind: 'start-execution' }>;
  input: Json;
  history: ExecutionHistory;
  activity: ClockActivity;
  signal: AbortSignal;
}

const RESOURCE: Record<StartExecutionPattern, string> = {
  'request-response': 'startExecution',
  sync: 'startExecution.sync',
  'sync:2': 'startExecution.sync:2',
};

/**
 * A Task whose resource is `arn:aws:states:::states:startExecution[.sync[:2]]` ("Start a new AWS Step Functions
 * state machine from a running execution", Step Functions developer guide):
 * - Parameters StateMachineArn, Input (JSON, or a string passed as is) and Name, as StartExecution takes them;
 * - request-response returns `{ExecutionArn, StartDate}` once the child has started;
 * - `.sync` / `.sync:2` wait for the child and return DescribeExecution's answer, Output a string (`.sync`) or JSON
 *   (`.sync:2`); a child that fails, times out or is aborted fails the Task with `States.TaskFailed`, the child's
 *   DescribeExecution answer as Cause;
 * - a refused StartExecution is `StepFunctions.<Code>Exception` (e.g. ExecutionAlreadyExistsException);
 * - when the Task ends before the child (the parent stopped, TimeoutSeconds), the child is stopped, as Step Functions
 *   does for the `.sync` pattern on a best-effort basis.
 * Retry intervals and TimeoutSeconds run on the simulated clock, as for Lambda tasks.
 */
export async function runNestedExecution(task: NestedExecutionTask): Promise<Json> {
  const { plan, history, signal, clock } = task;
  const params = (task.input ?? {}) as { StateMachineArn?: unknown; Input?: Json; Name?: unknown };
  if (typeof params.StateMachineArn !== 'string') throw statesError('States.Runtime', `${plan.resource} needs Parameters.StateMachineArn`, false);
  const request = {
    stateMachineArn: params.StateMachineArn,
    name: typeof params.Name === 'string' ? params.Name : undefined,
    input: params.Input === undefined ? '{}' : typeof params.Input === 'string' ? params.Input : JSON.stringify(params.Input),
  };
  const taskInfo = { resourceType: 'states', resource: RESOURCE[plan.pattern] };
  const retry = new RetryPolicy(plan.retry, task.random);
  for (;;) {
    if (signal.aborted) throw statesError('States.Runtime', 'execution stopped', false);
    history.add('TaskScheduled', { ...taskInfo, region: task.region, parameters: json(task.input), timeoutInSeconds: plan.timeoutSeconds });
    history.add('TaskStarted', taskInfo);
    const failure = await attempt(task, request);
    if (!('error' in failure)) {
      history.add('TaskSucceeded', { ...taskInfo, output: json(failure.output) });
      return failure.output;
    }
    history.add(failure.error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', { ...taskInfo, error: failure.error, cause: failure.cause });
    const delay = retry.nextDelayMs(failure.error);
    if (delay === undefined) throw statesError(failure.error, failure.cause);
    await task.activity.idleWhile(sleepOnClock(clock, delay, signal));
  }
}

type Attempt = { output: Json } | { error: string; cause: string };

async function attempt(task: NestedExecutionTask, request: { stateMachineArn: string; name?: string; input: string }): Promise<Attempt> {
  const { service, plan, history, signal, clock } = task;
  let started: { executionArn: string; startDate: number };
  try {
    started = service.startExecution(request);
  } catch (err) {
    if (err instanceof AwsApiError) return { error: `StepFunctions.${err.code}Exception`, cause: err.message };
    throw err;
  }
  const submitted = { ExecutionArn: started.executionArn, StartDate: started.startDate };
  if (plan.pattern === 'request-response') return { output: submitted };
  history.add('TaskSubmitted', { resourceType: 'states', resource: RESOURCE[plan.pattern], output: json(submitted) });

  let stopChild: ((why: string) => void) | undefined = (why) => service.stopExecution(started.executionArn, 'States.Aborted', why);
  const onAbort = () => stopChild?.('the parent execution stopped');
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<Clock['setTimer']> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (plan.timeoutSeconds !== undefined) timer = clock.setTimer(plan.timeoutSeconds * 1000, () => resolve('timeout'), 'nested execution timeout');
  });
  try {
    const ended = await task.activity.idleWhile(Promise.race([service.waitForExecution(started.executionArn), timedOut]));
    if (ended === 'timeout') {
      stopChild?.(`the parent's task timed out after ${plan.timeoutSeconds} s`);
      return { error: 'States.Timeout', cause: '' };
    }
    stopChild = undefined;
    const described = describeOutput(ended, plan.pattern);
    if (ended.status === 'SUCCEEDED') return { output: described };
    return { error: 'States.TaskFailed', cause: JSON.stringify(described) };
  } finally {
    clock.cancel(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** DescribeExecution's answer as the Task returns it; `.sync:2` parses Input and Output. */
function describeOutput(e: ChildExecution, pattern: StartExecutionPattern): Json {
  const parse = pattern === 'sync:2';
  const out: { [key: string]: Json } = {
    ExecutionArn: e.executionArn,
    StateMachineArn: e.stateMachineArn,
    Name: e.name,
    Status: e.status,
    StartDate: e.startDate,
    StopDate: e.stopDate ?? null,
    Input: parse ? (JSON.parse(e.input) as Json) : e.input,
    InputDetails: { Included: true },
  };
  if (e.output !== undefined) {
    out.Output = parse ? (JSON.parse(e.output) as Json) : e.output;
    out.OutputDetails = { Included: true };
  }
  if (e.error !== undefined) out.Error = e.error;
  if (e.cause !== undefined) out.Cause = e.cause;
  return out;
}
