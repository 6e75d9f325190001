import type { ScalewayPool } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { quotasExceeded } from './errors.js';

/** Kubernetes nodes a project may have across its pools unless a test sets otherwise. */
export const DEFAULT_NODE_QUOTA = 50;

/** The quota name the simulation reports; Scaleway's own name for it is not published. */
export const NODE_QUOTA_RESOURCE = 'k8s_nodes';

const quotas = new WeakMap<World, number>();

/** Sets the per-project node quota of the Scaleway account behind `world` (undefined: back to the default). */
export function setScalewayNodeQuota(world: World, nodes: number | undefined): void {
  if (nodes === undefined) quotas.delete(world);
  else quotas.set(world, nodes);
}

export function scalewayNodeQuota(world: World): number {
  return quotas.get(world) ?? DEFAULT_NODE_QUOTA;
}

/** Throws quotas_exceeded when growing `pool` to `size` would take the project past its node quota. */
export function checkNodeQuota(world: World, pool: ScalewayPool, size: number): void {
  if (size <= pool.size) return;
  const current = world.listPools().reduce((sum, p) => sum + p.size, 0);
  const quota = scalewayNodeQuota(world);
  if (current - pool.size + size > quota) {
    throw quotasExceeded({ resource: NODE_QUOTA_RESOURCE, quota, current, project_id: world.scalewayCluster.projectId });
  }
}
