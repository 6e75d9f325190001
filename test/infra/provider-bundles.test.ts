import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchableProviders } from '../../functions/providers/registry.js';
import { functionBuildOptions } from '../../infra/bundling/function-bundling.js';
import { literalSchemaKeysPlugin } from '../../infra/bundling/literal-schema-keys.mjs';

/**
 * What each provider function's bundle contains, from esbuild's metafile of its handler entry (the same build options
 * and plugin the stack's functions are bundled with, infra/bundling). A launch on EC2 or Scaleway must never load the GCE SDK (67 MB,
 * 1.5 s and 420 MB to import), and no provider function may carry aws-cdk-lib.
 */

const root = new URL('../../', import.meta.url).pathname;
const inputs: Record<string, string[]> = {};
/** Bytes each input file contributes to the bundle. */
const bytes: Record<string, Record<string, number>> = {};

async function bundle(provider: string): Promise<Metafile> {
  const options = functionBuildOptions({
    entry: `${root}functions/providers/${provider}/handler.ts`,
    projectRoot: root,
    runtime: Runtime.NODEJS_22_X,
  });
  const out = await build({ ...options, write: false, metafile: true, logLevel: 'silent', plugins: [literalSchemaKeysPlugin] });
  return out.metafile as Metafile;
}

const GCE_SDK = /node_modules\/@google-cloud\/compute\//;
const CDK = /node_modules\/aws-cdk-lib\//;

beforeAll(async () => {
  for (const p of launchableProviders()) {
    const metafile = await bundle(p.name);
    inputs[p.name] = Object.keys(metafile.inputs);
    bytes[p.name] = Object.fromEntries(Object.entries(Object.values(metafile.outputs)[0].inputs).map(([file, i]) => [file, i.bytesInOutput]));
  }
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

  it("keeps only the EC2 shapes the AWS provider's commands reach (the SDK's whole schema module is 1.3 MB, 550 KB minified)", () => {
    const schemas = Object.entries(bytes.aws).filter(([file]) => file.includes('@aws-sdk/client-ec2/dist-es/schemas/'));
    expect(schemas).toHaveLength(1);
    expect(schemas[0][1]).toBeGreaterThan(0);
    expect(schemas[0][1]).toBeLessThan(100_000);
  });
});
