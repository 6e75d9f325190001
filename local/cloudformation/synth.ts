import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ShepherdConfig } from '../../config/types.js';
import { createShepherdApp } from '../../infra/shepherd-app.js';
import { buildOnce } from './build-once.js';

/** Sources whose change changes the synthesized stack or its bundles. */
const SOURCES = ['functions', 'workflows', 'infra', 'config', 'package-lock.json'];

/**
 * Synthesizes the stack for `config` into `<cacheDir>/<hash>` (bundling every function with esbuild)
 * unless an identical synthesis is already there. Returns the cdk.out directory. Test files running in parallel may
 * synthesize the same config at once: each builds aside and the first one done is kept (buildOnce).
 */
export async function synthesizeStack(config: ShepherdConfig, cacheDir = resolve('.shepherd/cdk-cache')): Promise<string> {
  return buildOnce(join(cacheDir, sourceHash(config)), (outdir) => {
    createShepherdApp(config, { outdir }).app.synth();
  });
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
