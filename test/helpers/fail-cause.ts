import { expect } from 'vitest';

/** A fail cause split as the convention writes it (workflows/fail-cause.ts). */
export interface ReadableCause {
  sentence: string;
  details: Record<string, unknown>;
}

/** Lines of a stack trace ("at f (/var/task/index.mjs:1:2)"), or a file path of a function's bundle or a temp dir. */
const STACK_LINE = /\bat [^\s()]+ \(|\bat (file:\/\/|\/)|\/var\/task\/|\/tmp\/|node_modules\/|\.m?js:\d+:\d+/;

/**
 * Asserts that an execution's Cause follows the fail-cause convention and returns its parts: one plain sentence (no
 * '{', no line break, ends the way a sentence does) then one space and a JSON object; the JSON holds no stack trace,
 * no `trace` field, and no string that is itself JSON (no nested escaped JSON).
 */
export function expectReadableCause(cause: string | undefined): ReadableCause {
  expect(cause, 'the execution has a Cause').toBeTypeOf('string');
  const text = cause as string;
  const at = text.indexOf('{');
  expect(at, `the Cause has JSON details after its sentence: ${text.slice(0, 300)}`).toBeGreaterThan(1);
  const sentence = text.slice(0, at - 1);
  expect(text[at - 1], 'one space between the sentence and the details').toBe(' ');
  expect(sentence, 'the sentence is one plain line').toMatch(/^[^\s{}][^{}\n\r]*[^\s{}]$/);
  expect(sentence, 'the sentence starts with a word').toMatch(/^[\p{L}"]/u);
  let details: unknown;
  expect(
    () => {
      details = JSON.parse(text.slice(at));
    },
    `the details parse as JSON: ${text.slice(at, at + 300)}`,
  ).not.toThrow();
  expect(details, 'the details are a JSON object').toBeTypeOf('object');
  expect(Array.isArray(details), 'the details are an object, not an array').toBe(false);
  for (const [path, value] of leaves(details)) {
    expect(path, 'no stack trace field').not.toMatch(/(^|\.)(trace|stack|stackTrace)(\.|$|\[)/);
    if (typeof value !== 'string') continue;
    expect(value, `${path} holds no stack trace or file path`).not.toMatch(STACK_LINE);
    expect(isJsonText(value), `${path} holds no escaped JSON: ${value.slice(0, 200)}`).toBe(false);
  }
  return { sentence, details: details as Record<string, unknown> };
}

/** Every leaf of a JSON value with its path ("nodes[0].message"). */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[path ? `${path}.${k}` : k, v] as [string, unknown], ...leaves(v, path ? `${path}.${k}` : k)]);
  return [[path, value]];
}

function isJsonText(value: string): boolean {
  const trimmed = value.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
