/** Where a command writes and what environment it reads; tests pass their own to capture output. */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** How often `start` polls a running execution, ms. */
  pollIntervalMs: number;
  /** Replaces the one updating status line (a terminal only; absent elsewhere, where polls print nothing). '' clears it. */
  statusLine?: (text: string) => void;
}

export function processContext(): CliContext {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    pollIntervalMs: 1000,
    ...(process.stdout.isTTY ? { statusLine: terminalStatusLine } : {}),
  };
}

/** A command module: `shepherd <name> ...` runs `run(argv)` with the arguments after the name. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], ctx?: CliContext): Promise<number>;
}

/** Carriage return, erase the line, then the text cut to the terminal's width (so it never wraps). */
function terminalStatusLine(text: string): void {
  const width = process.stdout.columns || 80;
  process.stdout.write(`\r\x1b[2K${text.length >= width ? `${text.slice(0, width - 2)}…` : text}`);
}
