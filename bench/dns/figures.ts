import type { World } from '../../sim/index.js';

/** What the figures read from the simulated Cloudflare: its change log and its resolver view. */
export type DnsView = Pick<World['dns'], 'changes' | 'resolve'>;

/** When an address left a set of names, on the simulated clock (ms); undefined when it had not by the end. */
export interface AddressLeft {
  /** False when some name did not hold the address at the start: there was nothing to measure. */
  heldAtStart: boolean;
  /** The authoritative answer of the last name to drop the address stopped holding it. */
  changedAt?: number;
  /**
   * The last moment a resolver may still answer the address: one that asked just before the change keeps the old
   * answer for its TTL (a proxied answer switches at Cloudflare's edge at once).
   */
  lastStaleAt?: number;
  /** The TTL of the answer that held the address, in seconds. */
  ttlS?: number;
}

/** When `address` left the answers of every name in `names` at or after `from`, from the simulated Cloudflare's history. */
export function addressLeft(dns: DnsView, names: readonly string[], type: 'A' | 'AAAA', address: string, from: number): AddressLeft {
  if (!names.every((name) => dns.resolve(name, type, { at: from }).contents.includes(address))) return { heldAtStart: false };
  const times = [from, ...dns.changes().flatMap((c) => (c.at > from ? [c.at] : []))].sort((a, b) => a - b);
  let changedAt = Number.NEGATIVE_INFINITY;
  let lastStaleAt = Number.NEGATIVE_INFINITY;
  let ttlS = 0;
  for (const name of names) {
    const left = times.find((t) => !dns.resolve(name, type, { at: t }).contents.includes(address));
    if (left === undefined) return { heldAtStart: true };
    changedAt = Math.max(changedAt, left);
    const before = dns.resolve(name, type, { at: left - 1 });
    ttlS = Math.max(ttlS, before.proxied ? 0 : before.ttl);
    lastStaleAt = Math.max(lastStaleAt, before.proxied ? left : left - 1 + before.ttl * 1000);
  }
  return { heldAtStart: true, changedAt, lastStaleAt, ttlS };
}
