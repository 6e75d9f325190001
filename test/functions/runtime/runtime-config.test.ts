import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { config, poolNamed, RuntimeConfigError } from '../../../functions/runtime/config.js';

const example = () => loadConfigFile(new URL('../../../shepherd.config.json', import.meta.url).pathname);
const minimal = () => loadConfigFile(new URL('../../../config/examples/minimal.json', import.meta.url).pathname);

describe('Function: config', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('parses the baked SHEPHERD_CONFIG once and returns the cached config while it is unchanged', () => {
    vi.stubEnv('SHEPHERD_CONFIG', JSON.stringify(minimal()));
    const first = config();
    expect(first.cluster.name).toBe('minimal');
    expect(config()).toBe(first);
  });

  it('re-parses when SHEPHERD_CONFIG changes', () => {
    vi.stubEnv('SHEPHERD_CONFIG', JSON.stringify(minimal()));
    const first = config();
    vi.stubEnv('SHEPHERD_CONFIG', JSON.stringify(example()));
    expect(config()).not.toBe(first);
    expect(config().cluster.name).toBe('kosmos-demo');
  });

  it('fails with a RuntimeConfigError saying where the config comes from when it is unset, not JSON or not a config', () => {
    for (const raw of ['', '{"cluster": ', '{"cluster": {}}']) {
      vi.stubEnv('SHEPHERD_CONFIG', raw);
      expect(() => config()).toThrow(RuntimeConfigError);
      expect(() => config()).toThrow(/SHEPHERD_CONFIG .*the stack bakes the validated config/);
    }
  });

  it('finds a pool by name, and names the pools there are when it is unknown', () => {
    vi.stubEnv('SHEPHERD_CONFIG', JSON.stringify(example()));
    expect(poolNamed('gcp-amd64').provider).toBe('gcp');
    expect(() => poolNamed('nope')).toThrow('no pool named "nope" in the config; pools: aws-amd64, aws-arm64, gcp-amd64, home, scw-buffer');
  });
});

describe('Bundle: a function reads its config without zod', () => {
  it('keeps zod and the config schema out of every provider function but validate-input and cluster-nodes', async () => {
    const { build } = await import('esbuild');
    const inputsOf = async (entry: string) => {
      const out = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
      return Object.keys(out.metafile.inputs);
    };
    for (const entry of ['functions/providers/aws/handler.ts', 'functions/providers/scaleway/handler.ts', 'functions/handlers/claims.ts']) {
      const inputs = await inputsOf(entry);
      expect(
        inputs.filter((i) => i.includes('node_modules/zod/') || i === 'config/schema.ts'),
        entry,
      ).toEqual([]);
    }
  }, 60_000);
});
