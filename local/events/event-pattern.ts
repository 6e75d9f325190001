/**
 * EventBridge event pattern matching: exact values, prefix, suffix, equals-ignore-case, wildcard,
 * anything-but, exists, numeric, cidr (IPv4), $or, nested fields. When the event holds an array,
 * the pattern matches if any element does.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchObject(pattern, event);
}

type Matcher = unknown;

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(sub as Array<Record<string, unknown>>).some((alternative) => matchObject(alternative, value))) return false;
      continue;
    }
    const field = fieldOf(value, key);
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, field)) return false;
    } else if (isObject(sub)) {
      if (!matchNested(sub, field)) return false;
    } else return false;
  }
  return true;
}

/** The field of an object; for an array of objects, the list of that field's values. */
function fieldOf(value: unknown, key: string): unknown {
  if (isObject(value)) return value[key];
  if (Array.isArray(value)) {
    const values = value
      .filter(isObject)
      .map((v) => v[key])
      .filter((v) => v !== undefined);
    return values.length ? values.flat() : undefined;
  }
  return undefined;
}

function matchNested(pattern: Record<string, unknown>, field: unknown): boolean {
  if (Array.isArray(field)) return field.some((item) => matchNested(pattern, item));
  return isObject(field) && matchObject(pattern, field);
}

function matchLeaf(matchers: Matcher[], field: unknown): boolean {
  if (field === undefined) return matchers.some((m) => isObject(m) && m.exists === false);
  if (isObject(field)) return false;
  const values = Array.isArray(field) ? field : [field];
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) return m.exists === true;
    return values.some((v) => !isObject(v) && matchValue(m, v));
  });
}

function matchValue(m: Matcher, v: unknown): boolean {
  if (!isObject(m)) return equals(m, v);
  const [op, arg] = Object.entries(m)[0] ?? [];
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && (isObject(arg) ? v.toLowerCase().startsWith(String(arg['equals-ignore-case']).toLowerCase()) : v.startsWith(String(arg)));
    case 'suffix':
      return typeof v === 'string' && (isObject(arg) ? v.toLowerCase().endsWith(String(arg['equals-ignore-case']).toLowerCase()) : v.endsWith(String(arg)));
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && wildcard(String(arg)).test(v);
    case 'anything-but':
      return !anythingButExcludes(arg, v);
    case 'numeric':
      return typeof v === 'number' && numeric(arg as Array<string | number>, v);
    case 'cidr':
      return typeof v === 'string' && inCidr(String(arg), v);
    default:
      return false;
  }
}

/** True when `v` is among what anything-but lists (so the pattern does not match). */
function anythingButExcludes(arg: unknown, v: unknown): boolean {
  if (Array.isArray(arg)) return arg.some((a) => equals(a, v));
  if (isObject(arg)) {
    if ('equals-ignore-case' in arg) {
      const listed = ([] as unknown[]).concat(arg['equals-ignore-case']);
      return typeof v === 'string' && listed.some((l) => String(l).toLowerCase() === v.toLowerCase());
    }
    return matchValue(arg, v);
  }
  return equals(arg, v);
}

function equals(m: unknown, v: unknown): boolean {
  if (typeof m === 'number') return typeof v === 'number' && m === v;
  return m === v;
}

function numeric(conditions: Array<string | number>, v: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const n = Number(conditions[i + 1]);
    const ok = { '=': v === n, '<': v < n, '<=': v <= n, '>': v > n, '>=': v >= n }[String(conditions[i])];
    if (!ok) return false;
  }
  return true;
}

function wildcard(glob: string): RegExp {
  const parts = glob.split(/(?<!\\)\*/).map((p) => p.replace(/\\\*/g, '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's');
}

function inCidr(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const a = ipv4(base);
  const b = ipv4(ip);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function ipv4(s: string): number | undefined {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
