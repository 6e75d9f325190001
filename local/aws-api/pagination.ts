import { AwsApiError } from '../errors.js';

/** One page of a list and the token for the next (an opaque offset, as AWS tokens are opaque). */
export function page<T>(items: T[], maxResults: unknown, nextToken: unknown, limits = { default: 100, max: 1000 }): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (typeof nextToken === 'string' && nextToken) {
    offset = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new AwsApiError('InvalidToken', `Invalid Token: '${nextToken}'`);
  }
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, limits.max) : limits.default;
  const end = offset + size;
  return { items: items.slice(offset, end), nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

/** AWS JSON protocols carry timestamps as epoch seconds. */
export function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
