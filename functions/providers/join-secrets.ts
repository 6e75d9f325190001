import type { ShepherdConfig } from '../../config/types.js';

/** The join secrets of one provider's pools: what its function writes into VM user data. */
export function joinSecretArns(config: ShepherdConfig, provider: string): string[] {
  const arns: string[] = [];
  for (const pool of config.pools) {
    if (pool.provider !== provider) continue;
    if (pool.join.method === 'kosmos') arns.push(pool.join.secretKeySecretArn);
    if (pool.join.method === 'script') arns.push(pool.join.joinTokenSecretArn);
  }
  return [...new Set(arns)];
}
