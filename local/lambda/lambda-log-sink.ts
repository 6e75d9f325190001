import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Levels a person at the terminal of `shepherd local` is shown without asking (the rest goes to the log file only). */
const TERMINAL_LEVELS = new Set(['WARN', 'ERROR', 'CRITICAL', 'FATAL']);

/**
 * Whether a function's log line belongs on the terminal: a structured line (the functions' JSON logger) at WARN or
 * above, or a line that is not structured (a runtime crash, an uncaught error), which no level can rank.
 */
export function showsOnTerminal(line: string): boolean {
  if (!line.startsWith('{')) return line.trim() !== '';
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level !== 'string' || TERMINAL_LEVELS.has(level.toUpperCase());
  } catch {
    return true;
  }
}

export interface LambdaLogSinkOptions {
  /** Every line of every function goes here, prefixed by the function's name (the file is started anew). */
  file: string;
  /** Where the lines shown on the terminal go. */
  terminal: (text: string) => void;
  /** Show every line on the terminal too, not only warnings and errors. */
  all?: boolean;
}

/** The functions' logs of `shepherd local`: all of them to a file, warnings and errors (or all) to the terminal. */
export class LambdaLogSink {
  private readonly stream: WriteStream;

  constructor(private readonly options: LambdaLogSinkOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.stream = createWriteStream(options.file, { flags: 'w', mode: 0o600 });
  }

  /** For LambdaRunnerOptions.onLog. */
  readonly write = (functionName: string, line: string): void => {
    const text = `[${functionName}] ${line}\n`;
    this.stream.write(text);
    if (this.options.all || showsOnTerminal(line)) this.options.terminal(text);
  };

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
