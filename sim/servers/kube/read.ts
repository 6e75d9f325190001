import type { SimRequest, SimResponse } from '../../http.js';
import type { KubeObject } from '../../world/types.js';
import { groupVersion } from './catalog.js';
import { listPage, parseLimit } from './list.js';
import type { ParsedResourcePath } from './paths.js';
import { toTable } from './tables/index.js';
import type { KubeEnv, ResponseFormat } from './types.js';

/** GET on a collection: the kind's List, or a Table. Items of a List carry no kind/apiVersion, as on the wire. */
export function listObjects(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath, format: ResponseFormat): SimResponse {
  const page = listPage(env.world.kube, rp.resource, {
    namespace: rp.namespace,
    labelSelector: req.query.get('labelSelector') ?? undefined,
    fieldSelector: req.query.get('fieldSelector') ?? undefined,
    limit: parseLimit(req.query.get('limit')),
    continueToken: req.query.get('continue') ?? undefined,
  });
  if (format.as === 'table') {
    return { status: 200, body: toTable(rp.resource, page.items, page.metadata, format.includeObject, env.clock.now()) };
  }
  const items = page.items.map(({ apiVersion: _v, kind: _k, ...rest }) => rest);
  return {
    status: 200,
    body: { kind: `${rp.info.kind}List`, apiVersion: groupVersion(rp.group, rp.version), metadata: page.metadata, items },
  };
}

/** GET on one object (or its status subresource, which reads the same object). */
export function getObject(env: KubeEnv, rp: ParsedResourcePath, format: ResponseFormat): SimResponse {
  const obj = env.world.kube.mustGet(rp.resource, rp.namespace, rp.name as string);
  return objectResponse(env, rp.resource, obj, format, 200);
}

export function objectResponse(env: KubeEnv, resource: string, obj: KubeObject, format: ResponseFormat, status: number): SimResponse {
  if (format.as === 'table') {
    const meta = { resourceVersion: obj.metadata.resourceVersion ?? env.world.kube.currentResourceVersion() };
    return { status, body: toTable(resource, [obj], meta, format.includeObject, env.clock.now()) };
  }
  return { status, body: obj };
}
