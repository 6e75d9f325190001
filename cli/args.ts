import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { didYouMean } from './suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--help`/`-h`, accepted by every command. */
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * node:util parseArgs in strict mode, with its errors turned into UsageError (exit 2). Its messages name the
 * option, never the value given, so nothing typed on the command line is echoed back.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, maxPositionals = 0) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    if (String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(withSuggestion((err as Error).message, options));
    throw err;
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`);
  }
  return parsed;
}

/** A positive integer option (seeds, counts); undefined when absent. */
export function integerOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return n;
}

/** A positive number option (speed factors); undefined when absent. */
export function positiveNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
  return n;
}

/** parseArgs names an unknown option as `Unknown option '--inptu'`; add the known option it is closest to. */
function withSuggestion(message: string, options: Options): string {
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (!unknown?.startsWith('--')) return message;
  const suggestion = didYouMean(unknown.slice(2), Object.keys(options));
  // Node's message goes on to suggest `--` for positionals starting with a dash; the typo is the likelier case.
  return suggestion ? `unknown option ${unknown}${suggestion.replace('"', '"--')}` : message;
}
