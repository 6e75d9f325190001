import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchableProviders } from '../../functions/providers/registry.js';
import { esbuildOptions } from '../../infra/function-bundle.js';

/**
 * What each provider function's bundle contains, from esbuild's metafile of its handler entry (the same options
 * and entry the stack bundles with, infra/function-bundle.ts). A launch on EC2 or Scaleway must never load the GCE SDK (67 MB,
 * 1.5 s and 420 MB to import), and no provider function may carry aws-cdk-lib.
 */

const root = new URL('../../', import.meta.url).pathname;
const inputs: Record<string, string[]> = {};

async function bundledInputs(provider: string): Promise<string[]> {
  const out = await build({ ...esbuildOptions(`${root}functions/providers/${provider}/handler.ts`, root), logLevel: 'silent' });
  return Object.keys((out.metafile as Metafile).inputs);
}

const GCE_SDK = /node_modules\/@google-cloud\/compute\//;
const CDK = /node_modules\/aws-cdk-lib\//;

beforeAll(async () => {
  for (const p of launchableProviders()) inputs[p.name] = await bundledInputs(p.name);
}, 240_000);

describe('Provider function bundles', () => {
  it('bundles the GCE SDK into the GCE function only', () => {
    expect(inputs.gcp.some((f) => GCE_SDK.test(f))).toBe(true);
    for (const name of ['aws', 'scaleway', 'fake'])
      expect(
        inputs[name].filter((f) => GCE_SDK.test(f)),
        name,
      ).toEqual([]);
  });

  it('bundles each cloud SDK only into its own function, and aws-cdk-lib into none', () => {
    expect(inputs.aws.some((f) => f.includes('node_modules/@aws-sdk/client-ec2/'))).toBe(true);
    expect(inputs.scaleway.some((f) => f.includes('node_modules/@scaleway/sdk-k8s/'))).toBe(true);
    for (const [name, files] of Object.entries(inputs)) {
      expect(
        files.filter((f) => CDK.test(f)),
        name,
      ).toEqual([]);
      if (name !== 'aws')
        expect(
          files.filter((f) => f.includes('@aws-sdk/client-ec2/')),
          name,
        ).toEqual([]);
      if (name !== 'scaleway')
        expect(
          files.filter((f) => f.includes('@scaleway/sdk-k8s/')),
          name,
        ).toEqual([]);
    }
  });

  it("keeps every other provider's client code out (descriptors are shared, clients are not)", () => {
    for (const [name, files] of Object.entries(inputs)) {
      const clients = files.filter((f) => /functions\/providers\/[^/]+\/client\.ts$/.test(f));
      expect(clients, name).toEqual([`functions/providers/${name}/client.ts`]);
    }
  });
});
