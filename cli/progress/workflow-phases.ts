import type { SlotData } from './slot-events.js';

/** The phase line a state's exit means for its slot (undefined: no line). */
export type PhaseLine = (data: SlotData) => string | undefined;

/** A workflow's progress as a person follows it: which state exits are phases, and how a poll shows. */
export interface WorkflowPhases {
  /** Phase lines by state name, read from the state's output. */
  exits: Record<string, PhaseLine>;
  /** States entered once per poll: shown as one updating status line on a terminal, not as lines. */
  polls: Record<string, (data: SlotData) => string>;
  /** A workflow about one node (RemoveNode): every state is that node's, and lines carry no slot prefix. */
  singleNode?: boolean;
}

/**
 * The sentence of a cause, short. A workflow's fail cause is "<sentence> <JSON details>" (workflows/fail-cause.ts):
 * its whole sentence; any other cause (a Lambda error's JSON, a plain text) its first sentence. The full text is in
 * the execution.
 */
export function causeSummary(cause: unknown, max = 160): string {
  const text = typeof cause === 'string' ? readable(cause) : '';
  const sentence = splitCause(text)?.sentence ?? /^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > max ? `${sentence.slice(0, max - 1)}…` : sentence;
}

/** A cause in the fail-cause convention, split into its sentence and its details; undefined for any other text. */
export function splitCause(cause: string): { sentence: string; details: unknown } | undefined {
  const at = cause.indexOf('{');
  if (at < 2 || cause[at - 1] !== ' ') return undefined;
  try {
    return { sentence: cause.slice(0, at - 1), details: JSON.parse(cause.slice(at)) };
  } catch {
    return undefined;
  }
}

/** A Lambda error cause is JSON with errorType and errorMessage; a Fail state's is often a plain sentence. */
function readable(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: already a sentence.
  }
  return cause;
}
