import { createClient, Errors } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import type { VmRef } from '../../decisions/provision.js';
import { InsufficientCapacityError, ProviderRequestError, ThrottledError, TransientError } from '../../runtime/errors.js';
import { getJsonSecret } from '../../runtime/secrets.js';
import type { CloudProvider, Interruption, LaunchSpec, Page, TerminateOptions, TerminateOutcome, VmState } from '../types.js';

type PoolsApi = Pick<K8Sv1.API, 'getPool' | 'updatePool' | 'listNodes' | 'getNode' | 'deleteNode'>;

/** Node statuses of a pool node that has not registered a Node yet, so no claim can hold it. */
const NOT_REGISTERED = new Set(['creating', 'starting', 'registering', 'creation_error']);

/**
 * A Scaleway managed pool grows by one node per claim. Scaleway picks the node, so the VM reference
 * carries the pool id and the cluster step takes the pool's first unclaimed Node.
 */
export class ScalewayPoolProvider implements CloudProvider {
  private api?: Promise<PoolsApi>;

  constructor(
    private readonly config: ShepherdConfig,
    api?: PoolsApi,
  ) {
    if (!config.providers.scaleway) throw new ProviderRequestError('providers.scaleway is missing from the config');
    if (api) this.api = Promise.resolve(api);
  }

  private get pools(): Promise<PoolsApi> {
    this.api ??= (async () => {
      const scw = this.config.providers.scaleway!;
      const creds = await getJsonSecret<{ accessKey: string; secretKey: string; projectId: string }>(scw.credentialsSecretArn, [
        'accessKey',
        'secretKey',
        'projectId',
      ]);
      const client = createClient({
        accessKey: creds.accessKey,
        secretKey: creds.secretKey,
        defaultProjectId: creds.projectId,
        defaultRegion: scw.region as never,
        ...(process.env.SHEPHERD_SCALEWAY_API_URL ? { apiURL: process.env.SHEPHERD_SCALEWAY_API_URL } : {}),
      });
      return new K8Sv1.API(client);
    })();
    return this.api;
  }

  /**
   * Shepherd owns a scaleway-pool's size above min_size: min_size + active claims. Growing to that
   * (never shrinking) is idempotent when the same claim retries. `resized` says whether this call grew the
   * pool: only then may cleanup shrink it. (A crash between the resize and the return loses that fact; the
   * retry then reports resized false and the pool keeps one unclaimed node for the next claim: the safe side.)
   */
  async launch(spec: LaunchSpec): Promise<VmRef> {
    const { poolId, region } = this.poolOf(spec.pool);
    const api = await this.pools;
    const pool = await this.call(() => api.getPool({ region: region as never, poolId }));
    const target = Math.max(pool.size, spec.activeClaims !== undefined ? pool.minSize + spec.activeClaims : pool.size + 1);
    if (target > pool.maxSize) throw new InsufficientCapacityError(`Scaleway pool ${spec.pool.name} is at its max_size ${pool.maxSize}`);
    if (target !== pool.size) await this.call(() => api.updatePool({ region: region as never, poolId, size: target }));
    return { provider: 'scaleway', id: '', name: '', zone: pool.zone, region, type: pool.nodeType, poolId, resized: target !== pool.size };
  }

  /** Pool nodes are found through their Node's claim label, not by a cloud tag. */
  async findByClaim(): Promise<VmRef[]> {
    return [];
  }

  /** One configured pool per page: its nodes as Scaleway lists them (Scaleway pages within the pool are followed). */
  async listOwned(pageToken?: string): Promise<Page<VmRef>> {
    const pools = this.config.pools.filter((p) => p.provider === 'scaleway');
    const index = pageToken ? Number(pageToken) : 0;
    const poolCfg = pools[index];
    if (!poolCfg) return { items: [] };
    const { poolId, region } = this.poolOf(poolCfg);
    const items: VmRef[] = (await this.poolNodes(poolId, region))
      .filter((n) => n.status !== 'deleted')
      .map((n) => ({
        provider: 'scaleway',
        id: n.id,
        name: n.name,
        zone: '',
        region,
        type: poolCfg.instanceTypes[0],
        poolId,
        providerID: n.providerId || undefined,
      }));
    return { items, ...(index + 1 < pools.length ? { next: String(index + 1) } : {}) };
  }

  /** A pool node by its Scaleway id; a launch reference (no node id yet) is 'unknown'. */
  async describe(vm: VmRef): Promise<VmState> {
    if (!vm.id) return 'unknown';
    const api = await this.pools;
    try {
      const node = await this.call(() => api.getNode({ region: vm.region as never, nodeId: vm.id }));
      if (node.status === 'deleting') return 'stopping';
      if (node.status === 'deleted') return 'gone';
      return 'running';
    } catch (err) {
      if (/not.?found|404/i.test((err as Error).message)) return 'gone';
      throw err;
    }
  }

  /**
   * Removes this claim's node through the node API (`DELETE /nodes/{id}`), never by lowering the size: Scaleway
   * picks which node a shrink removes, and it may be another claim's. The node the claim took goes, replaced when the
   * claim found it in the pool (the pool keeps its size) and not when this claim's launch grew the pool. A claim that
   * grew the pool but took no node removes one node that has not registered yet (no claim can hold it); if every
   * node registered, the size stays (the safe side: one idle node). A node already deleting or gone is done. A
   * removal (RemoveNode) never replaces: the pool shrinks by the node it gives up.
   */
  async terminate(vm: VmRef, poolCfg: PoolConfig, nodeName?: string, options: TerminateOptions = {}): Promise<TerminateOutcome> {
    // No Node taken and the pool not grown for this claim: no machine of the claim exists.
    if (!nodeName && !vm.resized) return 'already-gone';
    const { poolId, region } = this.poolOf(poolCfg);
    const nodes = await this.poolNodes(poolId, region);
    const target = nodeName ? nodes.find((n) => n.name === nodeName) : nodes.find((n) => NOT_REGISTERED.has(n.status));
    if (nodeName && (!target || target.status === 'deleting' || target.status === 'deleted')) {
      await this.dropVanishedPlace(poolId, region, nodes);
      return 'already-gone';
    }
    if (!target || target.status === 'deleting' || target.status === 'deleted') return 'already-gone';
    const api = await this.pools;
    try {
      await this.call(() =>
        api.deleteNode({ region: region as never, nodeId: target.id, replace: Boolean(nodeName) && !vm.resized && !options.removal, skipDrain: true }),
      );
      return 'terminated';
    } catch (err) {
      // Deleted meanwhile: gone (404) or still deleting (409 transient_state).
      if (/not found|transient state: deleting/i.test((err as Error).message)) return 'already-gone';
      throw err;
    }
  }

  /**
   * The claim's node is gone or going, not through this pool's API: its machine was deleted out of band (through the
   * Instance API), and the pool's size may still hold its place with no node behind it, so that the replacement's launch (which sizes the
   * pool from its claims) would see no need to grow it and wait for a node that never comes. That place is given back:
   * the size goes down by one, only while it exceeds the nodes the pool lists that are not deleting, so no live node
   * can be the one removed (a node deleted with replace, or with the pool shrinking, leaves the size matching).
   */
  private async dropVanishedPlace(poolId: string, region: string, nodes: K8Sv1.Node[]): Promise<void> {
    const api = await this.pools;
    const pool = await this.call(() => api.getPool({ region: region as never, poolId }));
    const listed = nodes.filter((n) => n.status !== 'deleting' && n.status !== 'deleted').length;
    if (pool.size > listed && pool.size > pool.minSize) await this.call(() => api.updatePool({ region: region as never, poolId, size: pool.size - 1 }));
  }

  private async poolNodes(poolId: string, region: string): Promise<K8Sv1.Node[]> {
    const api = await this.pools;
    const nodes: K8Sv1.Node[] = [];
    for (let page = 1; ; page++) {
      const out = await this.call(() =>
        api.listNodes({ region: region as never, clusterId: this.config.providers.scaleway!.clusterId, poolId, page, pageSize: 100 }),
      );
      nodes.push(...out.nodes);
      if (out.nodes.length === 0 || page * 100 >= out.totalCount) return nodes;
    }
  }

  /** Scaleway announces no interruptions of pool nodes. */
  async interruptions(): Promise<Interruption[]> {
    return [];
  }

  private poolOf(pool: PoolConfig): { poolId: string; region: string } {
    if (pool.join.method !== 'scaleway-pool') throw new ProviderRequestError(`pool ${pool.name}: scaleway pools need join.method "scaleway-pool"`);
    return { poolId: pool.join.poolId, region: this.config.providers.scaleway!.region };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const msg = `Scaleway: ${(err as Error).message}`;
      if (err instanceof Errors.TooManyRequestsError) throw new ThrottledError(msg);
      if (err instanceof Errors.QuotasExceededError || err instanceof Errors.OutOfStockError) throw new InsufficientCapacityError(msg);
      if (err instanceof Errors.TransientStateError || err instanceof Errors.ResourceLockedError) throw new TransientError(msg);
      if (err instanceof Errors.ScalewayError && err.status >= 500) throw new TransientError(msg);
      if (!(err instanceof Errors.ScalewayError) && /ECONN|fetch failed|socket/i.test(msg)) throw new TransientError(msg);
      throw new ProviderRequestError(msg);
    }
  }
}
