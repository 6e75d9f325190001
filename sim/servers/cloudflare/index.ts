import type { SimEnv } from '../../env.js';
import { matchPath, type Routed, type ServerSpec, type SimRequest, type SimResponse } from '../../http.js';
import type { DnsZone } from '../../world/dns/dns-types.js';
import { fail, malformedJson, methodNotAllowed, noRoute, zoneNotVisible } from './envelope.js';
import { recordHandlers } from './records.js';
import { zoneHandlers } from './zones.js';

const BASE = '/client/v4';
const IDENTIFIER = /^[0-9a-f]{32}$/;
/** Once the per-token limit is hit, Cloudflare refuses every call for the next five minutes. */
const BLOCK_MS = 5 * 60_000;

/** Where a bad token is reported: account-level lists answer 9109, zone resources 10000. */
type AuthScope = 'zones' | 'zone-resource';

/**
 * Cloudflare API v4 (`/client/v4`): zones list/get and DNS records list, get, create, overwrite,
 * edit, delete and batch, on the world's DNS store. Bearer-token auth; 1,200 calls per 5 minutes.
 */
export function cloudflareServer(env: SimEnv): ServerSpec {
  const { world, clock, credentials } = env;
  world.dns.useAccount({ id: credentials.cloudflare.accountId, name: 'Shepherd simulated account' });
  // 1,200 requests per 5 minutes per token: a full bucket refilled at 4 per second.
  env.faults.set('cloudflare', '*', { rateLimit: { capacity: 1200, refillPerSecond: 4 } });
  const zones = zoneHandlers(world.dns);
  const records = recordHandlers(world.dns);
  let blockedUntil = 0;

  const rateLimited = (): SimResponse => {
    const seconds = Math.max(1, Math.ceil((blockedUntil - clock.now()) / 1000));
    return fail(429, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': String(seconds) });
  };

  const call = (op: string, req: SimRequest, scope: AuthScope, handle: () => SimResponse): Routed => ({
    op,
    run: () => {
      if (clock.now() < blockedUntil) return rateLimited();
      return authenticate(req, credentials.cloudflare.apiToken, scope) ?? handle();
    },
  });

  /** Runs `handle` on the zone the path names, or answers as Cloudflare does for a bad or unknown id. */
  const inZone = (req: SimRequest, zoneId: string, handle: (zone: DnsZone) => SimResponse) => (): SimResponse => {
    if (!IDENTIFIER.test(zoneId)) return noRoute(req.path);
    const zone = world.dns.getZone(zoneId);
    return zone ? handle(zone) : zoneNotVisible();
  };

  const withBody = (req: SimRequest, handle: (body: unknown) => SimResponse): SimResponse => {
    let body: unknown;
    try {
      body = req.json();
    } catch {
      return malformedJson();
    }
    return handle(body);
  };

  const route = (req: SimRequest): Routed | SimResponse => {
    if (!req.path.startsWith(`${BASE}/`)) return noRoute(req.path);
    const path = req.path.slice(BASE.length);
    const { method } = req;

    if (path === '/zones') {
      return method === 'GET' ? call('zones.list', req, 'zones', () => zones.list(req.query)) : methodNotAllowed(method);
    }
    const zonePath = matchPath('/zones/:zone_id', path);
    if (zonePath) {
      return method === 'GET' ? call('zones.get', req, 'zones', inZone(req, zonePath.zone_id, zones.get)) : methodNotAllowed(method);
    }
    const listPath = matchPath('/zones/:zone_id/dns_records', path);
    if (listPath) {
      const zoneId = listPath.zone_id;
      if (method === 'GET')
        return call(
          'dns_records.list',
          req,
          'zone-resource',
          inZone(req, zoneId, (z) => records.list(z, req.query)),
        );
      if (method === 'POST') {
        return call(
          'dns_records.create',
          req,
          'zone-resource',
          inZone(req, zoneId, (z) => withBody(req, (b) => records.create(z, b))),
        );
      }
      return methodNotAllowed(method);
    }
    const batchPath = matchPath('/zones/:zone_id/dns_records/batch', path);
    if (batchPath && method === 'POST') {
      return call(
        'dns_records.batch',
        req,
        'zone-resource',
        inZone(req, batchPath.zone_id, (z) => withBody(req, (b) => records.batch(z, b))),
      );
    }
    const recordPath = matchPath('/zones/:zone_id/dns_records/:dns_record_id', path);
    if (recordPath) {
      const { zone_id: zoneId, dns_record_id: id } = recordPath;
      const onRecord = (op: string, handle: (zone: DnsZone) => SimResponse) =>
        call(
          op,
          req,
          'zone-resource',
          inZone(req, zoneId, (z) => (IDENTIFIER.test(id) ? handle(z) : noRoute(req.path))),
        );
      switch (method) {
        case 'GET':
          return onRecord('dns_records.get', (z) => records.get(z, id));
        case 'PUT':
          return onRecord('dns_records.update', (z) => withBody(req, (b) => records.overwrite(z, id, b)));
        case 'PATCH':
          return onRecord('dns_records.edit', (z) => withBody(req, (b) => records.edit(z, id, b)));
        case 'DELETE':
          return onRecord('dns_records.delete', (z) => records.remove(z, id));
        default:
          return methodNotAllowed(method);
      }
    }
    return noRoute(req.path);
  };

  return {
    name: 'cloudflare',
    route,
    errors: {
      internal: (message) => fail(500, [{ code: 10002, message }]),
      throttled: (_message, retryAfterSeconds) => {
        // The token bucket ran dry: the five-minute block starts (a throttle fault has no bucket).
        if (retryAfterSeconds === undefined) return fail(429, [{ code: 971, message: 'Please wait and consider throttling your request speed' }]);
        if (clock.now() >= blockedUntil) blockedUntil = clock.now() + BLOCK_MS;
        return rateLimited();
      },
    },
  };
}

/**
 * Bearer-token auth as Cloudflare answers it: no credentials 9106, a malformed header 6003/6111, an
 * unknown token 9109 on account-level lists and 10000 (401) on zone resources.
 */
function authenticate(req: SimRequest, apiToken: string, scope: AuthScope): SimResponse | undefined {
  const header = req.headers.authorization;
  if (!header) return fail(400, [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }]);
  const token = /^Bearer ([A-Za-z0-9_-]{40,})$/.exec(header)?.[1];
  if (!token) {
    return fail(400, [{ code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }] }]);
  }
  if (token === apiToken) return undefined;
  return scope === 'zones' ? fail(403, [{ code: 9109, message: 'Invalid access token' }]) : fail(401, [{ code: 10000, message: 'Authentication error' }]);
}
