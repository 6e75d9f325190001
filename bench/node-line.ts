import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Node of the line the Lambdas run, when the project installs one (node_modules/.bin/node). */
const PROJECT_NODE = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

export interface NodeBinary {
  path: string;
  version: string;
  /** Where it comes from, for the report. */
  source: 'node_modules/.bin/node' | 'process.execPath';
}

/** The Node binary function bundles are measured with: the project's own if installed, else the one running this. */
export function lambdaNode(): NodeBinary {
  const path = existsSync(PROJECT_NODE) ? PROJECT_NODE : process.execPath;
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { path, version, source: path === PROJECT_NODE ? 'node_modules/.bin/node' : 'process.execPath' };
}
