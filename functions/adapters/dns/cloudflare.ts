import Cloudflare from 'cloudflare';
import type { AAAARecordParam, ARecordParam } from 'cloudflare/resources/dns/records';
import type { ChangeBatch, ExistingRecord, RecordSpec } from '../../decisions/dns/types.js';
import { DnsRateLimitedError, DnsRequestRefusedError, DnsTransientError, DnsZoneMismatchError, DnsZoneNotFoundError } from './errors.js';
import type { DnsApi } from './types.js';

/** Largest page the records list takes in one call (Cloudflare's documented maximum for dns_records is 5,000,000; 5,000 keeps a page small). */
const RECORDS_PER_PAGE = 5000;
/** Without a retry-after header, wait this long after a 429 (the per-token limit is counted over 5 minutes). */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export interface CloudflareDnsOptions {
  apiToken: string;
  /** The API's base URL, e.g. a simulator's; absent: Cloudflare's. */
  baseURL?: string;
  /** Per-call timeout; a Lambda must not wait the SDK's default minute. */
  timeoutMs?: number;
  /** Records per list page (default 5,000). */
  pageSize?: number;
}

/**
 * Cloudflare's DNS API through the official SDK. The SDK's own retries are off: a 429's `retry-after` can be five
 * minutes, which the workflow waits in a Wait state (free) rather than a Lambda (billed); 5xx are retried there too,
 * after reading the records again, so a batch whose answer was lost is never applied twice.
 */
export function cloudflareDns(options: CloudflareDnsOptions): DnsApi {
  const client = new Cloudflare({
    apiToken: options.apiToken,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? 10_000,
    // The SDK logs request details at debug level only; keep it quiet so nothing of a request reaches the logs.
    logLevel: 'off',
  });
  return {
    async zoneId(zoneName, expectedId) {
      const page = await call(`looking up zone ${zoneName}`, () => client.zones.list({ name: zoneName }));
      const zone = page.result.find((z) => z.name === zoneName);
      if (!zone)
        throw new DnsZoneNotFoundError(
          `Cloudflare has no zone named ${zoneName} that the API token can read; check dns.entrypoints[].zoneName and the token's Zone read permission.`,
        );
      if (expectedId && zone.id !== expectedId) {
        throw new DnsZoneMismatchError(
          `Cloudflare's zone ${zoneName} has id ${zone.id}, not ${expectedId} as the config says; fix dns.entrypoints[].zoneId or leave it out.`,
        );
      }
      return zone.id;
    },

    async recordsAt(zoneId, names) {
      const records: ExistingRecord[] = [];
      for (const name of [...new Set(names)]) {
        await call(`listing the records at ${name}`, async () => {
          for await (const r of client.dns.records.list({ zone_id: zoneId, name: { exact: name }, per_page: options.pageSize ?? RECORDS_PER_PAGE })) {
            records.push(existing(r));
          }
        });
      }
      return records;
    },

    async applyBatch(zoneId, batch) {
      const result = await call(`applying ${describeBatch(batch)}`, () =>
        client.dns.records.batch({
          zone_id: zoneId,
          ...(batch.deletes.length ? { deletes: batch.deletes.map((d) => ({ id: d.id })) } : {}),
          ...(batch.patches.length ? { patches: batch.patches.map((p) => ({ id: p.id, ...recordBody(p) })) } : {}),
          ...(batch.posts.length ? { posts: batch.posts.map(recordBody) } : {}),
        }),
      );
      return {
        created: (result?.posts ?? []).map(existing),
        updated: (result?.patches ?? []).map(existing),
        deleted: (result?.deletes ?? []).map((r) => r.id),
      };
    },
  };
}

interface WireRecord {
  id: string;
  name: string;
  type: string;
  content?: string;
  ttl: number;
  proxied?: boolean;
  comment?: string | null;
}

function existing(r: WireRecord): ExistingRecord {
  return { id: r.id, name: r.name, type: r.type, content: r.content ?? '', ttl: r.ttl, proxied: r.proxied ?? false, comment: r.comment ?? null };
}

function recordBody(spec: RecordSpec): ARecordParam | AAAARecordParam {
  return { name: spec.name, type: spec.type, content: spec.content, ttl: spec.ttl as Cloudflare.DNS.TTL, proxied: spec.proxied, comment: spec.comment };
}

function describeBatch(batch: ChangeBatch): string {
  return `a batch of ${batch.posts.length} additions, ${batch.patches.length} updates and ${batch.deletes.length} removals`;
}

/** Runs one API call and turns the SDK's errors into the adapter's, with messages built from status and error codes only. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(what, err);
  }
}

function translate(what: string, err: unknown): Error {
  if (err instanceof Cloudflare.APIConnectionError)
    return new DnsTransientError(`Cloudflare could not be reached while ${what} (${err.name}); the run is retried.`);
  if (!(err instanceof Cloudflare.APIError) || err.status === undefined) return err instanceof Error ? err : new Error(String(err));
  const codes = (err.errors ?? []).map((e) => e.code).filter((c): c is number => typeof c === 'number');
  const messages = (err.errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ');
  const said = messages ? `, saying ${messages}` : '';
  if (err.status === 429) {
    const retryAfter = Number(err.headers?.get('retry-after'));
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS;
    return new DnsRateLimitedError(`Cloudflare rate-limited the API token while ${what}; retry after ${seconds} s.`, seconds);
  }
  if (err.status >= 500) return new DnsTransientError(`Cloudflare answered ${err.status} while ${what}${said}; the run is retried.`);
  return new DnsRequestRefusedError(`Cloudflare refused ${what} with status ${err.status}${said}.`, err.status, codes);
}
