import { runtimeConfig } from '../../config/load.js';
import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { InvalidInputError } from './errors.js';

export function config(): ShepherdConfig {
  return runtimeConfig();
}

export function poolNamed(name: string, cfg: ShepherdConfig = config()): PoolConfig {
  const pool = cfg.pools.find((p) => p.name === name);
  if (!pool) throw new InvalidInputError(`no pool named "${name}" in the config; pools: ${cfg.pools.map((p) => p.name).join(', ')}`);
  return pool;
}
