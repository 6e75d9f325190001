import { type ApiResource, findResource } from './catalog.js';
import type { ResourcePath } from './types.js';

export interface ParsedResourcePath extends ResourcePath {
  info: ApiResource;
  /** The deprecated `/watch/` path form was used. */
  watchPath: boolean;
}

/**
 * Understands the REST paths of served resources:
 * `/api/v1/{resource}[/{name}[/{subresource}]]`,
 * `/api/v1/namespaces/{namespace}/{resource}[/{name}[/{subresource}]]`, the same under
 * `/apis/{group}/{version}`, and their `/watch/` forms. Undefined for anything else.
 */
export function parseResourcePath(path: string): ParsedResourcePath | undefined {
  const segs = path.split('/').slice(1);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  if (rest.length === 0 || rest.some((s) => s === '')) return undefined;
  let parts: string[];
  try {
    parts = rest.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const nested = parts[0] === 'namespaces' && parts.length >= 3 ? findResource(group, version, parts[2]) : undefined;
  if (nested?.namespaced) {
    if (parts.length > 5) return undefined;
    return { group, version, info: nested, resource: nested.plural, namespace: parts[1], name: parts[3], subresource: parts[4], watchPath };
  }
  const info = findResource(group, version, parts[0]);
  if (!info || parts.length > 3) return undefined;
  return { group, version, info, resource: info.plural, name: parts[1], subresource: parts[2], watchPath };
}
