import type { core } from 'zod';
import type { ConfigProblem } from './errors.js';

/*
 * Turns zod issues into ConfigProblems. Convention (config/fields.ts, config/rules.ts): an issue's message says
 * what is allowed. Schema-level messages are written that way; `allowedText` writes them for zod's built-in checks.
 */

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** Parse-level error map: what is allowed, for issues whose schema did not say it. */
export const allowedText: core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return TYPE_NAMES[iss.expected] ?? `a ${iss.expected}`;
    case 'invalid_value':
      return iss.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'too_small':
      return bound(iss.origin, 'at least', iss.inclusive ? '>=' : '>', iss.minimum);
    case 'too_big':
      return bound(iss.origin, 'at most', iss.inclusive ? '<=' : '<', iss.maximum);
    case 'unrecognized_keys':
      return (
        objectKeys(iss.inst)
          .map((k) => JSON.stringify(k))
          .join(', ') || '(no keys)'
      );
    case 'invalid_union': {
      // A discriminated union names the discriminator values it accepts.
      const options = (iss as { options?: unknown[] }).options;
      return options ? options.map((v) => JSON.stringify(v)).join(' | ') : 'one of the documented shapes';
    }
    case 'invalid_format':
      return `a ${iss.format}`;
    default:
      return 'a valid value';
  }
};

function bound(origin: string, words: string, sign: string, limit: number | bigint): string {
  if (origin === 'array') return `${words} ${limit} item${limit === 1 ? '' : 's'}`;
  if (origin === 'string') return `${words} ${limit} character${limit === 1 ? '' : 's'}`;
  return `${sign} ${limit}`;
}

function objectKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

export function toProblem(issue: core.$ZodIssue): ConfigProblem {
  return { path: jsonPath(issue.path), problem: whatIsWrong(issue), allowed: issue.message };
}

function whatIsWrong(issue: core.$ZodIssue): string {
  const stated = issue.code === 'custom' ? (issue.params as { problem?: unknown } | undefined)?.problem : undefined;
  if (typeof stated === 'string') return stated;
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  let input = issue.input;
  if (issue.code === 'invalid_union' && issue.discriminator && typeof input === 'object' && input !== null) {
    input = (input as Record<string, unknown>)[issue.discriminator];
  }
  if (input === undefined) return 'missing';
  return `got ${describe(input, issue.path)}`;
}

/** Fields whose value may be a secret. An ARN there is shown (ARNs are not secret); anything else is only described. */
const SENSITIVE_FIELD = /secret|token|password|credential|template/i;

function describe(value: unknown, path: PropertyKey[]): string {
  if (typeof value === 'string') {
    const field = [...path].reverse().find((p) => typeof p === 'string');
    if (typeof field === 'string' && SENSITIVE_FIELD.test(field) && !value.startsWith('arn:')) {
      return `a string of ${value.length} characters (not shown)`;
    }
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** `pools[2].arch`, `pools[0].labels["shepherd.io/site"]`; the root is `(root)`. */
export function jsonPath(path: PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(root)';
}
