/**
 * The `filter` of compute list calls: `field op value` comparisons on the resource's JSON
 * (nested with dots, e.g. `labels.env`), combined by juxtaposition (AND), `AND`, `OR` and
 * parentheses. `=`, `!=`, `<`, `<=`, `>`, `>=` compare the literal; `:` tests presence
 * (`labels.owner:*`) or equality; `eq`/`ne` match the literal as a regular expression against
 * the whole value (GCE uses RE2; JavaScript's syntax is close enough for simple patterns).
 */
export type ResourceFilter = (resource: Record<string, unknown>) => boolean;

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

type Token = { kind: 'word' | 'quoted' | 'op' | 'open' | 'close'; text: string };

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>', ':'];

export function parseFilter(text: string): ResourceFilter {
  const tokens = tokenize(text);
  if (tokens.length === 0) return () => true;
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw new FilterSyntaxError('unexpected end of filter');
    return t;
  };

  const parseOr = (): ResourceFilter => {
    const parts = [parseAnd()];
    while (peek()?.kind === 'word' && peek().text === 'OR') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0] : (r) => parts.some((p) => p(r));
  };

  const parseAnd = (): ResourceFilter => {
    const parts = [parsePrimary()];
    for (;;) {
      const t = peek();
      if (!t || t.kind === 'close' || (t.kind === 'word' && t.text === 'OR')) break;
      if (t.kind === 'word' && t.text === 'AND') pos++;
      parts.push(parsePrimary());
    }
    return parts.length === 1 ? parts[0] : (r) => parts.every((p) => p(r));
  };

  const parsePrimary = (): ResourceFilter => {
    const t = next();
    if (t.kind === 'open') {
      const inner = parseOr();
      if (next().kind !== 'close') throw new FilterSyntaxError('missing )');
      return inner;
    }
    if (t.kind !== 'word') throw new FilterSyntaxError(`expected a field name, got ${t.text}`);
    const op = next();
    const isOp = op.kind === 'op' || (op.kind === 'word' && (op.text === 'eq' || op.text === 'ne'));
    if (!isOp) throw new FilterSyntaxError(`expected an operator after ${t.text}`);
    const value = next();
    if (value.kind !== 'word' && value.kind !== 'quoted') throw new FilterSyntaxError(`expected a value after ${op.text}`);
    return comparison(t.text.split('.'), op.text, value.text);
  };

  const filter = parseOr();
  if (pos !== tokens.length) throw new FilterSyntaxError(`unexpected ${tokens[pos].text}`);
  return filter;
}

function comparison(path: string[], op: string, literal: string): ResourceFilter {
  const regex = op === 'eq' || op === 'ne' ? compileRegex(literal) : undefined;
  return (resource) => {
    const actual = lookup(resource, path);
    const values = (Array.isArray(actual) ? actual : [actual]).filter((v) => v !== undefined && v !== null).map(String);
    switch (op) {
      case ':':
        return literal === '*' ? values.length > 0 : values.includes(literal);
      case '=':
        return values.includes(literal);
      case '!=':
        return !values.includes(literal);
      case 'eq':
        return values.some((v) => regex!.test(v));
      case 'ne':
        return !values.some((v) => regex!.test(v));
      default:
        return values.some((v) => ordered(v, literal, op));
    }
  };
}

function ordered(actual: string, literal: string, op: string): boolean {
  const numeric = actual !== '' && literal !== '' && !Number.isNaN(Number(actual)) && !Number.isNaN(Number(literal));
  const cmp = numeric ? Number(actual) - Number(literal) : actual.localeCompare(literal);
  if (op === '<') return cmp < 0;
  if (op === '<=') return cmp <= 0;
  if (op === '>') return cmp > 0;
  return cmp >= 0;
}

function compileRegex(literal: string): RegExp {
  try {
    return new RegExp(`^(?:${literal})$`);
  } catch {
    throw new FilterSyntaxError(`invalid regular expression ${literal}`);
  }
}

function lookup(resource: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = resource;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new FilterSyntaxError('unterminated quoted value');
      tokens.push({ kind: 'quoted', text: text.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op });
        i += op.length;
        continue;
      }
      let j = i;
      while (j < text.length && !/[\s()"'!<>=:]/.test(text[j])) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}
