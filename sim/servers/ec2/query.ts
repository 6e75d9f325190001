import { Ec2Error } from './errors.js';

/**
 * The parameters of one EC2 Query request, as the ec2Query protocol sends them: flat keys where
 * lists are numbered from 1 (`InstanceId.1`, `Filter.2.Value.1`, `TagSpecification.1.Tag.1.Key`).
 */
export class QueryParams {
  private constructor(private readonly entries: ReadonlyMap<string, string>) {}

  /** A form-encoded POST body; GET requests carry the same pairs in the query string. */
  static parse(body: string, query?: URLSearchParams): QueryParams {
    const entries = new Map<string, string>();
    for (const source of [query, new URLSearchParams(body)]) {
      if (!source) continue;
      for (const [key, value] of source) entries.set(key, value);
    }
    return new QueryParams(entries);
  }

  str(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** An integer parameter; InvalidParameterValue when it is not one. */
  int(key: string): number | undefined {
    const raw = this.entries.get(key);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw Ec2Error.invalidValue(`Invalid value '${raw}' for ${key}.`);
    return Number(raw);
  }

  bool(key: string): boolean | undefined {
    const raw = this.entries.get(key);
    if (raw === undefined) return undefined;
    return raw.toLowerCase() === 'true';
  }

  /** A list of scalars: `prefix.1`, `prefix.2`, ... in index order. */
  list(prefix: string): string[] {
    return this.indexed(prefix)
      .map(([, rest]) => rest.get(''))
      .filter((v): v is string => v !== undefined);
  }

  /** A list of structures: `prefix.N.Member` grouped by N, each as its own QueryParams. */
  items(prefix: string): QueryParams[] {
    return this.indexed(prefix).map(([, rest]) => new QueryParams(rest));
  }

  /** Every parameter but the excluded ones, in a stable order: what makes two requests "the same". */
  fingerprint(exclude: readonly string[]): string {
    return [...this.entries]
      .filter(([k]) => !exclude.includes(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  }

  private indexed(prefix: string): Array<[number, Map<string, string>]> {
    const groups = new Map<number, Map<string, string>>();
    const head = `${prefix}.`;
    for (const [key, value] of this.entries) {
      if (!key.startsWith(head)) continue;
      const tail = key.slice(head.length);
      const dot = tail.indexOf('.');
      const index = Number(dot === -1 ? tail : tail.slice(0, dot));
      if (!Number.isInteger(index) || index < 1) continue;
      let group = groups.get(index);
      if (!group) {
        group = new Map();
        groups.set(index, group);
      }
      group.set(dot === -1 ? '' : tail.slice(dot + 1), value);
    }
    return [...groups].sort(([a], [b]) => a - b);
  }
}
