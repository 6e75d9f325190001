import { StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../../sim/index.js';
import { AwsApiError, LambdaFunctionError, LambdaServiceError, TemplateError } from '../errors.js';
import type { IdSource } from '../ids.js';
import type { EventBridgeEvent, LambdaInvoker, StateMachineSpec } from '../types.js';
import { type PreparedDefinition, prepareDefinition, SIMULATED_START_TIME_FIELD, type TaskPlan } from './asl-prepare.js';
import { ClockActivity, sleepOnClock } from './clock-activity.js';
import { ExecutionHistory, json, type LibraryEvent } from './execution-history.js';
import { runNestedExecution } from './nested-execution.js';
import { statesError } from './states-error.js';
import { statusChangeEvent } from './status-events.js';
import { RetryPolicy } from './task-retry.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution as DescribeExecution reports it (dates in simulated epoch ms). */
export interface ExecutionView {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

export interface LoadedStateMachine {
  spec: StateMachineSpec;
  prepared: PreparedDefinition;
  creationDate: number;
}

interface Execution extends ExecutionView {
  machine: LoadedStateMachine;
  history: ExecutionHistory;
  done: Promise<void>;
  /** Set by StopExecution or the execution timeout; ends the run. */
  stop?: (outcome: Outcome) => void;
}

type Outcome = { status: 'SUCCEEDED'; output: string } | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error?: string; cause?: string };

export interface StepFunctionsOptions {
  clock: Clock;
  region: string;
  accountId: string;
  lambdas: LambdaInvoker;
  /** Names of executions started without one. */
  ids: IdSource;
  /** For Retry JitterStrategy FULL; seeded by the caller so runs repeat. */
  random: () => number;
  /** Where Standard executions' status change events go (the default event bus), with their event ids. */
  statusEvents?: { publish(event: EventBridgeEvent): void; ids: IdSource };
}

/** A value aws-local-stepfunctions passes to and takes from local Task handlers. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Step Functions (standard workflows) on the simulated clock, running ASL with aws-local-stepfunctions. */
export class StepFunctionsService {
  private readonly machines = new Map<string, LoadedStateMachine>();
  private readonly executions = new Map<string, Execution>();
  /** Set by stop(): the local control plane is going away, which is no status change of the workflow's. */
  private stopping = false;

  constructor(private readonly options: StepFunctionsOptions) {}

  addStateMachine(spec: StateMachineSpec): void {
    let prepared: PreparedDefinition;
    try {
      // Validate the deployed definition as CreateStateMachine would (the library's validator mutates its input).
      new StateMachine(structuredClone(spec.definition) as never);
      prepared = prepareDefinition(spec.definition);
    } catch (err) {
      throw new TemplateError(`state machine ${spec.name}: ${(err as Error).message}`);
    }
    this.machines.set(spec.arn, { spec, prepared, creationDate: this.options.clock.now() });
  }

  listStateMachines(): LoadedStateMachine[] {
    return [...this.machines.values()];
  }

  describeStateMachine(arn: string): LoadedStateMachine {
    const machine = this.machines.get(checkArn(arn, 'stateMachine'));
    if (!machine) throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /**
   * StartExecution. Same name and same input as an execution still running returns that execution
   * (idempotent); a different input, or a closed execution of that name, is ExecutionAlreadyExists.
   */
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: number } {
    const machine = this.describeStateMachine(request.stateMachineArn);
    const name = request.name ?? this.options.ids.uuid();
    if (!validName(name)) throw new AwsApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsed: Json;
    try {
      parsed = JSON.parse(input) as Json;
    } catch {
      throw new AwsApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input.slice(0, 100)}'`);
    }
    const executionArn = `arn:aws:states:${this.options.region}:${this.options.accountId}:execution:${machine.spec.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn,
      stateMachineArn: machine.spec.arn,
      name,
      status: 'RUNNING',
      input,
      startDate: this.options.clock.now(),
      machine,
      history: new ExecutionHistory(this.options.clock),
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    execution.history.add('ExecutionStarted', { input, inputDetails: { truncated: false }, roleArn: machine.spec.roleArn });
    this.publishStatus(execution);
    execution.done = this.run(execution, parsed);
    return { executionArn, startDate: execution.startDate };
  }

  describeExecution(arn: string): ExecutionView {
    return view(this.execution(arn));
  }

  /** Newest first, as ListExecutions returns them. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionView[] {
    this.describeStateMachine(stateMachineArn);
    // Reversed first so that executions started at the same simulated instant also list newest first.
    return [...this.executions.values()]
      .reverse()
      .filter((e) => e.stateMachineArn === stateMachineArn && (!statusFilter || e.status === statusFilter))
      .sort((a, b) => b.startDate - a.startDate)
      .map(view);
  }

  history(arn: string): ExecutionHistory['events'] {
    return this.execution(arn).history.events;
  }

  stopExecution(arn: string, error?: string, cause?: string): { stopDate: number } {
    const execution = this.execution(arn);
    execution.stop?.({ status: 'ABORTED', error, cause });
    return { stopDate: execution.stopDate ?? this.options.clock.now() };
  }

  /** Resolves once the execution has finished, whatever drives the clock. */
  async waitForExecution(arn: string): Promise<ExecutionView> {
    const execution = this.execution(arn);
    await execution.done;
    return view(execution);
  }

  /** Aborts every running execution. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) e.stop?.({ status: 'ABORTED', error: 'LocalControlPlaneStopped' });
    await Promise.all(running.map((e) => e.done));
  }

  private execution(arn: string): Execution {
    const execution = this.executions.get(checkArn(arn, 'execution'));
    if (!execution) throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private async run(execution: Execution, input: Json): Promise<void> {
    const { clock } = this.options;
    const { prepared, spec } = execution.machine;
    const activity = new ClockActivity(clock);
    activity.enter();
    const abort = new AbortController();
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, plan] of prepared.tasks) handlers[stateName] = this.taskHandler(plan, execution, activity, abort.signal);
    const startTime = clock.iso(execution.startDate);
    const machine = new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } });
    const run = machine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, RoleArn: spec.roleArn, StartTime: startTime, [SIMULATED_START_TIME_FIELD]: startTime },
        StateMachine: { Id: spec.arn, Name: spec.name },
      },
      noThrowOnAbort: true,
    });
    const recorded = (async () => {
      for await (const e of run.eventLogs) execution.history.addLibraryEvent(e as LibraryEvent, prepared);
    })();
    let forced: Outcome | undefined;
    execution.stop = (outcome) => {
      if (forced) return;
      forced = outcome;
      abort.abort();
      run.abort();
    };
    const timeout =
      prepared.timeoutSeconds === undefined
        ? undefined
        : clock.setTimer(
            prepared.timeoutSeconds * 1000,
            () => execution.stop?.({ status: 'TIMED_OUT', error: 'States.Timeout' }),
            `execution timeout ${execution.name}`,
          );
    activity.leave();
    let outcome: Outcome;
    try {
      const output = await run.result;
      outcome = forced ?? { status: 'SUCCEEDED', output: json(output) };
    } catch (err) {
      const failure = (err as Error).cause as Error | undefined;
      outcome = forced ?? { status: 'FAILED', error: failure?.name || undefined, cause: failure?.message || undefined };
    }
    await recorded;
    clock.cancel(timeout);
    this.finish(execution, outcome);
  }

  private finish(execution: Execution, outcome: Outcome): void {
    execution.stop = undefined;
    execution.status = outcome.status;
    execution.stopDate = this.options.clock.now();
    if (outcome.status === 'SUCCEEDED') {
      execution.output = outcome.output;
      execution.history.close('ExecutionSucceeded', { output: outcome.output, outputDetails: { truncated: false } });
      this.publishStatus(execution);
      return;
    }
    execution.error = outcome.error;
    execution.cause = outcome.cause;
    const type = { FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[outcome.status];
    execution.history.close(type, { error: outcome.error, cause: outcome.cause });
    this.publishStatus(execution);
  }

  /** Step Functions sends status changes of Standard workflows only (Express ones go to CloudWatch Logs). */
  private publishStatus(execution: Execution): void {
    const target = this.options.statusEvents;
    if (!target || this.stopping || execution.machine.spec.type !== 'STANDARD') return;
    const { region, accountId, clock } = this.options;
    target.publish(statusChangeEvent(view(execution), { id: target.ids.uuid(), region, accountId, now: clock.now() }));
  }

  private taskHandler(plan: TaskPlan, execution: Execution, activity: ClockActivity, signal: AbortSignal): (input: Json) => Promise<Json> {
    const { clock } = this.options;
    if (plan.kind === 'wait') {
      return (params) =>
        activity.run(async () => {
          const { seconds, timestamp, input } = params as { seconds?: unknown; timestamp?: unknown; input: Json };
          await activity.idleWhile(sleepOnClock(clock, waitMs(seconds, timestamp, clock.now()), signal));
          return input;
        });
    }
    if (plan.kind === 'start-execution') {
      const { region, random } = this.options;
      return (input) =>
        activity.run(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return runNestedExecution({ service: this, clock, region, random, plan, input, history: execution.history, activity, signal });
        });
    }
    if (plan.kind === 'unsupported') {
      return async () => {
        throw statesError('States.Runtime', `Task resource ${plan.resource} is not supported by the local control plane`, false);
      };
    }
    return (input) =>
      activity.run(async () => {
        // The library records the state's entry on a later microtask: let it land first.
        await new Promise((resolve) => setImmediate(resolve));
        return this.runLambdaTask(plan, input, execution.history, activity, signal);
      });
  }

  /** One entry into a Lambda Task: attempts, Retry intervals and TimeoutSeconds on the simulated clock. */
  private async runLambdaTask(
    plan: Extract<TaskPlan, { kind: 'lambda-invoke' | 'lambda-function' }>,
    input: Json,
    history: ExecutionHistory,
    activity: ClockActivity,
    signal: AbortSignal,
  ): Promise<Json> {
    const { clock, lambdas, region } = this.options;
    const integration = plan.kind === 'lambda-invoke';
    const params = (input ?? {}) as { FunctionName?: string; Payload?: Json; InvocationType?: string };
    const functionRef = integration ? params.FunctionName : plan.resource;
    if (!functionRef) throw statesError('States.Runtime', 'The lambda:invoke task needs Parameters.FunctionName', false);
    const payload = integration ? (params.Payload ?? {}) : input;
    const retry = new RetryPolicy(plan.retry, this.options.random);
    const task = { resourceType: 'lambda', resource: 'invoke' };
    for (;;) {
      if (signal.aborted) throw statesError('States.Runtime', 'execution stopped', false);
      if (integration) {
        history.add('TaskScheduled', { ...task, region, parameters: json(input), timeoutInSeconds: plan.timeoutSeconds });
        history.add('TaskStarted', task);
      } else {
        history.add('LambdaFunctionScheduled', { resource: plan.resource, input: json(input), timeoutInSeconds: plan.timeoutSeconds });
        history.add('LambdaFunctionStarted');
      }
      let failure: { name: string; cause: string; timedOut: boolean };
      try {
        if (integration && params.InvocationType === 'Event') {
          lambdas.invoke(functionRef, payload, { state: plan.state }).catch(() => undefined);
          const accepted = invokeResult('', 202);
          history.add('TaskSucceeded', { ...task, output: json(accepted) });
          return accepted;
        }
        const result = (await activity.idleWhile(
          withTimeout(clock, lambdas.invoke(functionRef, payload, { state: plan.state }), plan.timeoutSeconds, signal),
        )) as Json;
        const output = integration ? invokeResult(result, 200) : result;
        history.add(integration ? 'TaskSucceeded' : 'LambdaFunctionSucceeded', integration ? { ...task, output: json(output) } : { output: json(output) });
        return output;
      } catch (err) {
        failure = taskFailure(err);
      }
      const failed = { error: failure.name, cause: failure.cause };
      if (integration) history.add(failure.timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...task, ...failed });
      else history.add(failure.timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', failed);
      const delay = retry.nextDelayMs(failure.name);
      if (delay === undefined) throw statesError(failure.name, failure.cause);
      await activity.idleWhile(sleepOnClock(clock, delay, signal));
    }
  }
}

/** Result of the lambda:invoke integration (what ResultSelector / OutputPath `$.Payload` read). */
function invokeResult(payload: Json, statusCode: number): Json {
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { HttpHeaders: {}, HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: '' },
    StatusCode: statusCode,
  };
}

class TaskTimeoutError extends Error {
  override name = 'States.Timeout';
}

function withTimeout<T>(clock: Clock, work: Promise<T>, seconds: number | undefined, signal: AbortSignal): Promise<T> {
  if (seconds === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(seconds * 1000, () => reject(new TaskTimeoutError('')), 'task timeout');
    const onAbort = () => clock.cancel(timer);
    signal.addEventListener('abort', onAbort, { once: true });
    // One listener per attempt on the execution's signal: remove it when the attempt settles, or a long execution
    // piles them up (Node's MaxListenersExceededWarning at 11).
    const settle = () => {
      clock.cancel(timer);
      signal.removeEventListener('abort', onAbort);
    };
    work.then(
      (v) => {
        settle();
        resolve(v);
      },
      (e) => {
        settle();
        reject(e);
      },
    );
  });
}

/** Error name and Cause as Step Functions reports a failed Lambda task. */
function taskFailure(err: unknown): { name: string; cause: string; timedOut: boolean } {
  if (err instanceof LambdaFunctionError) return { name: err.errorType, cause: err.causeJson(), timedOut: false };
  if (err instanceof TaskTimeoutError) return { name: 'States.Timeout', cause: '', timedOut: true };
  if (err instanceof LambdaServiceError) return { name: err.name, cause: err.message, timedOut: false };
  return { name: 'States.TaskFailed', cause: (err as Error)?.message ?? String(err), timedOut: false };
}

function waitMs(seconds: unknown, timestamp: unknown, now: number): number {
  if (seconds !== undefined) {
    if (!Number.isInteger(seconds) || (seconds as number) < 0)
      throw statesError('States.Runtime', `Wait seconds must be a non-negative integer, got ${json(seconds)}`, false);
    return (seconds as number) * 1000;
  }
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) throw statesError('States.Runtime', `Wait timestamp must be an ISO-8601 timestamp, got ${json(timestamp)}`, false);
  return Math.max(0, at - now);
}

/** Execution names: 1-80 characters, no whitespace, brackets, wildcards, special or control characters. */
function validName(name: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  return name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

function checkArn(arn: string, kind: 'stateMachine' | 'execution'): string {
  if (typeof arn !== 'string' || !new RegExp(`^arn:aws[\\w-]*:states:[^:]+:\\d{12}:${kind}:`).test(arn)) {
    throw new AwsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  return arn;
}

function view(e: Execution): ExecutionView {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    input: e.input,
    output: e.output,
    error: e.error,
    cause: e.cause,
    startDate: e.startDate,
    stopDate: e.stopDate,
  };
}
