import type { SimResponse } from '../../http.js';
import type { DnsStore } from '../../world/dns/dns.js';
import type { DnsZone } from '../../world/dns/dns-types.js';
import { ok } from './envelope.js';
import { paginate, sortBy, ZONE_PAGES } from './list-query.js';
import { wireZone } from './wire.js';

const ZONE_ORDER: Record<string, (z: DnsZone) => string> = {
  name: (z) => z.name,
  status: (z) => z.status,
  'account.id': (z) => z.account.id,
  'account.name': (z) => z.account.name,
};

/** `GET /zones` (filters name, status, account.id, account.name; match all|any) and `GET /zones/{zone_id}`. */
export function zoneHandlers(dns: DnsStore) {
  return {
    list(query: URLSearchParams): SimResponse {
      const predicates: Array<(z: DnsZone) => boolean> = [];
      const name = query.get('name');
      if (name !== null) predicates.push((z) => z.name === name.toLowerCase());
      const status = query.get('status');
      if (status !== null) predicates.push((z) => z.status === status);
      const accountId = query.get('account.id');
      if (accountId !== null) predicates.push((z) => z.account.id === accountId);
      const accountName = query.get('account.name');
      if (accountName !== null) predicates.push((z) => z.account.name === accountName);
      const any = query.get('match') === 'any';
      const zones = dns.listZones().filter((z) => predicates.length === 0 || (any ? predicates.some((p) => p(z)) : predicates.every((p) => p(z))));
      const { page, info } = paginate(sortBy(zones, query, ZONE_ORDER, ['name']), query, ZONE_PAGES);
      return ok(page.map(wireZone), info);
    },
    get: (zone: DnsZone): SimResponse => ok(wireZone(zone)),
  };
}
