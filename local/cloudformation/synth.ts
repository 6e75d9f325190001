import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ShepherdConfig } from '../../config/types.js';
import { createShepherdApp } from '../../infra/shepherd-app.js';

/** Sources whose change changes the synthesized stack or its bundles. */
const SOURCES = ['functions', 'workflows', 'infra', 'config', 'package-lock.json'];

/**
 * Synthesizes the stack for `config` into `<cacheDir>/<hash>` (bundling every function with esbuild)
 * unless an identical synthesis is already there. Returns the cdk.out directory.
 */
export async function synthesizeStack(config: ShepherdConfig, cacheDir = resolve('.shepherd/cdk-cache')): Promise<string> {
  const hash = sourceHash(config);
  const outdir = join(cacheDir, hash);
  if (existsSync(join(outdir, '.complete'))) return outdir;
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const { app } = createShepherdApp(config, { outdir });
  app.synth();
  await writeFile(join(outdir, '.complete'), new Date().toISOString());
  return outdir;
}

function sourceHash(config: ShepherdConfig): string {
  const h = createHash('sha256').update(JSON.stringify(config));
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else {
      h.update(path).update(readFileSync(path));
    }
  };
  for (const s of SOURCES) walk(s);
  return h.digest('hex').slice(0, 16);
}
