import type { DnsRecord } from '../../world/dns/dns-types.js';
import type { ResultInfo } from './envelope.js';

export interface PageLimits {
  defaultPerPage: number;
  maxPerPage: number;
}

/** DNS records: 100 per page unless asked, up to 5,000,000. */
export const RECORD_PAGES: PageLimits = { defaultPerPage: 100, maxPerPage: 5_000_000 };
/** Zones: 20 per page unless asked, up to 50. */
export const ZONE_PAGES: PageLimits = { defaultPerPage: 20, maxPerPage: 50 };

/**
 * One page of `items` the way Cloudflare pages: a page past the end is an empty result with the
 * same totals (the official SDK's auto-pager stops at the first empty page).
 */
export function paginate<T>(items: T[], query: URLSearchParams, limits: PageLimits): { page: T[]; info: ResultInfo } {
  const page = Math.max(1, integer(query.get('page')) ?? 1);
  const perPage = Math.min(limits.maxPerPage, Math.max(1, integer(query.get('per_page')) ?? limits.defaultPerPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    page: slice,
    info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.ceil(items.length / perPage) },
  };
}

/** Sorts by `order` (one of `fields`) and `direction`; without `order`, by `fallback`. */
export function sortBy<T>(items: T[], query: URLSearchParams, fields: Record<string, (item: T) => string | number | boolean>, fallback: string[]): T[] {
  const order = query.get('order');
  const keys = order && fields[order] ? [order] : fallback;
  const sign = query.get('direction') === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    for (const key of keys) {
      const x = fields[key](a);
      const y = fields[key](b);
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return 0;
  });
}

type Predicate = (r: DnsRecord) => boolean;

/**
 * The DNS record list filters: `name`, `content`, `comment` (plain = exact, or `.exact`, `.contains`,
 * `.startswith`, `.endswith`, case-insensitive; comment also `.present`/`.absent`), `type`, `proxied`,
 * combined with `match=all` (default) or `match=any`.
 */
export function recordFilter(query: URLSearchParams): Predicate {
  const predicates: Predicate[] = [];
  for (const field of ['name', 'content', 'comment'] as const) {
    const value = (r: DnsRecord) => (r[field] ?? '').toLowerCase();
    const exact = query.get(`${field}.exact`) ?? query.get(field);
    if (exact !== null) predicates.push((r) => value(r) === exact.toLowerCase());
    const contains = query.get(`${field}.contains`);
    if (contains !== null) predicates.push((r) => value(r).includes(contains.toLowerCase()));
    const starts = query.get(`${field}.startswith`);
    if (starts !== null) predicates.push((r) => value(r).startsWith(starts.toLowerCase()));
    const ends = query.get(`${field}.endswith`);
    if (ends !== null) predicates.push((r) => value(r).endsWith(ends.toLowerCase()));
  }
  if (query.has('comment.present')) predicates.push((r) => r.comment !== null);
  if (query.has('comment.absent')) predicates.push((r) => r.comment === null);
  const type = query.get('type');
  if (type !== null) predicates.push((r) => r.type === type.toUpperCase());
  const proxied = query.get('proxied');
  if (proxied !== null) predicates.push((r) => r.proxied === (proxied === 'true'));
  if (predicates.length === 0) return () => true;
  return query.get('match') === 'any' ? (r) => predicates.some((p) => p(r)) : (r) => predicates.every((p) => p(r));
}

function integer(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
