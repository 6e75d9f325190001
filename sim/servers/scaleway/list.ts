import { invalidArguments } from './errors.js';
import type { Json } from './wire.js';

/** Scaleway list semantics shared by clusters, pools and nodes: filters, order_by, page/page_size. */

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const ORDER_FIELDS = ['created_at', 'updated_at', 'name', 'status', 'version'] as const;

/**
 * Keeps items whose `name` contains the `name` query parameter and whose `status` equals `status`.
 * `status=unknown` is the enum's zero value (the Go SDK always sends it) and filters nothing.
 */
export function filterByNameAndStatus(items: Json[], query: URLSearchParams): Json[] {
  const name = query.get('name');
  const status = query.get('status') === 'unknown' ? null : query.get('status');
  return items.filter((i) => (!name || String(i.name).includes(name)) && (!status || i.status === status));
}

/** Orders by `order_by` (default created_at_asc; the sort is stable) and cuts out the requested page. */
export function page(items: Json[], query: URLSearchParams): { items: Json[]; total: number } {
  const orderBy = query.get('order_by') ?? 'created_at_asc';
  const m = /^(.+)_(asc|desc)$/.exec(orderBy);
  const field = m?.[1] as (typeof ORDER_FIELDS)[number] | undefined;
  if (!m || !field || !ORDER_FIELDS.includes(field)) {
    throw invalidArguments({ argument_name: 'order_by', reason: 'constraint', help_message: `unknown order ${orderBy}` });
  }
  const sign = m[2] === 'asc' ? 1 : -1;
  const sorted = [...items].sort((a, b) => sign * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
  const pageNumber = intParam(query, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = intParam(query, 'page_size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  return { items: sorted.slice((pageNumber - 1) * pageSize, pageNumber * pageSize), total: sorted.length };
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalidArguments({ argument_name: name, reason: 'format', help_message: 'must be an integer' });
  if (n < min || n > max) throw invalidArguments({ argument_name: name, reason: 'constraint', help_message: `must be between ${min} and ${max}` });
  return n;
}
