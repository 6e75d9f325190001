import type { ChangeBatch, ExistingRecord } from '../../decisions/dns/types.js';

/** The DNS provider as DNS failover uses it: one small interface, one implementation per API (Cloudflare today). */
export interface DnsApi {
  /** The zone's id, looked up by name; with `expectedId`, the zone found must have it. */
  zoneId(zoneName: string, expectedId?: string): Promise<string>;
  /** Every record at these names (any type, any owner), all pages. */
  recordsAt(zoneId: string, names: string[]): Promise<ExistingRecord[]>;
  /** Applies the batch in one transaction: all of it or none. */
  applyBatch(zoneId: string, batch: ChangeBatch): Promise<BatchOutcome>;
}

export interface BatchOutcome {
  created: ExistingRecord[];
  updated: ExistingRecord[];
  deleted: string[];
}
