import type { SimRequest, SimResponse } from '../../http.js';
import type { KubeObject } from '../../world/types.js';
import { type ApiResource, groupVersion, type ObjectCodec } from './catalog.js';
import { listPage, parseLimit } from './list.js';
import type { ParsedResourcePath } from './paths.js';
import { badRequest } from './status.js';
import { toTable } from './tables/index.js';
import type { KubeEnv, ResponseFormat } from './types.js';

/** GET on a collection: the kind's List, or a Table. Items of a List carry no kind/apiVersion, as on the wire. */
export function listObjects(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath, format: ResponseFormat): SimResponse {
  const page = listPage(env.world.kube, rp.resource, {
    namespace: rp.namespace,
    labelSelector: req.query.get('labelSelector') ?? undefined,
    fieldSelector: storedFieldSelector(rp.info, req.query.get('fieldSelector') ?? undefined),
    limit: parseLimit(req.query.get('limit')),
    continueToken: req.query.get('continue') ?? undefined,
  });
  if (format.as === 'table') {
    return { status: 200, body: toTable(rp.resource, page.items, page.metadata, format.includeObject, env.clock.now(), wireForm(rp.info)) };
  }
  const items = page.items.map((o) => wireForm(rp.info)(o)).map(({ apiVersion: _v, kind: _k, ...rest }) => rest);
  return {
    status: 200,
    body: { kind: `${rp.info.kind}List`, apiVersion: groupVersion(rp.group, rp.version), metadata: page.metadata, items },
  };
}

/** GET on one object (or its status subresource, which reads the same object). */
export function getObject(env: KubeEnv, rp: ParsedResourcePath, format: ResponseFormat): SimResponse {
  const obj = env.world.kube.mustGet(rp.resource, rp.namespace, rp.name as string);
  return objectResponse(env, rp.info, obj, format, 200);
}

export function objectResponse(env: KubeEnv, info: ApiResource, obj: KubeObject, format: ResponseFormat, status: number): SimResponse {
  if (format.as === 'table') {
    const meta = { resourceVersion: obj.metadata.resourceVersion ?? env.world.kube.currentResourceVersion() };
    return { status, body: toTable(info.plural, [obj], meta, format.includeObject, env.clock.now(), wireForm(info)) };
  }
  return { status, body: wireForm(info)(obj) };
}

/** Stored form -> the form this resource's version puts on the wire. */
export function wireForm(info: ApiResource): (obj: KubeObject) => KubeObject {
  return info.codec ? info.codec.encode : (obj) => obj;
}

/**
 * A field selector of this version in the store's labels: a version stored in another shape maps its labels,
 * and refuses those it does not convert as the API server does (400 `field label not supported`).
 */
function storedFieldSelector(info: ApiResource, selector: string | undefined): string | undefined {
  const codec: ObjectCodec | undefined = info.codec;
  if (!codec || !selector) return selector;
  return selector
    .split(',')
    .map((term) => {
      const m = /^\s*([\w.]+)(.*)$/s.exec(term);
      if (!m) return term;
      const label = codec.fieldLabel(m[1]);
      if (!label) throw badRequest(`field label not supported: ${m[1]}`);
      return `${label}${m[2]}`;
    })
    .join(',');
}
