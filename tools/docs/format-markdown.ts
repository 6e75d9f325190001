import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Thrown when biome cannot format a generated document. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** `text` as biome formats the file at `path` (aligned tables), so a generated doc passes `biome check` as written. */
export function formatMarkdown(root: string, path: string, text: string): string {
  const out = spawnSync(join(root, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${path}`], { cwd: root, input: text, encoding: 'utf8' });
  if (out.status !== 0) throw new FormatError(`biome could not format ${path}: ${out.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return out.stdout;
}
