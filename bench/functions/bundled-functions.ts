import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaFunctionSpec } from '../../local/types.js';
import { apisInBundle, type BundleApi } from './bundle-apis.js';

/** A function of the template whose code is a bundled asset folder. */
export interface BundledFunction {
  spec: LambdaFunctionSpec;
  /** The handler's module file and export. */
  file: string;
  exportName: string;
  /** All files of the asset, as Lambda unzips them. */
  bundleBytes: number;
  apis: BundleApi[];
}

/** The template's functions that have a bundle folder (inline and image functions are skipped). */
export function bundledFunctions(functions: readonly LambdaFunctionSpec[]): BundledFunction[] {
  return functions.flatMap((spec) => {
    if (spec.code.kind !== 'dir') return [];
    const dir = spec.code.dir;
    const dot = spec.handler.lastIndexOf('.');
    const file = ['.mjs', '.js', '.cjs'].map((ext) => join(dir, spec.handler.slice(0, dot) + ext)).find((f) => existsSync(f));
    if (dot <= 0 || !file) return [];
    const files = filesUnder(dir);
    const code = files.filter((f) => /\.(m|c)?js$/.test(f)).map((f) => readFileSync(f));
    return [{ spec, file, exportName: spec.handler.slice(dot + 1), bundleBytes: files.reduce((n, f) => n + statSync(f).size, 0), apis: apisInBundle(code) }];
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
