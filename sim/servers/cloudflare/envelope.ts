import type { SimResponse } from '../../http.js';
import type { DnsErrorDetail } from '../../world/dns/dns-errors.js';

/** `result_info` of a paged list, as Cloudflare's v4 API returns it. */
export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** Every v4 answer has the same envelope: success, errors, messages, result (and result_info for lists). */
export function ok(result: unknown, resultInfo?: ResultInfo): SimResponse {
  return { status: 200, body: { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) } };
}

export function fail(status: number, errors: DnsErrorDetail[], headers?: Record<string, string>): SimResponse {
  return { status, headers, body: { success: false, errors, messages: [], result: null } };
}

/** Cloudflare's answer to an identifier that does not have the expected form, or a path it has no route for. */
export function noRoute(path: string): SimResponse {
  return fail(400, [
    { code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` },
    { code: 7000, message: 'No route for that URI' },
  ]);
}

export function methodNotAllowed(method: string): SimResponse {
  return fail(405, [{ code: 10000, message: `${method} method not allowed for the api_token authentication scheme` }]);
}

export const malformedJson = (): SimResponse => fail(400, [{ code: 6007, message: 'Malformed JSON in request body' }]);

/** A zone the token cannot see: Cloudflare does not tell "absent" from "not yours". */
export const zoneNotVisible = (): SimResponse => fail(403, [{ code: 10000, message: 'Authentication error' }]);
