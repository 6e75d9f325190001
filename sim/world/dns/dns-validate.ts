import { isIPv4, isIPv6 } from 'node:net';
import { dnsErrors } from './dns-errors.js';
import { DNS_RECORD_TYPES, type DnsRecord, type DnsRecordType, type RecordInput } from './dns-types.js';

/** A record's fields once Cloudflare has accepted and normalised them. */
export type ValidRecordFields = Pick<DnsRecord, 'name' | 'type' | 'content' | 'ttl' | 'proxied' | 'proxiable' | 'comment' | 'tags'>;

const PROXIABLE_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME'];
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Validates a full record body (POST, PUT, or a PATCH merged over the current record) the way
 * Cloudflare does, and returns it normalised. Throws DnsRecordError.
 */
export function validateRecord(input: RecordInput, zoneName: string): ValidRecordFields {
  const type = recordType(input.type);
  const name = qualifyName(input.name, zoneName);
  const content = recordContent(type, input.content);
  if (input.proxied !== undefined && typeof input.proxied !== 'boolean') throw dnsErrors.invalidField('proxied', 'a boolean');
  const proxied = input.proxied === true;
  const proxiable = isProxiable(type, content);
  if (proxied && !PROXIABLE_TYPES.includes(type)) throw dnsErrors.notProxiable();
  if (proxied && !proxiable) throw dnsErrors.proxyTargetNotAllowed(content);
  const ttl = recordTtl(input.ttl);
  return {
    name,
    type,
    content,
    // Proxied records always answer with the automatic TTL; Cloudflare stores 1 whatever was sent.
    ttl: proxied ? 1 : ttl,
    proxied,
    proxiable,
    comment: recordComment(input.comment),
    tags: recordTags(input.tags),
  };
}

/**
 * Cloudflare's reading of a record name: `@` is the apex, a trailing dot is dropped, and a name that
 * does not end in the zone is taken as relative to it (`www` and even `www.other.org` get the zone
 * appended), so every record lands inside its zone.
 */
export function qualifyName(raw: unknown, zoneName: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw dnsErrors.invalidName();
  let name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name === '@') name = zoneName;
  else if (name !== zoneName && !name.endsWith(`.${zoneName}`)) name = `${name}.${zoneName}`;
  if (name.length > 253) throw dnsErrors.invalidName();
  const labels = name.split('.');
  labels.forEach((label, i) => {
    if (label === '*' && i === 0) return;
    if (!LABEL.test(label)) throw dnsErrors.invalidName();
  });
  return name;
}

function recordType(raw: unknown): DnsRecordType {
  if (typeof raw !== 'string' || !DNS_RECORD_TYPES.includes(raw.toUpperCase() as DnsRecordType)) throw dnsErrors.invalidType();
  return raw.toUpperCase() as DnsRecordType;
}

function recordContent(type: DnsRecordType, raw: unknown): string {
  const text = typeof raw === 'string' ? raw.trim() : '';
  switch (type) {
    case 'A':
      if (!isIPv4(text)) throw dnsErrors.invalidA();
      return text;
    case 'AAAA':
      if (!isIPv6(text)) throw dnsErrors.invalidAAAA();
      // Cloudflare stores IPv6 addresses in their short form.
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    case 'CNAME': {
      const target = text.toLowerCase().replace(/\.$/, '');
      if (!target || isIPv4(target) || target.length > 253 || !target.split('.').every((l) => LABEL.test(l))) throw dnsErrors.invalidCname();
      return target;
    }
    case 'TXT':
      if (typeof raw !== 'string' || raw === '') throw dnsErrors.invalidTxt();
      return raw;
  }
}

function recordTtl(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw === 'string') throw dnsErrors.ttlNotNumber();
  if (typeof raw !== 'number' || !Number.isInteger(raw) || (raw !== 1 && (raw < 60 || raw > 86_400))) throw dnsErrors.ttlRange();
  return raw;
}

function recordComment(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw dnsErrors.invalidField('comment', 'a string');
  return raw;
}

function recordTags(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string' || !t.includes(':'))) {
    throw dnsErrors.invalidField('tags', 'a list of "name:value" strings');
  }
  return [...raw];
}

/** Cloudflare does not proxy to addresses that are not routable on the Internet. */
function isProxiable(type: DnsRecordType, content: string): boolean {
  if (type === 'A') return !isPrivateIpv4(content);
  if (type === 'AAAA') return !isPrivateIpv6(content);
  return type === 'CNAME';
}

function isPrivateIpv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function isPrivateIpv6(ip: string): boolean {
  return ip === '::' || ip === '::1' || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip);
}
