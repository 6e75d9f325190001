import { timingSafeEqual } from 'node:crypto';
import type { SimCredentials } from '../../env.js';
import type { SimRequest } from '../../http.js';
import { forbidden, type GceApiError, unauthenticated } from './errors.js';

/**
 * OAuth bearer token first (401), then the project: the token's principal has rights in one
 * project only, and GCE answers any other with 403 without saying whether it exists.
 */
export function authorize(
  req: SimRequest,
  credentials: SimCredentials['gcp'],
  project: string,
  access: { permission: string; resource: string },
): GceApiError | undefined {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) return unauthenticated(header !== '');
  if (!sameSecret(token, credentials.accessToken)) return unauthenticated(true);
  if (project !== credentials.project) return forbidden(access.permission, access.resource);
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
