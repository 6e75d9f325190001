import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type BundlingOptions, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';

const BUNDLER = fileURLToPath(new URL('./bundle-function.mjs', import.meta.url));
/** The file the bundle is written to: `index.handler` is its `handler` export. */
export const BUNDLE_FILE = 'index.mjs';

export interface FunctionBundleProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** The repository root: esbuild runs there, and `alias` paths are relative to it. */
  readonly projectRoot: string;
  readonly runtime: lambda.Runtime;
  /** Replaced at build time, e.g. `process.env.SHEPHERD_CONFIG` by the config as a JSON string literal. */
  readonly define: Record<string, string>;
}

/**
 * The build options of one function's bundle: a single minified ES module for the runtime's Node line, with every
 * dependency (the AWS SDK included) inside; the output file is the bundling's.
 */
export function functionBuildOptions(props: FunctionBundleProps): BuildOptions {
  return {
    entryPoints: [props.entry],
    absWorkingDir: props.projectRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: nodeTarget(props.runtime),
    // Smaller bundles parse faster on a cold start (npm run bench:functions). Error classes set their `name`
    // explicitly, so Step Functions still matches them (keepNames would cost 30 KB a bundle).
    minify: true,
    // The ES module builds of the SDKs tree-shake; without this, esbuild takes their CommonJS `main` (the AWS
    // provider's bundle is 1.8 MB instead of 1.0 MB).
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies call require() and read __dirname/__filename (google-gax does at load time);
    // an ES module has none of them unless we make them.
    banner: {
      js: "import { createRequire as __shepherdRequire } from 'node:module'; import { fileURLToPath as __shepherdPath } from 'node:url'; const require = __shepherdRequire(import.meta.url); const __filename = __shepherdPath(import.meta.url); const __dirname = __shepherdPath(new URL('.', import.meta.url));",
    },
    define: props.define,
    // Lambda hands its credentials over in environment variables: the SDK's default chain (SSO, profiles, IMDS...)
    // is 120 KB of every bundle that never runs (functions/runtime/lambda-credentials.ts).
    alias: { '@aws-sdk/credential-provider-node': './functions/runtime/lambda-credentials.ts' },
    // Warnings and errors, without esbuild's summary of output sizes (bench:functions reports them).
    logLevel: 'warning',
  };
}

/**
 * The function's code: its handler bundled by esbuild on this machine (bundle-function.mjs, which adds the plugin in
 * literal-schema-keys.mjs: the AWS provider's bundle is 0.35 MB with it, 0.88 MB without). The asset is hashed by
 * its output, as NodejsFunction does; `aws:cdk:bundling-stacks` skips the bundling as it does for any asset.
 */
export function functionCode(props: FunctionBundleProps): lambda.Code {
  return lambda.Code.fromAsset(props.projectRoot, { assetHashType: AssetHashType.OUTPUT, bundling: new FunctionBundling(props) });
}

/**
 * Bundling options CDK runs locally. CDK stages one asset per distinct bundling options in a process (it keys its
 * cache on their JSON): `build` holds what makes one function's bundle differ from another's.
 */
class FunctionBundling implements BundlingOptions {
  /** Never pulled: local bundling always succeeds or throws. */
  readonly image = DockerImage.fromRegistry('dummy');
  readonly build: BuildOptions;
  readonly local: ILocalBundling;

  constructor(props: FunctionBundleProps) {
    const build = functionBuildOptions(props);
    this.build = build;
    this.local = {
      tryBundle(outdir: string): boolean {
        execFileSync(process.execPath, [BUNDLER], {
          cwd: props.projectRoot,
          input: JSON.stringify({ ...build, outfile: join(outdir, BUNDLE_FILE) }),
          // esbuild's warnings and errors go to stderr; stdout is cdk synth's (the template).
          stdio: ['pipe', 2, 2],
        });
        return true;
      },
    };
  }
}

/** nodejs22.x -> node22, the syntax esbuild may emit. */
function nodeTarget(runtime: lambda.Runtime): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
  if (!major) throw new Error(`${runtime.name} is not a Node.js runtime`);
  return `node${major}`;
}
