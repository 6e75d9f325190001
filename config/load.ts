import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from './errors.js';
import { allowedText, toProblem } from './issues.js';
import { shepherdConfigSchema } from './schema.js';
import type { ShepherdConfig } from './types.js';

const DEFAULT_FILE = './shepherd.config.json';

/** Validates an already-parsed config; `source` names it in errors (a file path, an env var). */
export function parseConfig(raw: unknown, source = 'config'): ShepherdConfig {
  const result = shepherdConfigSchema.safeParse(raw, { error: allowedText, reportInput: true });
  if (!result.success)
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => withPoolName(toProblem(issue), raw)),
    );
  return result.data;
}

/** `pools[2]...` names the pool too, when it has a plain name: people know their pools by name, not by position. */
function withPoolName(problem: ConfigProblem, raw: unknown): ConfigProblem {
  const index = /^pools\[(\d+)\]/.exec(problem.path)?.[1];
  if (index === undefined) return problem;
  const name = (raw as { pools?: { name?: unknown }[] })?.pools?.[Number(index)]?.name;
  return typeof name === 'string' && /^[\w.-]{1,63}$/.test(name) ? { ...problem, subject: `pool "${name}"` } : problem;
}

/** Reads and validates the config file: `path`, else env SHEPHERD_CONFIG_FILE, else ./shepherd.config.json. */
export function loadConfigFile(path: string = process.env.SHEPHERD_CONFIG_FILE || DEFAULT_FILE): ShepherdConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(path, [
      {
        path: '(file)',
        problem: `cannot be read (${code})`,
        allowed: 'a readable JSON file (path from the argument, SHEPHERD_CONFIG_FILE, or ./shepherd.config.json)',
      },
    ]);
  }
  return parseConfig(parseJson(text, path), path);
}

/** JSON.parse's message can quote the surrounding text, which could hold a secret: keep only its reason and position. */
function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const located = /^(.*?) (?:in|after) JSON at position (\d+)/.exec((err as Error).message);
    const problem = located ? `not valid JSON: ${located[1]} at ${lineAndColumn(text, Number(located[2]))}` : 'not valid JSON';
    throw new ConfigError(source, [{ path: '(root)', problem, allowed: 'a JSON object' }]);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
