import type { DnsAnswer, DnsChange, DnsRecord, DnsRecordType } from './dns-types.js';

/** `ttl: 1` means automatic, which Cloudflare serves as 300 s (also the TTL of every proxied answer). */
export const AUTOMATIC_TTL_SECONDS = 300;
/**
 * How long resolvers cache "no such record": min(SOA TTL, SOA minimum) of a Cloudflare zone,
 * whose SOA defaults are TTL 3600 and minimum 1800.
 */
export const NEGATIVE_TTL_SECONDS = 1800;
const MAX_CNAME_HOPS = 8;

interface RecordVersion {
  record: DnsRecord;
  from: number;
  /** Undefined while the version is current. */
  to?: number;
}

type AuthoritativeAnswer = Omit<DnsAnswer, 'cached' | 'answeredAt'>;

/**
 * Every version of every record with the simulated time range it was served in, so that the
 * resolver view can answer for any past time and any client cache.
 */
export class DnsHistory {
  readonly changes: DnsChange[] = [];
  private readonly versions: RecordVersion[] = [];
  private readonly current = new Map<string, RecordVersion>();

  /** `isInZone(name)`: whether Cloudflare is authoritative for the name (else a CNAME leaves the store). */
  constructor(private readonly isInZone: (name: string) => boolean) {}

  add(change: DnsChange): void {
    this.changes.push(change);
    const id = (change.after ?? change.before)?.id;
    if (!id) return;
    const open = this.current.get(id);
    if (open) {
      open.to = change.at;
      this.current.delete(id);
    }
    if (change.after) {
      const version: RecordVersion = { record: change.after, from: change.at };
      this.versions.push(version);
      this.current.set(id, version);
    }
  }

  /**
   * What a client that last asked at `lastQueriedAt` gets at `at`: its cached answer until that
   * answer's TTL runs out, then the authoritative one. Proxied answers are never stale (the edge
   * switches origins at once).
   */
  resolve(name: string, type: DnsRecordType, at: number, lastQueriedAt?: number): DnsAnswer {
    const fresh: DnsAnswer = { ...this.authoritative(name, type, at), cached: false, answeredAt: at };
    if (lastQueriedAt === undefined || lastQueriedAt >= at) return fresh;
    const old = this.authoritative(name, type, lastQueriedAt);
    if (old.proxied || at >= lastQueriedAt + old.ttl * 1000) return fresh;
    return { ...old, cached: true, answeredAt: lastQueriedAt };
  }

  /**
   * The earliest time at or after `after` from which every client, whenever it last asked, resolves
   * the name to exactly `contents`; undefined if that never happens in the history so far. Usually
   * the worst client asked just before the answer became `contents` and keeps the old answer for its
   * TTL, but any earlier answer still cached counts too ("no such name" for NEGATIVE_TTL_SECONDS).
   */
  whenClientsSee(name: string, type: DnsRecordType, contents: string[], after: number): number | undefined {
    const want = answerKey(contents);
    const times = [...new Set(this.versions.flatMap((v) => (v.to === undefined ? [v.from] : [v.from, v.to])))].sort((a, b) => a - b);
    const starts = [Number.NEGATIVE_INFINITY, ...times];
    let staleUntil = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i];
      const answer = this.authoritative(name, type, start === Number.NEGATIVE_INFINITY ? (times[0] ?? 0) - 1 : start);
      const end = starts[i + 1] ?? Number.POSITIVE_INFINITY;
      if (answerKey(answer.contents) !== want) {
        if (!answer.proxied) staleUntil = Math.max(staleUntil, end + answer.ttl * 1000);
        continue;
      }
      let stretchEnd = end;
      while (i + 1 < starts.length && answerKey(this.authoritative(name, type, starts[i + 1]).contents) === want) {
        i++;
        stretchEnd = starts[i + 1] ?? Number.POSITIVE_INFINITY;
      }
      const ready = Math.max(start, staleUntil);
      if (ready < stretchEnd && stretchEnd > after) return Math.max(ready, after);
    }
    return undefined;
  }

  /** What Cloudflare's nameservers answer at time `t`, following CNAMEs inside its zones. */
  authoritative(name: string, type: DnsRecordType, t: number): AuthoritativeAnswer {
    const via: string[] = [];
    let current = name.toLowerCase().replace(/\.$/, '');
    let proxied = false;
    let ttl = Number.POSITIVE_INFINITY;
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      if (hop > 0 && !this.isInZone(current)) {
        // The chain leaves Cloudflare: the client resolves the target elsewhere.
        return { name, type, contents: [current], proxied, ttl: finite(ttl), via };
      }
      const live = this.liveAt(t).filter((r) => r.name === current);
      const direct = live.filter((r) => r.type === type);
      if (direct.length > 0) {
        proxied ||= direct.some((r) => r.proxied);
        ttl = Math.min(ttl, ...direct.map(servedTtl));
        return { name, type, contents: sortedUnique(direct.map((r) => r.content)), proxied, ttl: proxied ? AUTOMATIC_TTL_SECONDS : ttl, via };
      }
      const cname = type === 'CNAME' ? undefined : live.find((r) => r.type === 'CNAME');
      if (!cname) break;
      proxied ||= cname.proxied;
      ttl = Math.min(ttl, servedTtl(cname));
      via.push(current);
      current = cname.content;
    }
    return { name, type, contents: [], proxied, ttl: Math.min(ttl, NEGATIVE_TTL_SECONDS), via };
  }

  private liveAt(t: number): DnsRecord[] {
    return this.versions.filter((v) => v.from <= t && (v.to === undefined || v.to > t)).map((v) => v.record);
  }
}

function servedTtl(record: DnsRecord): number {
  return record.proxied || record.ttl === 1 ? AUTOMATIC_TTL_SECONDS : record.ttl;
}

function finite(ttl: number): number {
  return Number.isFinite(ttl) ? ttl : AUTOMATIC_TTL_SECONDS;
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function answerKey(contents: string[]): string {
  return sortedUnique(contents.map((c) => c.toLowerCase().replace(/\.$/, ''))).join('\n');
}
