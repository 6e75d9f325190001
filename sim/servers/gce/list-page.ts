import type { SimRequest, SimResponse } from '../../http.js';
import { invalidField } from './errors.js';
import { FilterSyntaxError, parseFilter } from './filter.js';
import { link } from './links.js';

/** compute v1 list calls: maxResults is 0 to 500; 0 or none means the default, 500. */
const MAX_RESULTS = 500;

/**
 * One page of a compute v1 list call (instances.list, zoneOperations.list): `filter`, `maxResults` and `pageToken`
 * as GCE reads them, and GCE's page shape, which leaves `items` out of an empty page.
 */
export function listPage(req: SimRequest, kind: string, collectionPath: string, all: Record<string, unknown>[]): SimResponse {
  const filterText = req.query.get('filter') ?? '';
  let filter: ReturnType<typeof parseFilter>;
  try {
    filter = parseFilter(filterText);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw invalidField('filter', filterText, 'Invalid list filter expression.');
    throw err;
  }
  const rawMax = req.query.get('maxResults');
  const maxResults = rawMax === null || rawMax === '0' ? MAX_RESULTS : Number(rawMax);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
    throw invalidField('maxResults', rawMax, `Must be less than or equal to ${MAX_RESULTS}`);
  }
  const offset = decodePageToken(req.query.get('pageToken'));
  const items = all.filter(filter);
  const page = items.slice(offset, offset + maxResults);
  const body: Record<string, unknown> = { kind, id: collectionPath, selfLink: link(collectionPath) };
  if (page.length > 0) body.items = page;
  if (offset + maxResults < items.length) body.nextPageToken = encodePageToken(offset + maxResults);
  return { status: 200, body };
}

/** Page tokens are opaque to callers; here the offset of the next page. */
function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: string | null): number {
  if (!token) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw invalidField('pageToken', token, 'Invalid page token.');
  return Number(m[1]);
}
