import type { Routed, SimRequest, SimResponse } from '../../http.js';
import { isKubeStatusError } from '../../world/kube-store.js';
import { deleteObject } from './delete.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { evictPod } from './eviction.js';
import { negotiate } from './negotiation.js';
import { type ParsedResourcePath, parseResourcePath } from './paths.js';
import { getObject, listObjects } from './read.js';
import { methodNotAllowed, resourceNotServed, statusResponse } from './status.js';
import type { KubeEnv } from './types.js';
import { createObject, patchObject, updateObject } from './write.js';

/** Maps an authenticated request to its operation (`nodes.list`, `pods.evict`, ...) or answers it at once. */
export function routeKube(env: KubeEnv, req: SimRequest): Routed | SimResponse {
  const path = req.path.length > 1 ? req.path.replace(/\/$/, '') : req.path;
  const rp = parseResourcePath(path);
  if (rp) return routeResource(env, req, rp);
  const meta = routeMeta(env, req, path);
  if (meta) return meta;
  if (path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/')) return statusResponse(resourceNotServed());
  // Outside the API (e.g. /openapi/v2, which clients probe and do without): the mux's plain 404.
  return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
}

/** Health, version and discovery endpoints. */
function routeMeta(env: KubeEnv, req: SimRequest, path: string): Routed | undefined {
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    return read(req, 'health', () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' }));
  }
  if (path === '/version') return read(req, 'version', () => versionInfo(env.world.scalewayCluster.version));
  const discovery = discoveryDocument(env, req, path);
  if (discovery === undefined) return undefined;
  return read(req, 'discovery', () => {
    negotiate(req.headers.accept, null, false);
    return discovery ?? statusResponse(resourceNotServed());
  });
}

/** The document for a discovery path; null for a discovery path of a group or version not served; undefined for other paths. */
function discoveryDocument(env: KubeEnv, req: SimRequest, path: string): SimResponse | null | undefined {
  const segs = path.split('/').slice(1);
  if (path === '/api') return coreVersions(env.world.apiServerEndpoint || String(req.headers.host ?? ''));
  if (segs[0] === 'api' && segs.length === 2) return resourceList('', segs[1]) ?? null;
  if (path === '/apis') return groupList();
  if (segs[0] === 'apis' && segs.length === 2) return group(segs[1]) ?? null;
  if (segs[0] === 'apis' && segs.length === 3) return resourceList(segs[1], segs[2]) ?? null;
  return undefined;
}

function read(req: SimRequest, op: string, run: () => SimResponse): Routed {
  return { op, run: () => (req.method === 'GET' || req.method === 'HEAD' ? guarded(run) : statusResponse(methodNotAllowed())) };
}

function routeResource(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): Routed | SimResponse {
  const { info, name, subresource } = rp;
  if (subresource && !info.subresources.some((s) => s.name === subresource)) return statusResponse(resourceNotServed());
  // A namespaced object is only reachable under its namespace.
  if (info.namespaced && name && rp.namespace === undefined) return statusResponse(resourceNotServed());
  const r = rp.resource;
  const watch = rp.watchPath || req.query.get('watch') === 'true' || req.query.get('watch') === '1';
  if (watch) {
    return op(`${r}.watch`, () => {
      throw methodNotAllowed('watch is not supported by the simulated API server; poll with list or get instead');
    });
  }
  const status = subresource === 'status';
  switch (req.method) {
    case 'GET':
      if (!name) return op(`${r}.list`, () => listObjects(env, req, rp, negotiate(req.headers.accept, req.query.get('includeObject'), true)));
      return op(status ? `${r}.getStatus` : `${r}.get`, () => getObject(env, rp, negotiate(req.headers.accept, req.query.get('includeObject'), true)));
    case 'POST':
      if (subresource === 'eviction') return op('pods.evict', () => evictPod(env, req, rp));
      if (!name && (!info.namespaced || rp.namespace !== undefined)) return op(`${r}.create`, () => createObject(env, req, rp));
      break;
    case 'PUT':
      if (name && (!subresource || status)) return op(status ? `${r}.updateStatus` : `${r}.update`, () => updateObject(env, req, rp));
      break;
    case 'PATCH':
      if (name && (!subresource || status)) return op(status ? `${r}.patchStatus` : `${r}.patch`, () => patchObject(env, req, rp));
      break;
    case 'DELETE':
      if (name && !subresource) return op(`${r}.delete`, () => deleteObject(env, req, rp));
      if (!name) return op(`${r}.deletecollection`, () => statusResponse(methodNotAllowed()));
      break;
  }
  return statusResponse(methodNotAllowed());
}

function op(name: string, run: () => SimResponse): Routed {
  return { op: name, run: () => guarded(run) };
}

/** API errors thrown by handlers and the world become Status responses; anything else is a simulator bug (500). */
function guarded(run: () => SimResponse): SimResponse {
  try {
    return run();
  } catch (err) {
    if (isKubeStatusError(err)) return statusResponse(err);
    throw err;
  }
}
