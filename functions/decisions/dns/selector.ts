import type { PoolConfig } from '../../../config/types.js';

/** True when `labels` carries every label of `matchLabels` with the same value (a Kubernetes matchLabels selector). */
export function matchesLabels(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

/** The labels every Node of `pool` carries whatever its VM: the pool's own and the ones shepherd adds (provision.ts nodeLabels). */
export function poolNodeLabels(pool: PoolConfig): Record<string, string> {
  return {
    ...pool.labels,
    [`node-role.kubernetes.io/${pool.role}`]: '',
    'shepherd.io/provider': pool.provider,
    'shepherd.io/pool': pool.name,
    'shepherd.io/role': pool.role,
  };
}
