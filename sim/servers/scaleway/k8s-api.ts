import type { SimEnv } from '../../env.js';
import type { SimRequest, SimResponse } from '../../http.js';
import { isPoolNodeBusyError } from '../../world/scaleway/pools.js';
import type { ScalewayPool, Vm } from '../../world/types.js';
import { authenticate, type Caller, type NodeKeys, requireAccount } from './auth.js';
import { invalidArguments, notFound, permissionsDenied, preconditionFailed, transientState } from './errors.js';
import { createExternalNodeJson, externalNodeAuthJson, requireExternalPool } from './external-nodes.js';
import { isUuid } from './ids.js';
import { filterByNameAndStatus, page } from './list.js';
import { findPoolNode, poolNodes } from './nodes.js';
import { applyUpdatePool, parseUpdatePool } from './update-pool.js';
import { clusterJson, type Json, poolJson, REGIONS } from './wire.js';

/** Path parameters of a k8s v1 route (`region` always, plus the ids the route names). */
export type Params = Record<string, string>;

/** The k8s v1 operations the simulation serves, over the shared world. */
export class K8sApi {
  private readonly nodeKeys: NodeKeys = new Map();
  private readonly clusterCreatedAt: number;

  constructor(private readonly env: SimEnv) {
    this.clusterCreatedAt = env.clock.now();
  }

  private get world() {
    return this.env.world;
  }

  listClusters(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'cluster');
    const q = req.query;
    const c = this.world.scalewayCluster;
    const mine =
      this.region(p) === c.region &&
      (!q.get('project_id') || q.get('project_id') === c.projectId) &&
      (!q.get('organization_id') || q.get('organization_id') === c.organizationId) &&
      (!q.get('type') || q.get('type') === c.type);
    const { items, total } = page(filterByNameAndStatus(mine ? [this.clusterJson()] : [], q), q);
    return ok({ clusters: items, total_count: total });
  }

  getCluster(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'cluster');
    this.cluster(p);
    return ok(this.clusterJson());
  }

  listPools(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'pool');
    const clusterId = this.cluster(p);
    const pools = this.world
      .listPools()
      .filter((x) => x.clusterId === clusterId)
      .map((x) => poolJson(this.world, x));
    const { items, total } = page(filterByNameAndStatus(pools, req.query), req.query);
    return ok({ pools: items, total_count: total });
  }

  getPool(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'pool');
    return ok(poolJson(this.world, this.pool(p)));
  }

  updatePool(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'write', 'pool');
    const pool = this.pool(p);
    applyUpdatePool(this.world, pool, parseUpdatePool(req));
    return ok(poolJson(this.world, this.pool(p)));
  }

  listNodes(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'node');
    const clusterId = this.cluster(p);
    const poolId = req.query.get('pool_id');
    if (poolId && !isUuid(poolId)) throw invalidArguments({ argument_name: 'pool_id', reason: 'format', help_message: 'must be a UUID' });
    const nodes = this.world
      .listPools()
      .filter((x) => x.clusterId === clusterId && (!poolId || x.id === poolId))
      .flatMap((x) => poolNodes(this.world, x));
    const { items, total } = page(filterByNameAndStatus(nodes, req.query), req.query);
    return ok({ nodes: items, total_count: total });
  }

  getNode(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'read', 'node');
    return ok(this.node(p).json);
  }

  /**
   * DELETE /nodes/{node_id}?replace=&skip_drain= (@scaleway/sdk-k8s deleteNode): answers the node, now deleting.
   * `skip_drain` is accepted and, as Scaleway documents, has no effect yet.
   */
  deleteNode(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'write', 'node');
    const { vm } = this.node(p);
    const replace = boolParam(req.query, 'replace');
    boolParam(req.query, 'skip_drain');
    this.nodeAction(p, () => this.world.scalewayPools.deleteNode(vm.id, { replace }));
    return ok(this.nodeJsonAfter(vm.id, p));
  }

  /** POST /nodes/{node_id}/reboot: the node's machine restarts; answers the node, now rebooting. */
  rebootNode(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'write', 'node');
    const { vm } = this.node(p);
    this.nodeAction(p, () => this.world.scalewayPools.rebootNode(vm.id));
    return ok(this.nodeJsonAfter(vm.id, p));
  }

  /** POST /nodes/{node_id}/replace: the node is deleted and a new one takes its place; answers the old node, deleting. */
  replaceNode(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'write', 'node');
    const { vm } = this.node(p);
    this.nodeAction(p, () => this.world.scalewayPools.deleteNode(vm.id, { replace: true }));
    return ok(this.nodeJsonAfter(vm.id, p));
  }

  /** Trades the account's secret key for a node key that can only fetch this pool's node metadata. */
  authExternalNode(req: SimRequest, p: Params): SimResponse {
    this.account(req, 'write', 'pool');
    const pool = this.pool(p);
    requireExternalPool(pool);
    const nodeSecretKey = this.env.random.uuid();
    this.nodeKeys.set(nodeSecretKey, pool.id);
    return ok(externalNodeAuthJson(pool, nodeSecretKey, `http://${req.headers.host ?? '127.0.0.1'}`));
  }

  /** Bootstrap material for a new Kosmos node; takes the account's key or a node key for this pool. */
  createExternalNode(req: SimRequest, p: Params): SimResponse {
    const caller = this.caller(req);
    const pool = this.pool(p);
    if (caller.kind === 'node' && caller.poolId !== pool.id) throw permissionsDenied('write', 'pool');
    requireExternalPool(pool);
    const forwarded = req.headers['x-forwarded-for'];
    const externalIp = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim() || '127.0.0.1';
    return ok(createExternalNodeJson(this.env, pool, externalIp));
  }

  private node(p: Params): { vm: Vm; json: Json } {
    const region = this.region(p);
    const id = uuidParam(p, 'node_id');
    const found = findPoolNode(this.world, region, id);
    if (!found) throw notFound('node', id);
    return found;
  }

  /** Runs a node action, answering the world's refusals as Scaleway does. */
  private nodeAction(p: Params, action: () => void): void {
    try {
      action();
    } catch (err) {
      if (isPoolNodeBusyError(err)) throw transientState('node', p.node_id, err.state);
      if (err instanceof RangeError) throw preconditionFailed('resource_not_usable', err.message);
      throw err;
    }
  }

  /** The node as listed after an action; a node that left its pool at once (external) is answered as deleted. */
  private nodeJsonAfter(vmId: string, p: Params): Json {
    const vm = this.world.getVm(vmId)!;
    const found = findPoolNode(this.world, this.region(p), p.node_id);
    if (found) return found.json;
    const pool = this.world.getPool(vm.poolId ?? '');
    return { id: p.node_id, pool_id: pool?.id ?? '', cluster_id: pool?.clusterId ?? '', name: vm.nodeName ?? vm.name, region: p.region, status: 'deleted' };
  }

  private caller(req: SimRequest): Caller {
    return authenticate(req, this.env.credentials.scaleway.secretKey, this.nodeKeys);
  }

  private account(req: SimRequest, action: 'read' | 'write', resource: string): void {
    requireAccount(this.caller(req), action, resource);
  }

  private region(p: Params): string {
    if (!(REGIONS as readonly string[]).includes(p.region)) {
      throw invalidArguments({ argument_name: 'region', reason: 'constraint', help_message: `must be one of ${REGIONS.join(', ')}` });
    }
    return p.region;
  }

  /** The world's one cluster, if the path names it in its region; returns its id. */
  private cluster(p: Params): string {
    const region = this.region(p);
    const id = uuidParam(p, 'cluster_id');
    const c = this.world.scalewayCluster;
    if (region !== c.region || id !== c.id) throw notFound('cluster', id);
    return id;
  }

  private pool(p: Params): ScalewayPool {
    const region = this.region(p);
    const id = uuidParam(p, 'pool_id');
    const pool = this.world.getPool(id);
    if (!pool || pool.region !== region) throw notFound('pool', id);
    return pool;
  }

  private clusterJson(): Json {
    return clusterJson(this.world, this.clusterCreatedAt);
  }
}

/** A boolean query parameter as the SDK sends it (`true`/`false`; absent is false). */
function boolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalidArguments({ argument_name: name, reason: 'format', help_message: 'must be true or false' });
}

function uuidParam(p: Params, name: string): string {
  if (!isUuid(p[name])) throw invalidArguments({ argument_name: name, reason: 'format', help_message: 'must be a UUID' });
  return p[name];
}

function ok(body: Json): SimResponse {
  return { status: 200, body };
}
