import type { Clock } from '../../clock.js';
import type { Random } from '../../random.js';
import { UnknownResourceError } from '../errors.js';
import { dnsErrors } from './dns-errors.js';
import { DnsHistory } from './dns-history.js';
import { batchLimit, checkRecordAttributes, recordQuota } from './dns-plans.js';
import type {
  BatchInput,
  BatchResult,
  DnsAnswer,
  DnsChange,
  DnsRecord,
  DnsRecordType,
  DnsTimelineRecorder,
  DnsZone,
  RecordInput,
  ZonePlan,
} from './dns-types.js';
import { qualifyName, type ValidRecordFields, validateRecord } from './dns-validate.js';

export interface DnsStoreOptions {
  /** Enforce each zone plan's limits on tags, comments and record count (the `cloudflare-plans` behaviour). Default true. */
  plans?: boolean;
}

type Operation =
  | { kind: 'delete'; id: unknown }
  | { kind: 'patch'; id: unknown; input: RecordInput }
  | { kind: 'put'; id: unknown; input: RecordInput }
  | { kind: 'post'; input: RecordInput };

/**
 * DNS zones and records (Cloudflare-shaped) with Cloudflare's validation rules, atomic batches,
 * and a history of every change so the resolver view can tell what a client sees at any time.
 */
export class DnsStore {
  private readonly zones = new Map<string, DnsZone>();
  /** zone id -> record id -> record. A change replaces a zone's map, so a failed batch leaves nothing behind. */
  private readonly records = new Map<string, Map<string, DnsRecord>>();
  private readonly history = new DnsHistory((name) => this.zoneOfName(name) !== undefined);
  private account?: { id: string; name: string };

  constructor(
    readonly clock: Clock,
    readonly random: Random,
    private readonly timeline?: DnsTimelineRecorder,
    private readonly options: DnsStoreOptions = {},
  ) {}

  // ---- zones ----------------------------------------------------------------------------------

  /** The Cloudflare account new zones belong to (the server sets the one its credentials name). */
  useAccount(account: { id: string; name: string }): void {
    this.account = { ...account };
  }

  /**
   * Adds an active zone (a scenario's domain), on the Free plan unless `plan` says otherwise; `id` lets
   * a scenario match a config's zone id; `createdAt` (default now) dates it, which sets a Free zone's
   * record quota.
   */
  createZone(name: string, options: { plan?: ZonePlan; id?: string; createdAt?: number } = {}): DnsZone {
    const zoneName = name.trim().toLowerCase().replace(/\.$/, '');
    if (this.zoneByName(zoneName)) throw new RangeError(`zone ${zoneName} already exists`);
    this.account ??= { id: this.random.hex(32), name: 'Simulated account' };
    const now = this.clock.now();
    if (options.id !== undefined && !/^[0-9a-f]{32}$/.test(options.id)) throw new RangeError(`zone id must be 32 hex digits, got "${options.id}"`);
    const zone: DnsZone = {
      id: options.id ?? this.random.hex(32),
      name: zoneName,
      status: 'active',
      plan: options.plan ?? 'free',
      account: { ...this.account },
      nameServers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
      createdAt: options.createdAt ?? now,
      modifiedAt: now,
    };
    this.zones.set(zone.id, zone);
    this.records.set(zone.id, new Map());
    this.timeline?.('dns.zone-created', `cloudflare zone ${zone.name} created (${zone.plan} plan)`, zone.name);
    return copyZone(zone);
  }

  /** Moves a zone to another plan (an upgrade or a downgrade); records already there are kept as they are. */
  setZonePlan(zoneId: string, plan: ZonePlan): DnsZone {
    const zone = this.mustZone(zoneId);
    zone.plan = plan;
    zone.modifiedAt = this.clock.now();
    this.timeline?.('dns.zone-plan', `cloudflare zone ${zone.name} moved to the ${plan} plan`, zone.name);
    return copyZone(zone);
  }

  listZones(): DnsZone[] {
    return [...this.zones.values()].map(copyZone);
  }

  getZone(id: string): DnsZone | undefined {
    const zone = this.zones.get(id);
    return zone ? copyZone(zone) : undefined;
  }

  zoneByName(name: string): DnsZone | undefined {
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const zone = [...this.zones.values()].find((z) => z.name === wanted);
    return zone ? copyZone(zone) : undefined;
  }

  // ---- records --------------------------------------------------------------------------------

  /** A zone's records, or every record when no zone is given. */
  listRecords(zoneId?: string): DnsRecord[] {
    const maps = zoneId ? [this.recordsOf(this.mustZone(zoneId).id)] : [...this.records.values()];
    return maps.flatMap((m) => [...m.values()]).map(copyRecord);
  }

  getRecord(zoneId: string, id: string): DnsRecord | undefined {
    const record = this.recordsOf(this.mustZone(zoneId).id).get(id);
    return record ? copyRecord(record) : undefined;
  }

  /** POST: a new record. Throws DnsRecordError. */
  createRecord(zoneId: string, input: RecordInput): DnsRecord {
    return this.apply(zoneId, [{ kind: 'post', input }])[0];
  }

  /** PUT: replaces every field; the ones left out take their defaults. */
  overwriteRecord(zoneId: string, id: string, input: RecordInput): DnsRecord {
    return this.apply(zoneId, [{ kind: 'put', id, input }])[0];
  }

  /** PATCH: changes only the fields given. */
  editRecord(zoneId: string, id: string, input: RecordInput): DnsRecord {
    return this.apply(zoneId, [{ kind: 'patch', id, input }])[0];
  }

  deleteRecord(zoneId: string, id: string): DnsRecord {
    return this.apply(zoneId, [{ kind: 'delete', id }])[0];
  }

  /**
   * Applies deletes, patches, puts, then posts, each list in its given order and each operation
   * validated against the zone as the earlier ones left it; the first error rejects the whole
   * batch and nothing is applied.
   */
  batch(zoneId: string, input: BatchInput): BatchResult {
    const deletes = input.deletes ?? [];
    const patches = input.patches ?? [];
    const puts = input.puts ?? [];
    const posts = input.posts ?? [];
    const limit = batchLimit(this.mustZone(zoneId));
    if (deletes.length + patches.length + puts.length + posts.length > limit) throw dnsErrors.batchTooLarge(limit);
    const results = this.apply(zoneId, [
      ...deletes.map((d): Operation => ({ kind: 'delete', id: d?.id })),
      ...patches.map((p): Operation => ({ kind: 'patch', id: p?.id, input: withoutId(p) })),
      ...puts.map((p): Operation => ({ kind: 'put', id: p?.id, input: withoutId(p) })),
      ...posts.map((p): Operation => ({ kind: 'post', input: p ?? {} })),
    ]);
    const afterDeletes = deletes.length;
    const afterPatches = afterDeletes + patches.length;
    const afterPuts = afterPatches + puts.length;
    return {
      deletes: results.slice(0, afterDeletes),
      patches: results.slice(afterDeletes, afterPatches),
      puts: results.slice(afterPatches, afterPuts),
      posts: results.slice(afterPuts),
    };
  }

  /**
   * Scenario helper: makes `name`/`type` in the zone hold exactly this one record, overwriting the
   * first existing one (and deleting any others) or creating it.
   */
  upsertRecord(zoneName: string, spec: { name: string; type: DnsRecordType; content: string; ttl?: number; proxied?: boolean; comment?: string }): DnsRecord {
    const zone = this.zoneByName(zoneName);
    if (!zone) throw new UnknownResourceError('dns zone', zoneName);
    const name = qualifyName(spec.name, zone.name);
    const existing = [...this.recordsOf(zone.id).values()].filter((r) => r.name === name && r.type === spec.type);
    if (existing.length === 0) return this.createRecord(zone.id, spec);
    const [first, ...rest] = existing;
    const result = this.batch(zone.id, { deletes: rest.map((r) => ({ id: r.id })), puts: [{ ...spec, id: first.id }] });
    return result.puts[0];
  }

  // ---- resolver view --------------------------------------------------------------------------

  /**
   * What a client resolves `name` to at `at` (default now), given when it last asked: a DNS-only
   * answer stays cached for its TTL (automatic = 300 s); proxied answers follow the origin at once.
   */
  resolve(name: string, type: DnsRecordType, options: { at?: number; lastQueriedAt?: number } = {}): DnsAnswer {
    return this.history.resolve(name, type, options.at ?? this.clock.now(), options.lastQueriedAt);
  }

  /** The time by which every client, whenever it last asked, resolves `name` to exactly `contents`. */
  whenClientsSee(name: string, type: DnsRecordType, contents: string[], options: { after: number }): number | undefined {
    return this.history.whenClientsSee(name, type, contents, options.after);
  }

  /** Every record change so far, oldest first. */
  changes(): readonly DnsChange[] {
    return this.history.changes;
  }

  snapshot() {
    return this.listZones().map((zone) => ({
      zone: zone.name,
      records: this.listRecords(zone.id).map((r) => ({ name: r.name, type: r.type, content: r.content, ttl: r.ttl, proxied: r.proxied })),
    }));
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Runs operations on a copy of the zone's records and commits them only if all succeed. */
  private apply(zoneId: string, operations: Operation[]): DnsRecord[] {
    const zone = this.mustZone(zoneId);
    const working = new Map(this.recordsOf(zone.id));
    const now = this.clock.now();
    const changes: DnsChange[] = [];
    const plans = this.options.plans ?? true;
    const results = operations.map((op) => {
      if (op.kind === 'post') {
        const fields = validateRecord(op.input, zone.name);
        if (plans) checkRecordAttributes(zone, fields);
        checkConflicts(working, fields);
        if (plans && working.size >= recordQuota(zone)) throw dnsErrors.recordQuota();
        const record = this.newRecord(zone, fields, now);
        working.set(record.id, record);
        changes.push({ at: now, zoneId: zone.id, action: 'created', after: record });
        return record;
      }
      const current = typeof op.id === 'string' ? working.get(op.id) : undefined;
      if (!current) throw dnsErrors.recordNotFound();
      if (op.kind === 'delete') {
        working.delete(current.id);
        changes.push({ at: now, zoneId: zone.id, action: 'deleted', before: current });
        return current;
      }
      const fields = validateRecord(op.kind === 'put' ? op.input : { ...inputOf(current), ...definedFields(op.input) }, zone.name);
      if (plans) checkRecordAttributes(zone, fields);
      checkConflicts(working, fields, current.id);
      const record = updatedRecord(current, fields, now);
      working.set(record.id, record);
      changes.push({ at: now, zoneId: zone.id, action: 'updated', before: current, after: record });
      return record;
    });
    this.records.set(zone.id, working);
    for (const change of changes) {
      this.history.add(change);
      this.timeline?.(`dns.record-${change.action}`, describe(change), (change.after ?? change.before)?.name);
    }
    return results.map(copyRecord);
  }

  private newRecord(zone: DnsZone, fields: ValidRecordFields, now: number): DnsRecord {
    return {
      id: this.random.hex(32),
      zoneId: zone.id,
      zoneName: zone.name,
      ...fields,
      createdAt: now,
      modifiedAt: now,
      ...(fields.comment !== null ? { commentModifiedAt: now } : {}),
      ...(fields.tags.length > 0 ? { tagsModifiedAt: now } : {}),
    };
  }

  private mustZone(id: string): DnsZone {
    const zone = this.zones.get(id);
    if (!zone) throw new UnknownResourceError('dns zone', id);
    return zone;
  }

  private recordsOf(zoneId: string): Map<string, DnsRecord> {
    return this.records.get(zoneId) ?? new Map();
  }

  /** The zone Cloudflare is authoritative for `name` in: the longest zone name that ends it. */
  private zoneOfName(name: string): DnsZone | undefined {
    let best: DnsZone | undefined;
    for (const zone of this.zones.values()) {
      if ((name === zone.name || name.endsWith(`.${zone.name}`)) && (!best || zone.name.length > best.name.length)) best = zone;
    }
    return best;
  }
}

/**
 * Cloudflare's same-name rules: a CNAME cannot share its name with an A, AAAA or CNAME (81053), an
 * A or AAAA cannot share one with a CNAME (81054), and no two records may be identical (81058).
 */
function checkConflicts(records: Map<string, DnsRecord>, fields: ValidRecordFields, selfId?: string): void {
  const sameName = [...records.values()].filter((r) => r.id !== selfId && r.name === fields.name);
  if (fields.type === 'CNAME' && sameName.some((r) => r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME')) throw dnsErrors.hostTaken();
  if ((fields.type === 'A' || fields.type === 'AAAA') && sameName.some((r) => r.type === 'CNAME')) throw dnsErrors.cnameExists();
  const same = (a: string, b: string) => (fields.type === 'TXT' ? a === b : a.toLowerCase() === b.toLowerCase());
  if (sameName.some((r) => r.type === fields.type && same(r.content, fields.content))) throw dnsErrors.identical();
}

function updatedRecord(current: DnsRecord, fields: ValidRecordFields, now: number): DnsRecord {
  const commentChanged = fields.comment !== current.comment;
  const tagsChanged = fields.tags.join('\n') !== current.tags.join('\n');
  return {
    ...current,
    ...fields,
    modifiedAt: now,
    ...(commentChanged ? { commentModifiedAt: now } : {}),
    ...(tagsChanged ? { tagsModifiedAt: now } : {}),
  };
}

function inputOf(record: DnsRecord): RecordInput {
  return {
    name: record.name,
    type: record.type,
    content: record.content,
    ttl: record.ttl,
    proxied: record.proxied,
    comment: record.comment,
    tags: record.tags,
  };
}

function definedFields(input: RecordInput): RecordInput {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined));
}

function withoutId(input: (RecordInput & { id?: unknown }) | undefined): RecordInput {
  const { id: _id, ...rest } = input ?? {};
  return rest;
}

function describe(change: DnsChange): string {
  const r = (change.after ?? change.before) as DnsRecord;
  const mode = r.proxied ? 'proxied' : `ttl ${r.ttl === 1 ? 'auto' : r.ttl}`;
  if (change.action === 'deleted') return `${r.type} ${r.name} -> ${r.content} deleted`;
  if (change.action === 'created') return `${r.type} ${r.name} -> ${r.content} created (${mode})`;
  const before = change.before as DnsRecord;
  return `${r.type} ${r.name} -> ${r.content} updated (${mode}; was ${before.type} ${before.name} -> ${before.content})`;
}

function copyZone(zone: DnsZone): DnsZone {
  return { ...zone, account: { ...zone.account }, nameServers: [...zone.nameServers] };
}

function copyRecord(record: DnsRecord): DnsRecord {
  return { ...record, tags: [...record.tags] };
}
