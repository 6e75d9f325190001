import { findType } from './catalog.js';
import { readyStatus } from './cluster/status.js';
import { UnknownResourceError } from './errors.js';
import type { ScalewayPool, Vm } from './types.js';
import type { World } from './world.js';

export interface CreatePoolInput {
  id?: string;
  name: string;
  nodeType: string;
  zone?: string;
  region?: string;
  size?: number;
  minSize?: number;
  maxSize?: number;
  autoscaling?: boolean;
}

/** Scaleway Kapsule/Kosmos pools: managed pools that launch their own VMs, external pools that nodes join. */
export class ScalewayPools {
  private readonly pools = new Map<string, ScalewayPool>();

  constructor(private readonly world: World) {}

  create(input: CreatePoolInput): ScalewayPool {
    const { catalog, clock, random, scalewayCluster } = this.world;
    const region = input.region ?? scalewayCluster.region;
    const zone = input.zone ?? `${region}-1`;
    if (input.nodeType !== 'external' && !findType(catalog, 'scaleway', input.nodeType)) throw new UnknownResourceError('node type', input.nodeType);
    const now = clock.now();
    const pool: ScalewayPool = {
      id: input.id ?? random.uuid(),
      clusterId: scalewayCluster.id,
      region,
      zone,
      name: input.name,
      nodeType: input.nodeType,
      size: 0,
      minSize: input.minSize ?? 0,
      maxSize: input.maxSize ?? Math.max(10, input.size ?? 0),
      autoscaling: input.autoscaling ?? false,
      autohealing: input.nodeType !== 'external',
      status: 'ready',
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    this.pools.set(pool.id, pool);
    this.world.record('pool.created', `scaleway pool ${pool.name} (${pool.nodeType}) created`, pool.id);
    if (input.size) this.resize(pool.id, input.size);
    return { ...pool };
  }

  list(): ScalewayPool[] {
    return [...this.pools.values()].map((p) => ({ ...p }));
  }

  get(id: string): ScalewayPool | undefined {
    const p = this.pools.get(id);
    return p ? { ...p } : undefined;
  }

  /** Pool nodes: VMs of the pool (managed) or joined to it (external), not yet gone. */
  vms(poolId: string): Vm[] {
    return this.world.listVms().filter((v) => v.poolId === poolId && v.state !== 'terminated');
  }

  /**
   * Resizes a managed pool: status `scaling` while nodes come up or go, `ready` once the pool has
   * exactly `size` nodes and every one is Ready. External (Kosmos) pools are sized by joins.
   */
  resize(id: string, size: number): ScalewayPool {
    const { clock, random, clusterName, kube, cluster } = this.world;
    const pool = this.pools.get(id);
    if (!pool) throw new UnknownResourceError('pool', id);
    if (pool.nodeType === 'external') throw new RangeError('external pools are sized by the nodes that join them; their size cannot be set');
    if (!Number.isInteger(size) || size < pool.minSize || size > pool.maxSize) {
      throw new RangeError(`size must be an integer between min_size ${pool.minSize} and max_size ${pool.maxSize}`);
    }
    const current = this.vms(id).filter((v) => v.state !== 'shutting-down');
    pool.size = size;
    pool.updatedAt = clock.now();
    this.world.record('pool.resized', `scaleway pool ${pool.name} size ${current.length} -> ${size}`, id);
    for (let i = current.length; i < size; i++) {
      this.world.launchVm({
        provider: 'scaleway',
        zone: pool.zone,
        type: pool.nodeType,
        poolId: id,
        autoJoin: true,
        name: `scw-${clusterName}-${pool.name}-${random.hex(20)}`,
      });
    }
    const extra = current.sort((a, b) => b.launchedAt - a.launchedAt).slice(0, Math.max(0, current.length - size));
    for (const vm of extra) {
      if (vm.nodeName && kube.get('nodes', undefined, vm.nodeName)) cluster.deleteNode(vm.nodeName, `pool ${pool.name} scaled down`);
      this.world.terminateVm(vm.id);
    }
    this.refresh();
    return { ...pool };
  }

  /**
   * Changes a pool's settings other than its size (the PATCH fields min_size, max_size, autoscaling,
   * autohealing, tags). Throws RangeError for negative or non-integer limits or min > max; the
   * caller checks the size against the new limits, since a PATCH may change both at once.
   */
  update(id: string, patch: Partial<Pick<ScalewayPool, 'minSize' | 'maxSize' | 'autoscaling' | 'autohealing' | 'tags'>>): ScalewayPool {
    const pool = this.pools.get(id);
    if (!pool) throw new UnknownResourceError('pool', id);
    const minSize = patch.minSize ?? pool.minSize;
    const maxSize = patch.maxSize ?? pool.maxSize;
    if (![minSize, maxSize].every((n) => Number.isInteger(n) && n >= 0) || minSize > maxSize) {
      throw new RangeError(`min_size ${minSize} and max_size ${maxSize} must be integers with 0 <= min_size <= max_size`);
    }
    pool.minSize = minSize;
    pool.maxSize = maxSize;
    pool.autoscaling = patch.autoscaling ?? pool.autoscaling;
    pool.autohealing = patch.autohealing ?? pool.autohealing;
    pool.tags = patch.tags ? [...patch.tags] : pool.tags;
    pool.updatedAt = this.world.clock.now();
    this.world.record('pool.updated', `scaleway pool ${pool.name} settings updated`, id);
    return { ...pool };
  }

  /** Pool status and external pool sizes follow their VMs and Nodes. */
  refresh(): void {
    const { kube, clock } = this.world;
    for (const pool of this.pools.values()) {
      if (pool.nodeType === 'external') {
        pool.size = this.vms(pool.id).filter((v) => v.nodeName).length;
        continue;
      }
      const vms = this.vms(pool.id).filter((v) => v.state !== 'shutting-down');
      const allReady = vms.every((v) => {
        const node = v.nodeName ? kube.get('nodes', undefined, v.nodeName) : undefined;
        return node && readyStatus(node) === 'True';
      });
      const status = vms.length === pool.size && allReady ? 'ready' : 'scaling';
      if (status !== pool.status) {
        pool.status = status;
        pool.updatedAt = clock.now();
        if (status === 'ready') this.world.record('pool.ready', `scaleway pool ${pool.name} ready at size ${pool.size}`, pool.id);
      }
    }
  }
}
