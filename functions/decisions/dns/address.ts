import { isIPv4, isIPv6 } from 'node:net';
import type { RecordType } from './types.js';

/** Why an address may not go into a public record, or undefined when it may. */
export function addressProblem(address: string, type: RecordType): string | undefined {
  if (type === 'A') {
    if (!isIPv4(address)) return `${JSON.stringify(address)} is not an IPv4 address`;
    const [a, b] = address.split('.').map(Number);
    const range = ipv4Range(a, b, address);
    return range ? `${address} is ${range}, not reachable from the Internet` : undefined;
  }
  if (!isIPv6(address)) return `${JSON.stringify(address)} is not an IPv6 address`;
  const range = ipv6Range(address.toLowerCase());
  return range ? `${address} is ${range}, not reachable from the Internet` : undefined;
}

/** The family an address belongs to, if it is an IP address at all. */
export function addressType(address: string): RecordType | undefined {
  if (isIPv4(address)) return 'A';
  if (isIPv6(address)) return 'AAAA';
  return undefined;
}

function ipv4Range(a: number, b: number, address: string): string | undefined {
  if (a === 0) return 'an unspecified address (0.0.0.0/8)';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address (RFC 1918)';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address (100.64.0.0/10)';
  if (a === 127) return 'a loopback address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240 || address === '255.255.255.255') return 'a reserved address (240.0.0.0/4)';
  return undefined;
}

function ipv6Range(address: string): string | undefined {
  if (address === '::') return 'the unspecified address';
  if (address === '::1') return 'the loopback address';
  if (/^f[cd]/.test(address)) return 'a unique local address (fc00::/7)';
  if (/^fe[89ab]/.test(address)) return 'a link-local address (fe80::/10)';
  if (address.startsWith('ff')) return 'a multicast address';
  if (address.startsWith('::ffff:')) return 'an IPv4-mapped address';
  return undefined;
}

/** Cloudflare's TTL rule: 1 (automatic), or 60 to 86400 s; proxied records are always automatic. */
export function ttlProblem(ttl: number, proxied: boolean): string | undefined {
  if (!Number.isInteger(ttl) || !(ttl === 1 || (ttl >= 60 && ttl <= 86400))) return `TTL ${ttl} is not 1 (automatic) or 60 to 86400 seconds`;
  if (proxied && ttl !== 1) return `TTL ${ttl} on a proxied record; proxied records take 1 (automatic)`;
  return undefined;
}
