import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { causeSummary, splitCause } from './progress/workflow-phases.js';

/**
 * One progress line for a history event, or undefined for events not worth a line. States entered and
 * exited, and failures inside them (by error name only: causes can quote provider responses).
 */
export function progressLine(event: HistoryEvent): string | undefined {
  const at = event.timestamp ? event.timestamp.toISOString() : '-';
  const type = event.type ?? '';
  const entered = /^(\w+)StateEntered$/.exec(type);
  if (entered && event.stateEnteredEventDetails) return `${at}  entered  ${event.stateEnteredEventDetails.name} (${entered[1]})`;
  const exited = /^(\w+)StateExited$/.exec(type);
  if (exited && event.stateExitedEventDetails) return `${at}  exited   ${event.stateExitedEventDetails.name}`;
  if (type.startsWith('Execution')) return undefined;
  if (type.endsWith('Failed') || type.endsWith('TimedOut')) {
    const error = failureError(event);
    return `${at}  ${type}${error ? `: ${error}` : ''}`;
  }
  return undefined;
}

function failureError(event: HistoryEvent): string | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && 'error' in value && typeof value.error === 'string') return value.error;
  }
  return undefined;
}

/** What the execution ended with: the error and a readable cause, or success (with the output, pretty, when asked). */
export function outcomeText(execution: DescribeExecutionOutput, options: { withOutput?: boolean } = { withOutput: true }): string {
  const duration = execution.startDate && execution.stopDate ? ` ${elapsed(execution.stopDate.getTime() - execution.startDate.getTime())}` : '';
  if (execution.status === 'SUCCEEDED')
    return options.withOutput ? `execution SUCCEEDED${duration}\n${prettyJson(execution.output ?? 'null')}\n` : `execution SUCCEEDED${duration}\n`;
  const lines = [`execution ${execution.status}${duration}`];
  if (execution.error) lines.push(`error: ${execution.error}`);
  if (execution.cause) lines.push(`cause: ${options.withOutput ? readableCause(execution.cause) : causeSummary(execution.cause, 400)}`);
  return `${lines.join('\n')}\n`;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * A workflow's fail cause: its sentence, then its details, pretty. A Lambda error cause is JSON with errorType,
 * errorMessage and a stack trace; the trace is noise here.
 */
function readableCause(cause: string): string {
  const split = splitCause(cause);
  if (split) return `${split.sentence}\n${JSON.stringify(split.details, null, 2)}`;
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string')
      return typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${parsed.errorMessage}` : parsed.errorMessage;
  } catch {
    // Not JSON: a plain message.
  }
  return cause;
}

/**
 * How long an execution ran, as a phrase after its status. Under a second is said so, not rounded to "0s": a run
 * with no Wait and no retry interval (a RemoveNode of a node with no pods) takes well under a second of simulated
 * time in the local control plane (its virtual clock does not move while functions run; at --speed 10, 90 ms of
 * warm invocations are 0.9 s), and on AWS it can take about as long.
 */
export function elapsed(ms: number): string {
  if (ms < 500) return 'in under a second';
  const s = Math.round(ms / 1000);
  return s < 120 ? `after ${s}s` : `after ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
