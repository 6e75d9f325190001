/** The simulated DNS data model (Cloudflare-shaped): zones, records, changes and resolver answers. */

/** Record types the simulator models. Cloudflare has more; these are the ones the project uses. */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT';
export const DNS_RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];

/** A Cloudflare zone plan; what each allows is in dns-plans.ts. */
export type ZonePlan = 'free' | 'pro' | 'business' | 'enterprise';

export interface DnsZone {
  /** 32 hex digits. */
  id: string;
  name: string;
  status: 'active';
  plan: ZonePlan;
  account: { id: string; name: string };
  nameServers: string[];
  createdAt: number;
  modifiedAt: number;
}

export interface DnsRecord {
  /** 32 hex digits. */
  id: string;
  zoneId: string;
  zoneName: string;
  /** Fully qualified, lower case, no trailing dot. */
  name: string;
  type: DnsRecordType;
  content: string;
  /** 1 = automatic (300 s). */
  ttl: number;
  proxied: boolean;
  proxiable: boolean;
  comment: string | null;
  tags: string[];
  createdAt: number;
  modifiedAt: number;
  commentModifiedAt?: number;
  tagsModifiedAt?: number;
}

/**
 * What a caller sends to create, overwrite or edit a record. Fields are `unknown` because they come
 * from API bodies; the store validates them the way Cloudflare does.
 */
export interface RecordInput {
  name?: unknown;
  type?: unknown;
  content?: unknown;
  ttl?: unknown;
  proxied?: unknown;
  comment?: unknown;
  tags?: unknown;
}

/** `POST /zones/{zone_id}/dns_records/batch`: applied as deletes, patches, puts, posts, in that order. */
export interface BatchInput {
  deletes?: Array<{ id?: unknown }>;
  patches?: Array<RecordInput & { id?: unknown }>;
  puts?: Array<RecordInput & { id?: unknown }>;
  posts?: RecordInput[];
}

export interface BatchResult {
  deletes: DnsRecord[];
  patches: DnsRecord[];
  puts: DnsRecord[];
  posts: DnsRecord[];
}

/** One change to one record, at a simulated time. */
export interface DnsChange {
  at: number;
  zoneId: string;
  action: 'created' | 'updated' | 'deleted';
  before?: DnsRecord;
  after?: DnsRecord;
}

/** What a client resolver gets for a name and type at some time. */
export interface DnsAnswer {
  name: string;
  type: DnsRecordType;
  /**
   * Sorted record contents. For a proxied name these are the origins behind Cloudflare's edge:
   * the edge switches origins at once, so a proxied answer is never stale on the client.
   */
  contents: string[];
  proxied: boolean;
  /** Seconds the answer may be cached: the record TTL (automatic = 300), or 1800 for no answer. */
  ttl: number;
  /** True when the client still uses what it cached at `lastQueriedAt`. */
  cached: boolean;
  /** Simulated time of the authoritative answer the client uses. */
  answeredAt: number;
  /** CNAMEs followed to reach the answer. */
  via: string[];
}

/** A listener for timeline entries (the World's `record`). */
export type DnsTimelineRecorder = (type: string, message: string, subject?: string) => void;
