import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleInto } from '../../infra/bundling/function-bundling.js';

/** A tiny project: a handler that returns the baked config and a value from a module it imports. */
let root: string;
let entry: string;

function writeProject(answer: string): void {
  writeFileSync(join(root, 'functions/answer.ts'), `export const answer = ${JSON.stringify(answer)};\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shepherd-bundle-'));
  mkdirSync(join(root, 'functions'), { recursive: true });
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  entry = join(root, 'functions/handler.ts');
  writeFileSync(
    entry,
    "import { answer } from './answer.js';\nexport async function handler() { return { config: JSON.parse(process.env.SHEPHERD_CONFIG as string), answer }; }\n",
  );
  writeProject('first');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

let imports = 0;
async function run(outputDir: string): Promise<{ config: unknown; answer: string }> {
  // A fresh URL each time: the module cache would hand back the first import.
  const mod = await import(`${pathToFileURL(join(outputDir, BUNDLE_FILE)).href}?n=${imports++}`);
  return mod.handler();
}

function bundle(config: unknown): string {
  const out = mkdtempSync(join(root, 'out-'));
  bundleInto(out, { entry, projectRoot: root, runtime: Runtime.NODEJS_22_X, configJson: JSON.stringify(config) });
  return out;
}

const cacheDir = () => join(root, 'node_modules/.cache/shepherd-bundles');

describe('Function: bundleInto', () => {
  it('bakes the config into the bundle, quotes and backslashes included', async () => {
    const config = { cluster: { name: 'it\'s \\ "quoted"' }, pools: [] };
    const out = bundle(config);
    expect(await run(out)).toEqual({ config, answer: 'first' });
  });

  it('builds once for two configs, and again when a file the bundle was built from changes', async () => {
    const a = bundle({ pools: ['a'] });
    const [key] = readdirSync(cacheDir());
    const cached = join(cacheDir(), key, BUNDLE_FILE);
    const builtAt = statSync(cached).mtimeMs;
    const b = bundle({ pools: ['b'] });
    expect(readdirSync(cacheDir())).toEqual([key]);
    expect(statSync(cached).mtimeMs).toBe(builtAt);
    expect(await run(a)).toEqual({ config: { pools: ['a'] }, answer: 'first' });
    expect(await run(b)).toEqual({ config: { pools: ['b'] }, answer: 'first' });

    writeProject('second');
    const c = bundle({ pools: ['c'] });
    expect(await run(c)).toEqual({ config: { pools: ['c'] }, answer: 'second' });
    expect(readFileSync(cached, 'utf8')).toContain('second');
  });
});
