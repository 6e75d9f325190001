import { TemplateError } from '../errors.js';

/** `Ref: AWS::NoValue`: the property or list item is removed. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Where intrinsic functions look names up: the stack's resources, parameters and pseudo parameters. */
export interface IntrinsicScope {
  /** Value of `Ref` to a resource, parameter or pseudo parameter; undefined when unknown. */
  ref(name: string): unknown;
  /** Value of `Fn::GetAtt`; undefined when the resource is unknown. */
  getAtt(logicalId: string, attribute: string): unknown;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** The template's Conditions section (evaluated on demand). */
  conditions: Record<string, unknown>;
}

/**
 * Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::If and the condition functions, Fn::FindInMap, Fn::Base64, Fn::GetAZs) to plain values.
 */
export class IntrinsicResolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    private readonly scope: IntrinsicScope,
    private readonly region: string,
  ) {}

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') return this.call(key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  /** Resolves to a string (env vars, names); numbers and booleans are stringified as CloudFormation does. */
  resolveString(value: unknown, what: string): string {
    const v = this.resolve(value);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new TemplateError(`${what} does not resolve to a string: ${JSON.stringify(value)}`);
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    if (!(name in this.scope.conditions)) throw new TemplateError(`unknown condition ${name}`);
    const result = this.truthy(this.resolve(this.scope.conditions[name]), `condition ${name}`);
    this.conditionCache.set(name, result);
    return result;
  }

  private call(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attr] = typeof arg === 'string' ? splitOnce(arg, '.') : (this.resolve(arg) as [string, string]);
        return this.getAtt(id, attr);
      }
      case 'Fn::Join': {
        const [delimiter, list] = arg as [string, unknown];
        const items = this.resolve(list);
        if (!Array.isArray(items)) throw new TemplateError(`Fn::Join needs a list, got ${JSON.stringify(items)}`);
        return items.map((item) => this.stringPart(item, 'Fn::Join item')).join(delimiter);
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = this.resolve(list);
        const i = Number(this.resolve(index));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new TemplateError(`Fn::Select index ${i} out of range for ${JSON.stringify(items)}`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, unknown];
        return this.stringPart(this.resolve(source), 'Fn::Split source').split(delimiter);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.resolve(this.condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = (this.resolve(arg) as unknown[]) ?? [];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.truthy(this.resolve((arg as unknown[])[0]), 'Fn::Not');
      case 'Fn::And':
        return (arg as unknown[]).every((c) => this.truthy(this.resolve(c), 'Fn::And'));
      case 'Fn::Or':
        return (arg as unknown[]).some((c) => this.truthy(this.resolve(c), 'Fn::Or'));
      case 'Condition':
        return this.condition(String(arg));
      case 'Fn::FindInMap': {
        const [map, top, second] = (this.resolve(arg) as string[]) ?? [];
        const value = this.scope.mappings[map]?.[top]?.[second];
        if (value === undefined) throw new TemplateError(`Fn::FindInMap: no ${map}.${top}.${second}`);
        return value;
      }
      case 'Fn::Base64':
        return Buffer.from(this.stringPart(this.resolve(arg), 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${this.region}${z}`);
      default:
        throw new TemplateError(`intrinsic function ${fn} is not supported by the local control plane`);
    }
  }

  private ref(name: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const value = this.scope.ref(name);
    if (value === undefined) throw new TemplateError(`Ref to unknown resource or parameter ${name}`);
    return value;
  }

  private getAtt(id: string, attr: string): unknown {
    const value = this.scope.getAtt(id, attr);
    if (value === undefined) throw new TemplateError(`Fn::GetAtt on unknown resource ${id}.${attr}`);
    return value;
  }

  private sub(arg: unknown): string {
    const [template, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    const resolvedVars = this.resolve(vars) as Record<string, unknown>;
    return template.replace(/\$\{([^}]+)\}/g, (_match, expr: string) => {
      // `${!Literal}` is the escape for a literal `${Literal}`.
      if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
      if (expr in resolvedVars) return this.stringPart(resolvedVars[expr], `Fn::Sub variable ${expr}`);
      if (expr.includes('.') && !expr.startsWith('AWS::')) {
        const [id, attr] = splitOnce(expr, '.');
        return this.stringPart(this.getAtt(id, attr), `Fn::Sub \${${expr}}`);
      }
      return this.stringPart(this.ref(expr), `Fn::Sub \${${expr}}`);
    });
  }

  private stringPart(value: unknown, what: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new TemplateError(`${what} is not a string: ${JSON.stringify(value)}`);
  }

  private truthy(value: unknown, what: string): boolean {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new TemplateError(`${what} is not a boolean: ${JSON.stringify(value)}`);
  }
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  if (i < 0) throw new TemplateError(`expected "${sep}" in ${s}`);
  return [s.slice(0, i), s.slice(i + 1)];
}
