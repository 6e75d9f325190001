/** Where a command writes and what environment it reads; tests pass their own to capture output. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** How often `start` polls a running execution, ms. */
  pollIntervalMs: number;
}

export function processContext(): CliContext {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    pollIntervalMs: 1000,
  };
}

/** A command module: `shepherd <name> ...` runs `run(argv)` with the arguments after the name. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], ctx?: CliContext): Promise<number>;
}
