import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../errors.js';
import type { CfnTemplate } from './types.js';

/** The template of the one stack in a cloud assembly (cdk.out): its manifest names the template file. */
export function readStackTemplate(cdkOut: string): CfnTemplate {
  const manifest = readJson<{ artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> }>(join(cdkOut, 'manifest.json'));
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile);
  if (stacks.length !== 1) throw new CommandError(`${cdkOut} holds ${stacks.length} stacks (${stacks.map(([id]) => id).join(', ') || 'none'}); expected one`);
  return readJson<CfnTemplate>(join(cdkOut, String(stacks[0][1].properties?.templateFile)));
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new CommandError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
