import { Ec2Error } from './errors.js';
import type { QueryParams } from './query.js';

export interface Page<T> {
  items: T[];
  /** Present only when more items follow: EC2 omits nextToken on the last page. */
  nextToken?: string;
}

/**
 * MaxResults / NextToken paging over items in a stable order. The token carries the sort key of
 * the last item returned, so items launched or gone between pages do not shift the rest.
 * `sortKey` must order as the items are ordered. Without MaxResults every item comes back.
 */
export function paginate<T>(items: T[], sortKey: (item: T) => string, params: QueryParams): Page<T> {
  const maxResults = params.int('MaxResults');
  if (maxResults !== undefined && maxResults < 5) {
    throw Ec2Error.invalidValue(`Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than 5.`);
  }
  const token = params.str('NextToken');
  let rest = items;
  if (token) {
    const after = decodeToken(token);
    if (after === undefined) throw Ec2Error.invalidValue(`Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`);
    rest = items.filter((item) => sortKey(item) > after);
  }
  if (maxResults === undefined) return { items: rest };
  const size = Math.min(maxResults, 1000);
  const page = rest.slice(0, size);
  return rest.length > size ? { items: page, nextToken: encodeToken(sortKey(page[page.length - 1])) } : { items: page };
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}
