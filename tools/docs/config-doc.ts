import { z } from 'zod';

export const CONFIG_DOC = 'docs/config.md';

/** The JSON Schema keywords the reference reads; `allowed` is shepherd's own metadata (config/fields.ts). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  allowed?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
}

export interface ConfigField {
  /** `pools[].join.poolId`: `[]` stands for every item of an array. */
  path: string;
  /** For a field of one variant of a union: the discriminator and its value, e.g. `method: "kosmos"`. */
  when?: string;
  type: string;
  required: boolean;
  default?: unknown;
  allowed?: string;
  description?: string;
}

/** The input JSON Schema of a zod schema: what a person writes, so defaulted fields are optional. */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Every field of the schema, depth first in declaration order. */
export function configFields(schema: JsonSchema): ConfigField[] {
  const fields: ConfigField[] = [];
  const walk = (s: JsonSchema, path: string, required: boolean, when?: string) => {
    const variants = s.oneOf ?? s.anyOf;
    if (variants) {
      const discriminator = discriminatorOf(variants);
      fields.push({ path, when, type: 'object, one of', required, default: s.default, description: s.description });
      if (!discriminator) return;
      fields.push({
        path: `${path}.${discriminator}`,
        when,
        type: 'string',
        required: true,
        allowed: variants.map((v) => JSON.stringify(v.properties?.[discriminator].const)).join(' | '),
        description: variants
          .map((v) => `${JSON.stringify(v.properties?.[discriminator].const)}: ${v.properties?.[discriminator].description ?? ''}`.trim())
          .join(' '),
      });
      for (const v of variants) {
        const condition = `${discriminator}: ${JSON.stringify(v.properties?.[discriminator].const)}`;
        for (const [key, property] of Object.entries(v.properties ?? {})) {
          if (key !== discriminator) walk(property, `${path}.${key}`, v.required?.includes(key) ?? false, condition);
        }
      }
      return;
    }
    if (s.type === 'object' && s.properties) {
      if (path) fields.push({ path, when, type: 'object', required, default: s.default, description: s.description });
      for (const [key, property] of Object.entries(s.properties)) walk(property, path ? `${path}.${key}` : key, s.required?.includes(key) ?? false, when);
      return;
    }
    if (s.type === 'array' && s.items) {
      const objectItems = s.items.type === 'object' && (s.items.properties || s.items.oneOf);
      const items = objectItems ? 'object' : typeOf(s.items);
      const allowed = [objectItems ? undefined : allowedOf(s.items), countBounds(s)].filter(Boolean).join('; ') || undefined;
      fields.push({ path, when, type: `array of ${items}`, required, default: s.default, allowed, description: s.description });
      if (objectItems) walk({ ...s.items, description: undefined, default: undefined }, `${path}[]`, true, when);
      return;
    }
    fields.push({ path, when, type: typeOf(s), required, default: s.default, allowed: allowedOf(s), description: s.description });
  };
  walk(schema, '', true);
  // The item object of an array is the array's own row.
  return fields.filter((f, i) => !(f.path.endsWith('[]') && f.type === 'object' && fields[i - 1]?.path === f.path.slice(0, -2)));
}

/** The property every variant fixes with a const. */
function discriminatorOf(variants: JsonSchema[]): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((key) => variants.every((v) => v.properties?.[key]?.const !== undefined));
}

function typeOf(s: JsonSchema): string {
  if (s.type === 'object' && typeof s.additionalProperties === 'object') return `map of string to ${typeOf(s.additionalProperties)}`;
  return s.type ?? 'any';
}

function allowedOf(s: JsonSchema): string | undefined {
  if (s.allowed) return s.allowed;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.format === 'uuid') return 'a UUID';
  // zod bounds every integer by the safe-integer range; only a bound of the schema's own says something.
  const ownMin = s.minimum === Number.MIN_SAFE_INTEGER ? undefined : s.minimum;
  const ownMax = s.maximum === Number.MAX_SAFE_INTEGER ? undefined : s.maximum;
  const low = ownMin ?? (s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : undefined);
  const high = ownMax ?? (s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : undefined);
  if (typeof low === 'number' && typeof high === 'number') return `${low} to ${high}`;
  const bounds = [typeof low === 'number' ? `>= ${low}` : low, typeof high === 'number' ? `<= ${high}` : high].filter(Boolean);
  if (bounds.length > 0) return bounds.join(', ');
  if (s.pattern) return `matches \`${s.pattern}\``;
  if (s.minLength) return `at least ${s.minLength} character${s.minLength === 1 ? '' : 's'}`;
  return undefined;
}

function countBounds(s: JsonSchema): string | undefined {
  const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
  if (s.minItems !== undefined && s.maxItems !== undefined) return `${items(s.minItems)} to ${items(s.maxItems)}`;
  if (s.minItems) return `at least ${items(s.minItems)}`;
  if (s.maxItems !== undefined) return `at most ${items(s.maxItems)}`;
  return undefined;
}

/** docs/config.md: one table per top-level section of shepherd.config.json. */
export function configDoc(schema: JsonSchema): string {
  const fields = configFields(schema);
  const sections = Object.entries(schema.properties ?? {}).flatMap(([key, section]) => {
    const rows = fields.filter((f) => f.path === key || f.path.startsWith(`${key}.`) || f.path.startsWith(`${key}[]`));
    return [
      `## \`${key}\``,
      '',
      `${schema.required?.includes(key) ? 'Required.' : 'Optional.'}${section.description ? ` ${section.description}` : ''}`,
      '',
      '| field | type | required | default | allowed | description |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (f) =>
          `| \`${f.path}\`${f.when ? ` (${cell(f.when)})` : ''} | ${cell(f.type)} | ${f.required ? 'yes' : 'no'} | ${f.default === undefined ? '' : `\`${JSON.stringify(f.default).replaceAll('|', '\\|')}\``} | ${cell(f.allowed ?? '')} | ${cell(f.description ?? '')} |`,
      ),
      '',
    ];
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` from config/schema.ts; edit the schema, not this file. -->',
    '',
    'Every field of `shepherd.config.json`. `pools[]` stands for each item of `pools`; a field marked with a condition',
    'such as `method: "kosmos"` exists only in that variant. Unknown keys are errors.',
    '',
    ...sections,
  ].join('\n');
}

/** Table cell text: pipes escaped, and `<...>` placeholders kept visible (Markdown would read them as HTML tags). */
function cell(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|').replaceAll('\n', ' ');
}
