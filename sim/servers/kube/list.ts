import { clone, KubeStatusError, type KubeStore } from '../../world/kube-store.js';
import type { KubeObject } from '../../world/types.js';
import { badRequest } from './status.js';
import type { ListMeta } from './tables/index.js';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface ListPage {
  items: KubeObject[];
  metadata: ListMeta;
}

/** What a continue token carries, as the real server encodes it: the list's version and the key to resume after. */
interface ContinueState {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

/**
 * One page of a list in key order (namespace/name). With `limit`, a page ends early and hands
 * back a continue token; remainingItemCount is only known, and so only set, when no selector
 * filters the list. A continued page reads the objects as they are now, not at the first page's
 * resourceVersion (a real server reads the same snapshot).
 */
export function listPage(store: KubeStore, resource: string, query: ListQuery): ListPage {
  const resourceVersion = store.currentResourceVersion();
  // Only the page served is copied (the real server does not read the whole collection for a page either).
  let items = store.listShared(resource, { namespace: query.namespace, labelSelector: query.labelSelector, fieldSelector: query.fieldSelector });
  if (query.continueToken) {
    // The token's key is the last one served plus a NUL; resume strictly after that key, in the store's order.
    const { start, rv } = decodeContinue(query.continueToken);
    // rv -1 is the token an expired list hands back: continue at the latest revision.
    if (rv !== -1 && store.isCompacted(rv)) throw continueExpired(start);
    const after = start.endsWith('\u0000') ? start.slice(0, -1) : start;
    items = items.filter((o) => objectKey(o).localeCompare(after) > 0);
  }
  if (!query.limit || items.length <= query.limit) return { items: items.map(clone), metadata: { resourceVersion } };
  const page = items.slice(0, query.limit).map(clone);
  const last = page[page.length - 1];
  const state: ContinueState = { v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: `${objectKey(last)}\u0000` };
  const filtered = Boolean(query.labelSelector || query.fieldSelector);
  return {
    items: page,
    metadata: {
      resourceVersion,
      continue: Buffer.from(JSON.stringify(state)).toString('base64url'),
      ...(filtered ? {} : { remainingItemCount: items.length - page.length }),
    },
  };
}

/**
 * 410 Expired for a continue token whose revision etcd has compacted away, with the message and the
 * "inconsistent continue" token (revision -1) the API server hands back
 * (k8s.io/apiserver pkg/storage/etcd3 store.go, handleCompactedErrorForPaging).
 */
function continueExpired(start: string): KubeStatusError {
  const token: ContinueState = { v: 'meta.k8s.io/v1', rv: -1, start };
  return new KubeStatusError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
      'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
      'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    { continue: Buffer.from(JSON.stringify(token)).toString('base64url') },
  );
}

function objectKey(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

function decodeContinue(token: string): ContinueState {
  let state: Partial<ContinueState>;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('invalid continue token: continue key is not valid');
  }
  if (state?.v !== 'meta.k8s.io/v1' || typeof state.start !== 'string' || typeof state.rv !== 'number') {
    throw badRequest('invalid continue token: continue key is not valid');
  }
  return state as ContinueState;
}

/** `limit` as a positive integer; anything else means no limit, as on the real server. */
export function parseLimit(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
