import type { SimResponse } from '../../http.js';
import type { DnsStore } from '../../world/dns/dns.js';
import { type DnsRecordError, dnsErrors, isDnsRecordError } from '../../world/dns/dns-errors.js';
import type { BatchInput, DnsRecord, DnsZone, RecordInput } from '../../world/dns/dns-types.js';
import { fail, ok } from './envelope.js';
import { paginate, RECORD_PAGES, recordFilter, sortBy } from './list-query.js';
import { wireRecord } from './wire.js';

const RECORD_ORDER: Record<string, (r: DnsRecord) => string | number | boolean> = {
  type: (r) => r.type,
  name: (r) => r.name,
  content: (r) => r.content,
  ttl: (r) => r.ttl,
  proxied: (r) => r.proxied,
};

/** `/zones/{zone_id}/dns_records...` on the world's DNS store. */
export function recordHandlers(dns: DnsStore) {
  return {
    list(zone: DnsZone, query: URLSearchParams): SimResponse {
      const matching = dns.listRecords(zone.id).filter(recordFilter(query));
      const { page, info } = paginate(sortBy(matching, query, RECORD_ORDER, ['type', 'name', 'content']), query, RECORD_PAGES);
      return ok(page.map(wireRecord), info);
    },
    get(zone: DnsZone, id: string): SimResponse {
      const record = dns.getRecord(zone.id, id);
      return record ? ok(wireRecord(record)) : refused(dnsErrors.recordNotFound());
    },
    create: (zone: DnsZone, body: unknown) => attempt(() => wireRecord(dns.createRecord(zone.id, asInput(body)))),
    overwrite: (zone: DnsZone, id: string, body: unknown) => attempt(() => wireRecord(dns.overwriteRecord(zone.id, id, asInput(body)))),
    edit: (zone: DnsZone, id: string, body: unknown) => attempt(() => wireRecord(dns.editRecord(zone.id, id, asInput(body)))),
    remove: (zone: DnsZone, id: string) => attempt(() => ({ id: dns.deleteRecord(zone.id, id).id })),
    batch: (zone: DnsZone, body: unknown) =>
      attempt(() => {
        const result = dns.batch(zone.id, asBatch(body));
        return {
          deletes: result.deletes.map(wireRecord),
          patches: result.patches.map(wireRecord),
          puts: result.puts.map(wireRecord),
          posts: result.posts.map(wireRecord),
        };
      }),
  };
}

/** Runs a store call and answers with its result, or with the Cloudflare error it was refused with. */
function attempt(fn: () => unknown): SimResponse {
  try {
    return ok(fn());
  } catch (err) {
    if (isDnsRecordError(err)) return refused(err);
    throw err;
  }
}

function refused(err: DnsRecordError): SimResponse {
  return fail(err.status, [err.detail]);
}

function asInput(body: unknown): RecordInput {
  return isObject(body) ? (body as RecordInput) : {};
}

function asBatch(body: unknown): BatchInput {
  const input = isObject(body) ? body : {};
  for (const key of ['deletes', 'patches', 'puts', 'posts'] as const) {
    if (input[key] !== undefined && !Array.isArray(input[key])) throw dnsErrors.invalidField(key, 'a list');
  }
  return input as BatchInput;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
