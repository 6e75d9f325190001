import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { cp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce } from '../cloudformation/build-once.js';
import type { LambdaFunctionSpec } from '../types.js';

/** Where Node keeps the compiled code of the staged handlers (lambda-worker.mjs enables it), under the staging root. */
export const COMPILE_CACHE_DIR = '.compile-cache';

/**
 * The staging root for a runtime module folder: a `node_modules` link to it and a package.json saying `.js` files are
 * CommonJS, the way Lambda puts /var/task next to the runtime's SDK. It is shared by every runner of this machine (it
 * only ever gains staged handlers), so a handler keeps one path from one stack to the next: Node's compile cache is
 * keyed by the file's path, and a new path for each stack would never hit it.
 */
export function stagingRoot(runtimeModules: string): Promise<string> {
  const root = join(tmpdir(), `shepherd-lambdas-${sha256(runtimeModules).slice(0, 12)}`);
  return buildOnce(root, async (scratch) => {
    await symlink(runtimeModules, join(scratch, 'node_modules'), 'dir');
    await writeFile(join(scratch, 'package.json'), '{"type":"commonjs"}\n');
  });
}

/**
 * The function's code copied under `root`, in a folder named by the function and its code, built once: read-only
 * afterwards, as /var/task is on Lambda, so warm environments of any stack load the same files.
 */
export function stageCode(root: string, fn: LambdaFunctionSpec & { code: { kind: 'dir' | 'inline' } }): Promise<string> {
  const { code } = fn;
  return buildOnce(join(root, `${fn.name}-${codeKey(code)}`), async (scratch) => {
    if (code.kind === 'dir') await cp(code.dir, scratch, { recursive: true });
    else await writeFile(join(scratch, 'index.js'), code.source);
  });
}

/**
 * Names a function's code: inline code by its text, an asset folder by its path and every file's path, size and
 * modification time (an asset folder is written once; hashing the 30 MB GCE bundle at each stage would cost more).
 */
function codeKey(code: { kind: 'dir'; dir: string } | { kind: 'inline'; source: string }): string {
  if (code.kind === 'inline') return sha256(`inline\0${code.source}`).slice(0, 16);
  const h = createHash('sha256').update(`dir\0${code.dir}`);
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${rel}${entry.name}/`);
      else {
        const st = statSync(path);
        h.update(`\0${rel}${entry.name}\0${st.size}\0${st.mtimeMs}`);
      }
    }
  };
  walk(code.dir, '');
  return h.digest('hex').slice(0, 16);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
