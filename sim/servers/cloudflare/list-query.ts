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
 * and the tag filters (see tagFilter), combined with `match=all` (default) or `match=any`.
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
  const tags = tagFilter(query);
  if (tags) predicates.push(tags);
  if (predicates.length === 0) return () => true;
  return query.get('match') === 'any' ? (r) => predicates.some((p) => p(r)) : (r) => predicates.every((p) => p(r));
}

type TagTest = (value: string, wanted: string) => boolean;

const TAG_VALUE_TESTS: Record<string, TagTest> = {
  exact: (value, wanted) => value === wanted,
  contains: (value, wanted) => value.includes(wanted),
  startswith: (value, wanted) => value.startsWith(wanted),
  endswith: (value, wanted) => value.endsWith(wanted),
};

/**
 * The tag filters of Cloudflare's list DNS records API, all case-insensitive: `tag.present=<name>`,
 * `tag.absent=<name>`, and `tag.exact|contains|startswith|endswith=<name>:<value>` (a tag of that name
 * whose value is, contains, starts or ends with the value; a plain `tag=` is `tag.exact`). Each may be
 * repeated. `tag_match=all` (default) or `any` combines them with each other; the result then joins
 * the other filters under `match`.
 */
function tagFilter(query: URLSearchParams): Predicate | undefined {
  const predicates: Predicate[] = [];
  for (const name of query.getAll('tag.present')) predicates.push((r) => r.tags.some((t) => tagName(t) === name.toLowerCase()));
  for (const name of query.getAll('tag.absent')) predicates.push((r) => !r.tags.some((t) => tagName(t) === name.toLowerCase()));
  for (const [op, test] of Object.entries(TAG_VALUE_TESTS)) {
    const params = [...query.getAll(`tag.${op}`), ...(op === 'exact' ? query.getAll('tag') : [])];
    for (const param of params) {
      const [name, wanted] = splitTag(param.toLowerCase());
      predicates.push((r) => r.tags.some((t) => tagName(t) === name && test(splitTag(t)[1].toLowerCase(), wanted)));
    }
  }
  if (predicates.length === 0) return undefined;
  return query.get('tag_match') === 'any' ? (r) => predicates.some((p) => p(r)) : (r) => predicates.every((p) => p(r));
}

/** `name:value` -> [name, value]; a tag without a colon has an empty value. */
function splitTag(tag: string): [string, string] {
  const i = tag.indexOf(':');
  return i < 0 ? [tag, ''] : [tag.slice(0, i), tag.slice(i + 1)];
}

/** Tag names are not case-sensitive. */
function tagName(tag: string): string {
  return splitTag(tag)[0].toLowerCase();
}

function integer(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
