/** Longest message a function's error carries: a sentence, not a dump (the logs hold the rest). */
export const PLAIN_MESSAGE_MAX = 600;

/**
 * An error message as a plain sentence for the workflows' fail causes (workflows/fail-cause.ts): one line, no '{' or
 * '}' (the cause's JSON details start at its first '{'), at most PLAIN_MESSAGE_MAX characters. Messages quote provider
 * answers and inputs, which may be JSON: braces become parentheses, so the words stay.
 */
export function plainMessage(message: string): string {
  const line = message.replace(/\{/g, '(').replace(/\}/g, ')').replace(/\s+/g, ' ').trim();
  return line.length > PLAIN_MESSAGE_MAX ? `${line.slice(0, PLAIN_MESSAGE_MAX - 1)}…` : line;
}

/** The error a function throws, with its message made plain; its name (what Retry and Catch match) is kept. */
export function withPlainMessage(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const plain = plainMessage(err.message);
  if (plain !== err.message) err.message = plain;
  return err;
}
