import type { ShepherdConfig } from '../../../config/types.js';
import { providerNamed } from '../../providers/registry.js';
import { cpuMillis, memoryBytes } from './quantity.js';
import type { BufferPoolView } from './types.js';

/** What the store knows of a buffer pool now: its nodes, those still coming, and what its failures left. */
export interface BufferPoolState {
  size: number;
  upcoming: number;
  backedOffUntil?: string;
  outOfCapacityUntil?: string;
}

/**
 * The buffer pools in priority order, each as the node it would add: the labels ProvisionNode puts on a node of the
 * pool (decisions/provision.ts nodeLabels, less those only a VM knows: instance type, region, claim) plus the
 * kubelet's own (arch, os), the zones of its offerings, its taints, and the allocatable and cost from `buffers`.
 */
export function bufferPoolViews(config: ShepherdConfig, state: Record<string, BufferPoolState>): BufferPoolView[] {
  return (config.buffers?.pools ?? []).map((entry) => {
    const pool = config.pools.find((p) => p.name === entry.pool);
    if (!pool) throw new Error(`buffers.pools names ${entry.pool}, which is not a pool`);
    const zones = [
      ...new Set(
        providerNamed(pool.provider)
          .offerings(pool, config)
          .map((o) => o.zone),
      ),
    ].filter((z) => z !== '');
    const now = state[pool.name] ?? { size: 0, upcoming: 0 };
    return {
      pool: pool.name,
      provider: pool.provider,
      labels: {
        ...pool.labels,
        'kubernetes.io/arch': pool.arch,
        'kubernetes.io/os': 'linux',
        [`node-role.kubernetes.io/${pool.role}`]: '',
        'shepherd.io/provider': pool.provider,
        'shepherd.io/pool': pool.name,
        'shepherd.io/role': pool.role,
      },
      zones,
      taints: pool.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
      allocatable: {
        cpuMillis: cpuMillis(entry.allocatable.cpu) ?? 0,
        memoryBytes: memoryBytes(entry.allocatable.memory) ?? 0,
        pods: entry.allocatable.pods,
      },
      hourlyCost: entry.hourlyCost,
      min: pool.min,
      maxNodes: entry.maxNodes ?? pool.max,
      maxNodesFrom: entry.maxNodes !== undefined ? 'buffers.pools[].maxNodes' : 'pools[].max',
      ...now,
    };
  });
}
