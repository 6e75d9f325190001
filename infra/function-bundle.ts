import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync, version as esbuildVersion } from 'esbuild';

/**
 * How every function is bundled: esbuild, one ES module `index.mjs` for Node.js 22, the config baked in.
 *
 * The bundle without its config is the same for every config, so it is built once per handler and source state and
 * kept in `node_modules/.cache/shepherd-bundles` (the GCE handler alone is 30 MB and 10 s of CPU to bundle; a test
 * run synthesizes the stack for several configs). The config goes in afterwards, where a placeholder string stands.
 * The cache entry records every project file esbuild read with its hash, and is used only while they all still match
 * (dependencies are covered by package-lock.json in the key).
 */
export interface FunctionBundleProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** The repository root: package-lock.json, tsconfig.json and node_modules are there. */
  readonly projectRoot: string;
  /** The validated config as JSON text: what the bundle's `process.env.SHEPHERD_CONFIG` reads. */
  readonly configJson: string;
}

/** The file Lambda loads: `index.handler` names its `handler` export. */
export const BUNDLE_FILE = 'index.mjs';

/** Stands for the config in a cached bundle; nothing else in the code spells it. */
const CONFIG_PLACEHOLDER = '__SHEPHERD_CONFIG_BAKED_AT_SYNTH__';

/** The function's code: bundled on this machine (never in Docker), hashed by its output as NodejsFunction does. */
export function functionCode(props: FunctionBundleProps): lambda.Code {
  return lambda.Code.fromAsset(dirname(props.entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; local bundling always succeeds or throws, so no image is ever pulled.
      image: DockerImage.fromRegistry('shepherd-bundles-locally'),
      // CDK caches staged assets by these props within one synth: they must tell two handlers (and configs) apart.
      environment: {
        SHEPHERD_ENTRY: relative(props.projectRoot, props.entry),
        SHEPHERD_CONFIG_SHA256: sha256(props.configJson),
      },
      local: {
        tryBundle(outputDir: string): boolean {
          bundleInto(outputDir, props);
          return true;
        },
      },
    },
  });
}

/** esbuild's options for a handler, as the stack has always bundled them (see the comments). */
export function esbuildOptions(entry: string, projectRoot: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
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
    // Lambda environment variables are capped at 4 KB, a config with a few pools is not; the handlers re-validate it.
    define: { 'process.env.SHEPHERD_CONFIG': JSON.stringify(CONFIG_PLACEHOLDER) },
    // Lambda hands its credentials over in environment variables: the SDK's default chain (SSO, profiles, IMDS...)
    // is 120 KB of every bundle that never runs (functions/runtime/lambda-credentials.ts). The SDK is bundled, not
    // the runtime's copy: the handlers are tested against the versions in package-lock.json.
    alias: { '@aws-sdk/credential-provider-node': join(projectRoot, 'functions/runtime/lambda-credentials.ts') },
    absWorkingDir: projectRoot,
    // Warnings and errors, without esbuild's summary of output sizes (bench:functions reports them).
    logLevel: 'warning',
    metafile: true,
    write: false,
  };
}

interface CachedBundle {
  /** Project files (not under node_modules) esbuild read, relative to the root, with their SHA-256. */
  inputs: Record<string, string>;
}

/** Writes the handler's bundle, with its config, to `outputDir/index.mjs`. */
export function bundleInto(outputDir: string, props: FunctionBundleProps): void {
  const code = cachedBundle(props).split(JSON.stringify(CONFIG_PLACEHOLDER)).join(singleQuoted(props.configJson));
  writeFileSync(join(outputDir, BUNDLE_FILE), code);
}

/** A JavaScript string literal of `text` in single quotes: JSON needs no escaping then, as esbuild itself prints it. */
function singleQuoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** The bundle with the placeholder, from the cache when every file it was built from is unchanged. */
function cachedBundle({ entry, projectRoot }: FunctionBundleProps): string {
  const options = esbuildOptions(entry, projectRoot);
  const key = sha256(
    JSON.stringify({ esbuildVersion, options, lock: fileHash(join(projectRoot, 'package-lock.json')), tsconfig: fileHash(join(projectRoot, 'tsconfig.json')) }),
  );
  const dir = join(projectRoot, 'node_modules/.cache/shepherd-bundles', key);
  const fresh = readCache(dir, projectRoot);
  if (fresh !== undefined) return fresh;

  const result = buildSync(options);
  const code = result.outputFiles?.[0]?.text;
  if (code === undefined) throw new Error(`esbuild wrote no bundle for ${entry}`);
  const inputs: CachedBundle['inputs'] = {};
  for (const path of Object.keys(result.metafile?.inputs ?? {})) {
    if (path.includes('node_modules/')) continue;
    inputs[path] = sha256(readFileSync(resolve(projectRoot, path)));
  }
  // Written aside and renamed: concurrent synths (parallel test files) never read half a bundle.
  const scratch = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, BUNDLE_FILE), code);
  writeFileSync(join(scratch, 'inputs.json'), JSON.stringify({ inputs } satisfies CachedBundle));
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(scratch, dir);
  } catch {
    // Another synth put the same bundle there first.
    rmSync(scratch, { recursive: true, force: true });
  }
  return code;
}

function readCache(dir: string, projectRoot: string): string | undefined {
  const bundleFile = join(dir, BUNDLE_FILE);
  const inputsFile = join(dir, 'inputs.json');
  if (!existsSync(bundleFile) || !existsSync(inputsFile)) return undefined;
  try {
    const { inputs } = JSON.parse(readFileSync(inputsFile, 'utf8')) as CachedBundle;
    for (const [path, hash] of Object.entries(inputs)) {
      const file = resolve(projectRoot, path);
      if (!existsSync(file) || sha256(readFileSync(file)) !== hash) return undefined;
    }
    return readFileSync(bundleFile, 'utf8');
  } catch {
    return undefined;
  }
}

function fileHash(path: string): string | undefined {
  return existsSync(path) ? sha256(readFileSync(path)) : undefined;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
