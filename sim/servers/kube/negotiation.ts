import { badRequest, notAcceptable } from './status.js';
import type { ResponseFormat } from './types.js';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** `a/b;k=v, c/d` -> media ranges in the client's order of preference. */
function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((entry) => {
      const [type, ...rawParams] = entry.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((m) => m.type !== '' && m.params.q !== '0');
}

function isJson(m: MediaRange): boolean {
  return m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*';
}

/**
 * Picks the response form from the Accept header: a meta.k8s.io/v1 Table when asked for one
 * (`application/json;as=Table;v=v1;g=meta.k8s.io`) and the endpoint can produce it, else the
 * plain JSON object. Other forms (protobuf, YAML, aggregated discovery, PartialObjectMetadata)
 * are skipped so a client that lists JSON as a fallback gets it; 406 when nothing is left.
 */
export function negotiate(accept: string | undefined, includeObject: string | null, canTable: boolean): ResponseFormat {
  const ranges = parseAccept(accept?.trim() ? accept : 'application/json');
  for (const m of ranges) {
    if (!isJson(m)) continue;
    if (m.params.as === undefined) return { as: 'object' };
    if (canTable && m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && m.params.v === 'v1') {
      return { as: 'table', includeObject: parseIncludeObject(includeObject) };
    }
  }
  throw notAcceptable();
}

function parseIncludeObject(value: string | null): 'None' | 'Metadata' | 'Object' {
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "None", "Metadata", "Object"`);
}

/** The media type of a request body, lower-case, without parameters; JSON when unset. */
export function bodyMediaType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === '' ? 'application/json' : type;
}
