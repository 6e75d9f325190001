import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type BundlingOptions, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, version as esbuildVersion, type Metafile } from 'esbuild';

const BUNDLER = fileURLToPath(new URL('./bundle-function.mjs', import.meta.url));
const PLUGINS = fileURLToPath(new URL('./literal-schema-keys.mjs', import.meta.url));
/** The file the bundle is written to: `index.handler` is its `handler` export. */
export const BUNDLE_FILE = 'index.mjs';
/** esbuild's metafile beside a cached bundle: what the bundle was built from. */
const META_FILE = 'meta.json';

/** Stands for the config in a bundle until it is baked in; nothing else in the code spells it. */
const CONFIG_PLACEHOLDER = '__SHEPHERD_CONFIG_BAKED_AT_SYNTH__';

export interface FunctionBuildProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** The repository root: esbuild runs there, and `alias` paths are relative to it. */
  readonly projectRoot: string;
  readonly runtime: lambda.Runtime;
}

export interface FunctionBundleProps extends FunctionBuildProps {
  /** The validated config as JSON text: what the bundle's `process.env.SHEPHERD_CONFIG` reads. */
  readonly configJson: string;
}

/**
 * The build options of one function's bundle: a single minified ES module for the runtime's Node line, with every
 * dependency (the AWS SDK included) inside; the output file is the bundling's. The config is a placeholder here,
 * baked in after the build (bundleInto).
 */
export function functionBuildOptions(props: FunctionBuildProps): BuildOptions {
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
    define: { 'process.env.SHEPHERD_CONFIG': JSON.stringify(CONFIG_PLACEHOLDER) },
    // Lambda hands its credentials over in environment variables: the SDK's default chain (SSO, profiles, IMDS...)
    // is 120 KB of every bundle that never runs (functions/runtime/lambda-credentials.ts).
    alias: { '@aws-sdk/credential-provider-node': './functions/runtime/lambda-credentials.ts' },
    // Warnings and errors, without esbuild's summary of output sizes (bench:functions reports them).
    logLevel: 'warning',
  };
}

/**
 * The function's code: its handler bundled by esbuild on this machine (bundle-function.mjs, which adds the plugin in
 * literal-schema-keys.mjs: the AWS provider's bundle is 0.35 MB with it, 0.88 MB without), then its config baked
 * in. The asset is hashed by its output, as NodejsFunction does; `aws:cdk:bundling-stacks` skips the bundling as it
 * does for any asset.
 */
export function functionCode(props: FunctionBundleProps): lambda.Code {
  return lambda.Code.fromAsset(props.projectRoot, { assetHashType: AssetHashType.OUTPUT, bundling: new FunctionBundling(props) });
}

/**
 * Bundling options CDK runs locally. CDK stages one asset per distinct bundling options in a process (it keys its
 * cache on their JSON): `build` and `configSha256` hold what makes one function's bundle differ from another's.
 */
class FunctionBundling implements BundlingOptions {
  /** Never pulled: local bundling always succeeds or throws. */
  readonly image = DockerImage.fromRegistry('dummy');
  readonly build: BuildOptions;
  readonly configSha256: string;
  readonly local: ILocalBundling;

  constructor(props: FunctionBundleProps) {
    this.build = functionBuildOptions(props);
    this.configSha256 = sha256(props.configJson);
    this.local = {
      tryBundle(outdir: string): boolean {
        bundleInto(outdir, props);
        return true;
      },
    };
  }
}

/**
 * Writes the handler's bundle, its config baked in, to `outputDir/index.mjs`.
 *
 * The bundle without its config is the same for every config, so it is built once per handler and source state and
 * kept in `node_modules/.cache/shepherd-bundles` (the GCE handler alone is 30 MB and 10 s of CPU to bundle; a test
 * run synthesizes the stack for several configs). A cache entry is used only while every project file esbuild read
 * for it is unchanged; dependencies, tsconfig, esbuild and the plugin are in its key.
 */
export function bundleInto(outputDir: string, props: FunctionBundleProps): void {
  const code = cachedBundle(props).split(JSON.stringify(CONFIG_PLACEHOLDER)).join(singleQuoted(props.configJson));
  writeFileSync(join(outputDir, BUNDLE_FILE), code);
}

/** A JavaScript string literal of `text` in single quotes: JSON needs no escaping then, as esbuild itself prints it. */
function singleQuoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** The bundle with the placeholder, from the cache when every file it was built from is unchanged. */
function cachedBundle(props: FunctionBuildProps): string {
  const build = functionBuildOptions(props);
  const root = props.projectRoot;
  const key = sha256(
    JSON.stringify({
      esbuildVersion,
      build,
      plugin: fileHash(PLUGINS),
      lock: fileHash(join(root, 'package-lock.json')),
      tsconfig: fileHash(join(root, 'tsconfig.json')),
    }),
  );
  const dir = join(root, 'node_modules/.cache/shepherd-bundles', key);
  const fresh = readCache(dir, root);
  if (fresh !== undefined) return fresh;

  // Built aside and renamed: concurrent synths (parallel test files) never read half a bundle.
  const scratch = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  execFileSync(process.execPath, [BUNDLER], {
    cwd: root,
    input: JSON.stringify({ ...build, outfile: join(scratch, BUNDLE_FILE), metafile: true, metafileOut: join(scratch, META_FILE) }),
    // esbuild's warnings and errors go to stderr; stdout is cdk synth's (the template).
    stdio: ['pipe', 2, 2],
  });
  const code = readFileSync(join(scratch, BUNDLE_FILE), 'utf8');
  const meta = JSON.parse(readFileSync(join(scratch, META_FILE), 'utf8')) as Metafile;
  writeFileSync(join(scratch, 'inputs.json'), JSON.stringify(projectInputs(meta, root)));
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(scratch, dir);
  } catch {
    // Another synth put the same bundle there first.
    rmSync(scratch, { recursive: true, force: true });
  }
  return code;
}

/** The project files (not dependencies: the lock file covers those) a build read, with their SHA-256. */
function projectInputs(meta: Metafile, root: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const path of Object.keys(meta.inputs)) {
    if (path.includes('node_modules/')) continue;
    inputs[path] = sha256(readFileSync(resolve(root, path)));
  }
  return inputs;
}

function readCache(dir: string, root: string): string | undefined {
  const bundleFile = join(dir, BUNDLE_FILE);
  const inputsFile = join(dir, 'inputs.json');
  if (!existsSync(bundleFile) || !existsSync(inputsFile)) return undefined;
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Record<string, string>;
    for (const [path, hash] of Object.entries(inputs)) {
      const file = resolve(root, path);
      if (!existsSync(file) || sha256(readFileSync(file)) !== hash) return undefined;
    }
    return readFileSync(bundleFile, 'utf8');
  } catch {
    return undefined;
  }
}

/** nodejs22.x -> node22, the syntax esbuild may emit. */
function nodeTarget(runtime: lambda.Runtime): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
  if (!major) throw new Error(`${runtime.name} is not a Node.js runtime`);
  return `node${major}`;
}

function fileHash(path: string): string | undefined {
  return existsSync(path) ? sha256(readFileSync(path)) : undefined;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
