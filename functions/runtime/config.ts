import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { InvalidInputError } from './errors.js';

/** The baked config is missing or not JSON: the bundle was not built by the stack (infra/constructs/shepherd-function.ts). */
export class RuntimeConfigError extends Error {
  override name = 'RuntimeConfigError';
}

let cached: { raw: string; config: ShepherdConfig } | undefined;

/**
 * The config baked into this Lambda's bundle. The stack validates shepherd.config.json with its zod schema at
 * synth time and bakes the validated result (defaults applied), so a function reads it without zod: that keeps
 * the schema, and zod, out of every bundle. `process.env.SHEPHERD_CONFIG` must stay spelt out literally: esbuild's
 * `define` replaces that exact expression. Parsed once per distinct value (tests may change it).
 */
export function config(): ShepherdConfig {
  const raw = process.env.SHEPHERD_CONFIG;
  if (cached && cached.raw === raw) return cached.config;
  if (!raw) throw new RuntimeConfigError('SHEPHERD_CONFIG is not set: the stack bakes the validated config into each function bundle');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RuntimeConfigError('SHEPHERD_CONFIG is not JSON: the stack bakes the validated config into each function bundle as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as ShepherdConfig).pools)) {
    throw new RuntimeConfigError('SHEPHERD_CONFIG is not a shepherd config (no pools): the stack bakes the validated config into each function bundle');
  }
  cached = { raw, config: parsed as ShepherdConfig };
  return cached.config;
}

export function poolNamed(name: string, cfg: ShepherdConfig = config()): PoolConfig {
  const pool = cfg.pools.find((p) => p.name === name);
  if (!pool) throw new InvalidInputError(`no pool named "${name}" in the config; pools: ${cfg.pools.map((p) => p.name).join(', ')}`);
  return pool;
}
