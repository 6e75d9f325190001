import { findType } from '../catalog.js';
import { readyStatus } from '../cluster/status.js';
import { InsufficientCapacityError, UnknownResourceError } from '../errors.js';
import type { ScalewayPool, Vm } from '../types.js';
import type { World } from '../world.js';
import { PoolAutoscaler } from './autoscaler.js';
import { poolNodeName } from './node-identity.js';

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

/** A node action the node is not in a state for (Scaleway's transient_state: it is being deleted or rebooted). */
export class PoolNodeBusyError extends Error {
  override readonly name = 'PoolNodeBusyError';
  constructor(
    readonly vmId: string,
    readonly state: 'deleting' | 'rebooting',
  ) {
    super(`pool node ${vmId} is ${state}`);
  }
}

export function isPoolNodeBusyError(err: unknown): err is PoolNodeBusyError {
  return err instanceof PoolNodeBusyError;
}

/** Scaleway Kapsule/Kosmos pools: managed pools that launch their own VMs, external pools that nodes join. */
export class ScalewayPools {
  private readonly pools = new Map<string, ScalewayPool>();
  /** Managed pool nodes between a reboot request and running again. */
  private readonly rebooting = new Set<string>();
  /** External (Kosmos) nodes removed from their pool through the node API; their machines are not Scaleway's. */
  private readonly removedExternal = new Set<string>();
  private readonly autoscaler: PoolAutoscaler;

  constructor(private readonly world: World) {
    this.autoscaler = new PoolAutoscaler(world, this);
  }

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
    this.autoscaler.watch();
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
    return this.world.listVms().filter((v) => v.poolId === poolId && v.state !== 'terminated' && !this.removedExternal.has(v.id));
  }

  /** Whether the node API removed this external node from its pool. */
  isRemoved(vmId: string): boolean {
    return this.removedExternal.has(vmId);
  }

  isRebooting(vmId: string): boolean {
    return this.rebooting.has(vmId);
  }

  /**
   * Resizes a managed pool: status `scaling` while nodes come up or go, `ready` once the pool has
   * exactly `size` nodes and every one is Ready. External (Kosmos) pools are sized by joins.
   */
  resize(id: string, size: number): ScalewayPool {
    const { clock } = this.world;
    const pool = this.mustPool(id);
    if (pool.nodeType === 'external') throw new RangeError('external pools are sized by the nodes that join them; their size cannot be set');
    if (!Number.isInteger(size) || size < pool.minSize || size > pool.maxSize) {
      throw new RangeError(`size must be an integer between min_size ${pool.minSize} and max_size ${pool.maxSize}`);
    }
    const current = this.vms(id).filter((v) => v.state !== 'shutting-down');
    // Out of stock refuses the whole resize before anything changes: Scaleway answers it with an error status
    // (503 out_of_stock, the SDK's OutOfStockError: "stocks are empty for the resource"), and a status outside 2xx is a
    // request that failed (https://www.scaleway.com/en/docs/ai-data/generative-apis/api-cli/understanding-errors/), so
    // the pool keeps its size, as it does when the node quota refuses the PATCH. Its size left raised with no node
    // behind it would make the next PATCH to that size a no-op that launches nothing.
    if (size - current.length > this.world.faults.capacityLeft('scaleway', pool.zone, pool.nodeType))
      throw new InsufficientCapacityError('scaleway', pool.zone, pool.nodeType);
    pool.size = size;
    pool.updatedAt = clock.now();
    this.world.record('pool.resized', `scaleway pool ${pool.name} size ${current.length} -> ${size}`, id);
    for (let i = current.length; i < size; i++) this.launchNode(pool);
    for (const vm of this.shrinkVictims(current, current.length - size)) this.removeNode(pool, vm, `pool ${pool.name} scaled down`);
    this.refresh();
    return { ...pool };
  }

  /**
   * The node API's delete (`DELETE /nodes/{id}?replace=&skip_drain=`): the node's Node and machine go; without
   * `replace` the pool shrinks by one, with it a new node takes its place. An external node leaves its pool and
   * cluster; its machine is not Scaleway's to stop. Throws PoolNodeBusyError while the node is deleting or rebooting.
   */
  deleteNode(vmId: string, options: { replace: boolean }): Vm {
    const { pool, vm } = this.poolNode(vmId);
    this.checkIdle(vm);
    if (pool.nodeType === 'external') {
      this.removedExternal.add(vm.id);
      if (vm.nodeName && this.world.kube.get('nodes', undefined, vm.nodeName))
        this.world.cluster.deleteNode(vm.nodeName, `external node removed from pool ${pool.name}`);
      this.refresh();
      return this.world.getVm(vm.id)!;
    }
    if (!options.replace) pool.size = Math.max(0, pool.size - 1);
    pool.updatedAt = this.world.clock.now();
    this.removeNode(pool, vm, options.replace ? `node replaced in pool ${pool.name}` : `node deleted from pool ${pool.name}`);
    if (options.replace) this.launchNode(pool);
    this.refresh();
    return this.world.getVm(vm.id)!;
  }

  /** The node API's reboot: the machine stops and starts again; its Node goes NotReady meanwhile. Managed pools only. */
  rebootNode(vmId: string): Vm {
    const { pool, vm } = this.poolNode(vmId);
    if (pool.nodeType === 'external') throw new RangeError(`node ${vmId} is an external node: Scaleway cannot reboot a machine it does not run`);
    this.checkIdle(vm);
    this.rebooting.add(vm.id);
    this.world.record('pool.node-reboot', `scaleway pool ${pool.name}: rebooting node ${vm.name}`, vm.id);
    const off = this.world.on('vm-state', ({ vm: changed }) => {
      if (changed.id !== vm.id) return;
      if (changed.state === 'stopped') this.world.startVm(vm.id);
      if (changed.state === 'running' || changed.state === 'terminated' || changed.state === 'shutting-down') {
        this.rebooting.delete(vm.id);
        off();
      }
    });
    this.world.stopVm(vm.id);
    return this.world.getVm(vm.id)!;
  }

  /**
   * Changes a pool's settings other than its size (the PATCH fields min_size, max_size, autoscaling,
   * autohealing, tags). Throws RangeError for negative or non-integer limits or min > max; the
   * caller checks the size against the new limits, since a PATCH may change both at once.
   */
  update(id: string, patch: Partial<Pick<ScalewayPool, 'minSize' | 'maxSize' | 'autoscaling' | 'autohealing' | 'tags'>>): ScalewayPool {
    const pool = this.mustPool(id);
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
    this.autoscaler.watch();
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

  /**
   * A new node of the pool as Scaleway identifies it: its own node id and the name both its Instance (managed
   * pools) or its external node (Kosmos) and its Kubernetes Node carry (node-identity.ts).
   */
  newNodeIdentity(poolId: string): { id: string; name: string } {
    const pool = this.mustPool(poolId);
    const id = this.world.random.uuid();
    return { id, name: poolNodeName(this.world.scalewayCluster.name, pool.name, id) };
  }

  /** An external (Kosmos) pool's node: Scaleway does not run its machine, so it knows no providerID for it. */
  isExternalNode(vm: Vm): boolean {
    return Boolean(vm.poolId && this.pools.get(vm.poolId)?.nodeType === 'external');
  }

  private launchNode(pool: ScalewayPool): void {
    const node = this.newNodeIdentity(pool.id);
    this.world.launchVm({ provider: 'scaleway', zone: pool.zone, type: pool.nodeType, poolId: pool.id, poolNodeId: node.id, autoJoin: true, name: node.name });
  }

  private removeNode(pool: ScalewayPool, vm: Vm, why: string): void {
    const { kube, cluster } = this.world;
    if (vm.nodeName && kube.get('nodes', undefined, vm.nodeName)) cluster.deleteNode(vm.nodeName, why);
    this.world.terminateVm(vm.id);
    this.world.record('pool.node-removed', `scaleway pool ${pool.name}: node ${vm.name} removed (${why})`, vm.id);
  }

  /**
   * Which nodes a size decrease removes. Scaleway does not document it, so the unkind world picks them at random
   * (seeded): a caller must not count on the newest going. The kind world removes the newest.
   */
  private shrinkVictims(current: Vm[], count: number): Vm[] {
    if (count <= 0) return [];
    const left = [...current].sort((a, b) => b.launchedAt - a.launchedAt || a.id.localeCompare(b.id));
    if (!this.world.unkindness.has('scaleway-random-shrink')) return left.slice(0, count);
    const picked: Vm[] = [];
    while (picked.length < count) picked.push(...left.splice(this.world.random.int(0, left.length - 1), 1));
    return picked;
  }

  private poolNode(vmId: string): { pool: ScalewayPool; vm: Vm } {
    const vm = this.world.getVm(vmId);
    const pool = vm?.poolId ? this.pools.get(vm.poolId) : undefined;
    if (!vm || !pool || vm.state === 'terminated' || this.removedExternal.has(vm.id)) throw new UnknownResourceError('pool node', vmId);
    return { pool, vm };
  }

  private checkIdle(vm: Vm): void {
    if (vm.state === 'shutting-down') throw new PoolNodeBusyError(vm.id, 'deleting');
    if (this.rebooting.has(vm.id)) throw new PoolNodeBusyError(vm.id, 'rebooting');
  }

  private mustPool(id: string): ScalewayPool {
    const pool = this.pools.get(id);
    if (!pool) throw new UnknownResourceError('pool', id);
    return pool;
  }
}
