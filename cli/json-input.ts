import { readFileSync } from 'node:fs';
import { CommandError } from './errors.js';
import { jsonErrorLocation } from './json-syntax.js';

/**
 * A JSON value given on the command line: inline (text starting with `{` or `[`) or the path of a JSON file.
 * Errors name the source and position only: the text may carry secrets (join tokens, keys).
 */
export function readJsonArgument(option: string, value: string): { json: string; source: string } {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return { json: normalized(trimmed, `${option} (inline JSON)`), source: 'inline' };
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new CommandError(`${option}: cannot read file ${value} (${code}); pass a JSON file path or inline JSON starting with { or [`);
  }
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  return { json: normalized(text.replace(/^\uFEFF/, ''), `${option} file ${value}`), source: value };
}

function normalized(text: string, source: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new CommandError(`${source}: not valid JSON: ${jsonErrorLocation(text)}`);
  }
}
