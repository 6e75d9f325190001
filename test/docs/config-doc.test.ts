import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { shepherdConfigShape } from '../../config/schema.js';
import { configDoc, configFields, inputJsonSchema } from '../../tools/docs/config-doc.js';

const sample = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z]+$/)
    .meta({ allowed: 'lowercase letters' })
    .describe('The name.'),
  size: z.number().int().min(1).max(9).default(3).describe('How many.'),
  mode: z.enum(['fast', 'safe']).default('safe'),
  tags: z.record(z.string(), z.string()).default(() => ({})),
  items: z
    .array(z.strictObject({ id: z.guid(), note: z.string().optional() }))
    .min(1)
    .describe('The items.'),
  join: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('token').describe('Join with a token.'), tokenArn: z.string().describe('Where the token is.') }),
    z.strictObject({ method: z.literal('none') }),
  ]),
  policy: z.strictObject({ seconds: z.number().int().positive().default(5) }).prefault({}),
});

describe('Function: configFields', () => {
  const fields = configFields(inputJsonSchema(sample));
  const field = (path: string, when?: string) => fields.find((f) => f.path === path && f.when === when);

  it('gives each field its type, whether it is required, its default, allowed values and description', () => {
    expect(field('name')).toEqual({ path: 'name', type: 'string', required: true, allowed: 'lowercase letters', description: 'The name.' });
    expect(field('size')).toMatchObject({ type: 'integer', required: false, default: 3, allowed: '1 to 9', description: 'How many.' });
    expect(field('mode')).toMatchObject({ type: 'string', required: false, default: 'safe', allowed: '"fast" | "safe"' });
    expect(field('tags')).toMatchObject({ type: 'map of string to string', default: {} });
    expect(field('policy.seconds')).toMatchObject({ type: 'integer', default: 5, allowed: '> 0' });
  });

  it('lists the fields of array items under `[]`, and the array with its item count', () => {
    expect(field('items')).toMatchObject({ type: 'array of object', required: true, allowed: 'at least 1 item', description: 'The items.' });
    expect(field('items[]')).toBeUndefined();
    expect(field('items[].id')).toMatchObject({ type: 'string', required: true, allowed: 'a UUID' });
    expect(field('items[].note')).toMatchObject({ required: false });
  });

  it('lists each variant of a discriminated union under its discriminator value', () => {
    expect(field('join.method')).toMatchObject({ allowed: '"token" | "none"', description: '"token": Join with a token. "none":' });
    expect(field('join.tokenArn', 'method: "token"')).toMatchObject({ type: 'string', required: true, description: 'Where the token is.' });
  });
});

describe('Function: configDoc', () => {
  it('renders one table per section, escaping pipes and angle brackets', () => {
    const doc = configDoc(inputJsonSchema(sample));
    expect(doc).toContain('## `mode`');
    expect(doc).toContain('| `mode` | string | no | `"safe"` | "fast" \\| "safe" |  |');
    expect(doc).toContain('| `join.tokenArn` (method: "token") | string | yes |  |  | Where the token is. |');
  });

  it('documents every field of shepherd.config.json outside providers with a description', () => {
    const undocumented = configFields(inputJsonSchema(shepherdConfigShape)).filter((f) => !f.path.startsWith('providers') && !f.description);
    expect(undocumented.map((f) => `${f.path}${f.when ? ` (${f.when})` : ''}`)).toEqual([]);
  });

  it('shows a secret field with both reference forms, placeholders kept visible', () => {
    const doc = configDoc(inputJsonSchema(shepherdConfigShape));
    expect(doc).toContain('arn:aws:ssm:&lt;region&gt;:&lt;12-digit account&gt;:parameter/&lt;name&gt;');
    expect(doc).toContain('arn:aws:secretsmanager:&lt;region&gt;:&lt;12-digit account&gt;:secret:&lt;name&gt;');
  });
});
