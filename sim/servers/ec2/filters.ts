import { Ec2Error } from './errors.js';
import type { QueryParams } from './query.js';

export interface Filter {
  name: string;
  values: string[];
}

/** What a filter name reads from an item: its values, or undefined when it has none. */
export type FilterFields<T> = (name: string) => ((item: T) => Array<string | undefined>) | undefined;

export function parseFilters(params: QueryParams): Filter[] {
  return params.items('Filter').map((f) => {
    const name = f.str('Name');
    if (!name) throw Ec2Error.missing('Filter.Name');
    return { name, values: f.list('Value') };
  });
}

/**
 * EC2's filter semantics: an item matches when, for every filter, one of its values matches one
 * of the filter's values; values may use `*` and `?` wildcards. An unknown filter name is an error.
 */
export function filterItems<T>(items: T[], filters: Filter[], fields: FilterFields<T>): T[] {
  const compiled = filters.map((f) => {
    const read = fields(f.name);
    if (!read) throw Ec2Error.invalidValue(`The filter '${f.name}' is invalid`);
    return { read, patterns: f.values.map(wildcard) };
  });
  return items.filter((item) => compiled.every(({ read, patterns }) => read(item).some((v) => v !== undefined && patterns.some((p) => p.test(v)))));
}

function wildcard(value: string): RegExp {
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) source += escapeRegex(value[++i]);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Tag filters shared by every taggable resource: `tag:<key>`, `tag-key`, `tag-value`. */
export function tagFilter<T>(name: string, tagsOf: (item: T) => Record<string, string>): ((item: T) => Array<string | undefined>) | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item) => [tagsOf(item)[key]];
  }
  if (name === 'tag-key') return (item) => Object.keys(tagsOf(item));
  if (name === 'tag-value') return (item) => Object.values(tagsOf(item));
  return undefined;
}
