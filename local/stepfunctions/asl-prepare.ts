import type { Retrier } from './task-retry.js';

/** Resource of the Tasks that stand in for Wait states locally (never a real ARN). */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

/**
 * Largest Task TimeoutSeconds aws-local-stepfunctions can arm (its timer is a real setTimeout,
 * capped at 2^31-1 ms); local Tasks time themselves on the simulated clock instead.
 */
const NO_LIBRARY_TIMEOUT_SECONDS = 2_147_483;

/** The context field that carries the execution's simulated start time (the library overwrites StartTime with the wall clock). */
export const SIMULATED_START_TIME_FIELD = 'SimulatedStartTime';

export type TaskPlan =
  | { kind: 'wait' }
  | { kind: 'lambda-invoke'; state: string; resource: string; retry: Retrier[]; timeoutSeconds?: number }
  | { kind: 'lambda-function'; state: string; resource: string; retry: Retrier[]; timeoutSeconds?: number }
  | { kind: 'start-execution'; state: string; resource: string; pattern: StartExecutionPattern; retry: Retrier[]; timeoutSeconds?: number }
  | { kind: 'unsupported'; resource: string };

/**
 * How a Task starts another state machine: `request-response` returns once the execution has started; `sync` waits
 * for it and returns DescribeExecution's answer with Output as a string, `sync:2` with Output as JSON.
 */
export type StartExecutionPattern = 'request-response' | 'sync' | 'sync:2';

const START_EXECUTION = /^arn:aws[\w-]*:states:::states:startExecution(\.sync(:2)?)?$/;

export interface PreparedDefinition {
  /** What aws-local-stepfunctions runs. */
  definition: Record<string, unknown>;
  /** Local handler plan of every Task (and former Wait) state, by state name, nested states included. */
  tasks: Map<string, TaskPlan>;
  /** Each state's type in the deployed definition (history reports Waits as Waits). */
  stateTypes: Map<string, string>;
  /** States added locally: left out of the history. */
  internalStates: Set<string>;
  /** Top-level TimeoutSeconds, enforced on the simulated clock. */
  timeoutSeconds?: number;
}

export class UnsupportedDefinitionError extends Error {
  override name = 'UnsupportedDefinitionError';
}

type State = Record<string, unknown>;

/**
 * Rewrites a deployed ASL definition so that aws-local-stepfunctions runs it on the simulated clock:
 * - each Wait becomes a Task (same InputPath/OutputPath/Next/End) whose local handler sleeps on the
 *   clock; its Parameters carry the wait (Seconds/Timestamp, or the *Path evaluated by the library);
 * - Task Retry and TimeoutSeconds move into the local handler (retry intervals and timeouts on the
 *   clock), the library keeps Catch;
 * - Fail states whose ErrorPath/CausePath use intrinsic functions get a Pass in front that evaluates them
 *   (the library only evaluates plain paths there); Fail without Error/Cause reports none, as AWS does;
 * - `$$.Execution.StartTime` reads the simulated start time.
 * JSONata, variables (Assign) and Distributed Map are refused: the library would silently ignore them.
 */
export function prepareDefinition(deployed: Record<string, unknown>): PreparedDefinition {
  const out: PreparedDefinition = { definition: {}, tasks: new Map(), stateTypes: new Map(), internalStates: new Set() };
  refuseUnsupported(deployed, 'the state machine');
  const { TimeoutSeconds, ...rest } = deployed;
  const prepared = { ...rest, States: prepareStates(deployed.States as Record<string, State>, out) };
  const text = JSON.stringify(prepared).replace(/\$\$\.Execution\.StartTime\b/g, () => `$$.Execution.${SIMULATED_START_TIME_FIELD}`);
  out.definition = JSON.parse(text) as Record<string, unknown>;
  if (typeof TimeoutSeconds === 'number') out.timeoutSeconds = TimeoutSeconds;
  return out;
}

function prepareStates(states: Record<string, State>, out: PreparedDefinition): Record<string, State> {
  const result: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    const type = String(state.Type);
    out.stateTypes.set(name, type);
    refuseUnsupported(state, `state ${name}`);
    switch (type) {
      case 'Wait':
        result[name] = waitAsTask(state);
        out.tasks.set(name, { kind: 'wait' });
        break;
      case 'Task':
        result[name] = prepareTask(name, state, out);
        break;
      case 'Parallel':
        result[name] = {
          ...state,
          Branches: (state.Branches as State[]).map((b) => ({ ...b, States: prepareStates(b.States as Record<string, State>, out) })),
        };
        break;
      case 'Map': {
        const key = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
        const processor = state[key] as State;
        if ((processor.ProcessorConfig as State | undefined)?.Mode === 'DISTRIBUTED') {
          throw new UnsupportedDefinitionError(`state ${name}: Distributed Map is not supported by aws-local-stepfunctions`);
        }
        result[name] = { ...state, [key]: { ...processor, States: prepareStates(processor.States as Record<string, State>, out) } };
        break;
      }
      case 'Fail':
        Object.assign(result, prepareFail(name, state, out));
        break;
      case 'Pass':
        if ('Result' in state && !state.Result) {
          result[name] = falsyResultAsTask(state);
          out.tasks.set(name, { kind: 'wait' });
        } else result[name] = state;
        break;
      default:
        result[name] = state;
    }
  }
  return result;
}

function waitAsTask(state: State): State {
  const { Seconds, SecondsPath, Timestamp, TimestampPath, Type: _type, Comment: _comment, ...kept } = state;
  const parameters: State = { 'input.$': '$' };
  if (Seconds !== undefined) parameters.seconds = Seconds;
  else if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
  else if (Timestamp !== undefined) parameters.timestamp = Timestamp;
  else if (TimestampPath !== undefined) parameters['timestamp.$'] = TimestampPath;
  return { ...kept, Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, Parameters: parameters, TimeoutSeconds: NO_LIBRARY_TIMEOUT_SECONDS };
}

/**
 * A Pass whose Result is false, 0, "" or null: the library tests `if (Result)` and passes the input on instead, so
 * ScaleBuffer's `ok: false` came out as the whole item. It becomes a zero-second wait that returns that Result,
 * placed by the same ResultPath/OutputPath as on AWS.
 */
function falsyResultAsTask(state: State): State {
  const { Result, Type: _type, Comment: _comment, Parameters: _parameters, InputPath: _inputPath, ...kept } = state;
  return { ...kept, Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, Parameters: { input: Result, seconds: 0 }, TimeoutSeconds: NO_LIBRARY_TIMEOUT_SECONDS };
}

function prepareTask(name: string, state: State, out: PreparedDefinition): State {
  const { Retry, TimeoutSeconds, HeartbeatSeconds: _h, HeartbeatSecondsPath: _hp, ...kept } = state;
  const resource = String(state.Resource);
  const retry = (Retry ?? []) as Retrier[];
  const timeoutSeconds = typeof TimeoutSeconds === 'number' ? TimeoutSeconds : undefined;
  if (/^arn:aws[\w-]*:states:::lambda:invoke$/.test(resource)) out.tasks.set(name, { kind: 'lambda-invoke', state: name, resource, retry, timeoutSeconds });
  else if (/^arn:aws[\w-]*:lambda:[^:]+:\d+:function:/.test(resource))
    out.tasks.set(name, { kind: 'lambda-function', state: name, resource, retry, timeoutSeconds });
  else if (START_EXECUTION.test(resource)) {
    const pattern = resource.endsWith('.sync:2') ? 'sync:2' : resource.endsWith('.sync') ? 'sync' : 'request-response';
    out.tasks.set(name, { kind: 'start-execution', state: name, resource, pattern, retry, timeoutSeconds });
  } else out.tasks.set(name, { kind: 'unsupported', resource });
  // TimeoutSecondsPath stays with the library (a real-time limit over all attempts): it needs the state's input.
  return kept.TimeoutSecondsPath !== undefined ? kept : { ...kept, TimeoutSeconds: NO_LIBRARY_TIMEOUT_SECONDS };
}

function prepareFail(name: string, state: State, out: PreparedDefinition): Record<string, State> {
  const intrinsic = (v: unknown) => typeof v === 'string' && v.startsWith('States.');
  const fail: State = { ...state };
  if (fail.Error === undefined && fail.ErrorPath === undefined) fail.Error = '';
  if (fail.Cause === undefined && fail.CausePath === undefined) fail.Cause = '';
  if (!intrinsic(fail.ErrorPath) && !intrinsic(fail.CausePath)) return { [name]: fail };
  const evaluated = `${name} (local)`;
  out.internalStates.add(evaluated);
  const parameters: State = {};
  for (const field of ['Error', 'Cause'] as const) {
    const path = fail[`${field}Path`];
    if (path === undefined) continue;
    parameters[`${field}.$`] = path;
    fail[`${field}Path`] = `$.${field}`;
  }
  // The Pass keeps the Fail's name, so transitions and the history still point at it.
  return { [name]: { Type: 'Pass', Parameters: parameters, Next: evaluated }, [evaluated]: fail };
}

function refuseUnsupported(node: State, where: string): void {
  if (node.QueryLanguage === 'JSONata') throw new UnsupportedDefinitionError(`${where}: JSONata is not supported by aws-local-stepfunctions`);
  for (const field of ['Assign', 'Arguments', 'Output']) {
    if (field in node) throw new UnsupportedDefinitionError(`${where}: ${field} is not supported by aws-local-stepfunctions`);
  }
}
