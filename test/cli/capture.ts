import type { CliContext } from '../../cli/context.js';

/** A CliContext that keeps what a command prints. */
export function captureContext(env: NodeJS.ProcessEnv = {}): CliContext & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env,
    pollIntervalMs: 5,
    out: () => out,
    err: () => err,
  };
}
