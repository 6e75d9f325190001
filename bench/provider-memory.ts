import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { loadConfigFile } from '../config/load.js';
import { prepareWorld } from '../local/shepherd-world.js';
import { startSim } from '../sim/index.js';

/**
 * One real call per provider function, the way its Lambda makes it: the provider's client bundled with esbuild
 * (as the stack bundles it), imported cold in a fresh Node process, then one launch against the simulator through
 * the official SDK. Prints bundle size, import time, RSS after import and peak RSS during the call; the function
 * memory in functions/providers/<name>/descriptor.ts comes from these figures (GCE: peak at most 60 % of it).
 */

const root = new URL('../', import.meta.url).pathname;
const config = loadConfigFile(join(root, 'shepherd.config.json'));

const CLIENTS: Record<string, { pool: string; make: string }> = {
  aws: {
    pool: 'aws-amd64',
    make: `const { EC2Client } = await import('@aws-sdk/client-ec2'); const { Ec2Provider } = await import('${root}functions/providers/aws/client.ts');
      return new Ec2Provider(config, new EC2Client({ endpoint: env.endpoints.ec2, region: 'eu-west-3', credentials: env.credentials.aws }));`,
  },
  gcp: {
    pool: 'gcp-amd64',
    make: `const { InstancesClient, ZoneOperationsClient } = await import('@google-cloud/compute'); const { GceProvider } = await import('${root}functions/providers/gcp/client.ts');
      const { gceClientOptions } = await import('${root}functions/providers/gcp/client-options.ts');
      const o = () => gceClientOptions(env.endpoints.gce, env.credentials.gcp.accessToken);
      return new GceProvider(config, { instances: new InstancesClient(o()), operations: new ZoneOperationsClient(o()) });`,
  },
  scaleway: {
    pool: 'scw-buffer',
    make: `const { createClient } = await import('@scaleway/sdk-client'); const { K8Sv1 } = await import('@scaleway/sdk-k8s'); const { ScalewayPoolProvider } = await import('${root}functions/providers/scaleway/client.ts');
      const c = env.credentials.scaleway;
      return new ScalewayPoolProvider(config, new K8Sv1.API(createClient({ accessKey: c.accessKey, secretKey: c.secretKey, defaultProjectId: c.projectId, defaultRegion: c.region, apiURL: env.endpoints.scaleway })));`,
  },
};

function entry(make: string): string {
  return `
import { performance } from 'node:perf_hooks';
import { providerNamed } from '${root}functions/providers/registry.ts';
const env = JSON.parse(process.env.BENCH_ENV);
const config = env.config;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
const started = performance.now();
const provider = await (async () => { ${make} })();
const importMs = performance.now() - started;
const afterImport = process.memoryUsage.rss();
const pool = config.pools.find((p) => p.name === env.pool);
const offering = providerNamed(pool.provider).offerings(pool, config)[0];
const callStarted = performance.now();
await provider.launch({ clusterName: config.cluster.name, pool, claimId: 'cbench0000000000000000000', owner: 'bench', offering, activeClaims: 1 });
const callMs = performance.now() - callStarted;
peak = Math.max(peak, process.memoryUsage.rss());
clearInterval(sampler);
console.log(JSON.stringify({ importMs: Math.round(importMs), callMs: Math.round(callMs), rssAfterImportMb: Math.round(afterImport / 2 ** 20), peakRssMb: Math.round(peak / 2 ** 20) }));
process.exit(0);
`;
}

const sim = await startSim({
  clock: { mode: 'scaled', factor: 100 },
  world: { clusterName: config.cluster.name, scalewayClusterId: config.providers.scaleway?.clusterId },
});
prepareWorld(sim, config);
const dir = mkdtempSync(join(tmpdir(), 'provider-memory-'));
try {
  for (const [name, { pool, make }] of Object.entries(CLIENTS)) {
    const outfile = join(dir, `${name}.mjs`);
    const result = await build({
      stdin: { contents: entry(make), resolveDir: root, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile,
      metafile: true,
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __r } from 'node:module'; import { fileURLToPath as __p } from 'node:url'; const require = __r(import.meta.url); const __filename = __p(import.meta.url); const __dirname = __p(new URL('.', import.meta.url));",
      },
    });
    const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    const env = { endpoints: sim.endpoints, credentials: sim.credentials, config, pool };
    // Asynchronously: the simulator answering the child runs in this process.
    const { stdout: out } = await promisify(execFile)(process.execPath, [outfile], {
      env: { ...process.env, BENCH_ENV: JSON.stringify(env) },
      encoding: 'utf8',
    });
    const figures = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    console.log(JSON.stringify({ provider: name, bundleMb: Math.round((bytes / 2 ** 20) * 10) / 10, ...figures }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sim.stop();
}
