import type { SimEnv } from '../../env.js';
import { matchPath, type Routed, type ServerSpec, type SimRequest, type SimResponse } from '../../http.js';
import { internalError, ScalewayApiError, tooManyRequests } from './errors.js';
import { K8sApi, type Params } from './k8s-api.js';

export { DEFAULT_NODE_QUOTA, scalewayNodeQuota, setScalewayNodeQuota } from './quota.js';

type Handler = (api: K8sApi, req: SimRequest, params: Params) => SimResponse;

/** Routes of Scaleway's Kubernetes API (k8s v1) as @scaleway/sdk-k8s calls them, with their operation names. */
const ROUTES: Array<{ method: string; path: string; op: string; handle: Handler }> = [
  { method: 'GET', path: '/k8s/v1/regions/:region/clusters', op: 'ListClusters', handle: (a, r, p) => a.listClusters(r, p) },
  { method: 'GET', path: '/k8s/v1/regions/:region/clusters/:cluster_id', op: 'GetCluster', handle: (a, r, p) => a.getCluster(r, p) },
  { method: 'GET', path: '/k8s/v1/regions/:region/clusters/:cluster_id/pools', op: 'ListPools', handle: (a, r, p) => a.listPools(r, p) },
  { method: 'GET', path: '/k8s/v1/regions/:region/clusters/:cluster_id/nodes', op: 'ListNodes', handle: (a, r, p) => a.listNodes(r, p) },
  { method: 'GET', path: '/k8s/v1/regions/:region/pools/:pool_id', op: 'GetPool', handle: (a, r, p) => a.getPool(r, p) },
  { method: 'PATCH', path: '/k8s/v1/regions/:region/pools/:pool_id', op: 'UpdatePool', handle: (a, r, p) => a.updatePool(r, p) },
  {
    method: 'POST',
    path: '/k8s/v1/regions/:region/pools/:pool_id/external-nodes/auth',
    op: 'AuthExternalNode',
    handle: (a, r, p) => a.authExternalNode(r, p),
  },
  {
    method: 'POST',
    path: '/k8s/v1/regions/:region/pools/:pool_id/external-nodes',
    op: 'CreateExternalNode',
    handle: (a, r, p) => a.createExternalNode(r, p),
  },
  { method: 'GET', path: '/k8s/v1/regions/:region/nodes/:node_id', op: 'GetNode', handle: (a, r, p) => a.getNode(r, p) },
  { method: 'DELETE', path: '/k8s/v1/regions/:region/nodes/:node_id', op: 'DeleteNode', handle: (a, r, p) => a.deleteNode(r, p) },
  { method: 'POST', path: '/k8s/v1/regions/:region/nodes/:node_id/reboot', op: 'RebootNode', handle: (a, r, p) => a.rebootNode(r, p) },
  { method: 'POST', path: '/k8s/v1/regions/:region/nodes/:node_id/replace', op: 'ReplaceNode', handle: (a, r, p) => a.replaceNode(r, p) },
];

/** Scaleway's Kubernetes API (Kapsule/Kosmos) over the world's cluster, pools and their nodes. */
export function scalewayServer(env: SimEnv): ServerSpec {
  const api = new K8sApi(env);
  return {
    name: 'scaleway',
    route(req: SimRequest): Routed | SimResponse {
      for (const r of ROUTES) {
        const params = matchPath(r.path, req.path);
        if (!params || r.method !== req.method) continue;
        return {
          op: r.op,
          run: () => {
            try {
              return r.handle(api, req, params);
            } catch (err) {
              if (err instanceof ScalewayApiError) return err.response;
              throw err;
            }
          },
        };
      }
      return { status: 501, body: { message: `not implemented by the simulator: ${req.method} ${req.path}`, type: 'not_implemented' } };
    },
    errors: {
      internal: internalError,
      throttled: (message, retryAfterSeconds) => tooManyRequests(message, retryAfterSeconds),
    },
  };
}
