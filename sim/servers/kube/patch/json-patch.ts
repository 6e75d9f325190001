import { deepEqual, isObject, type Json } from './json-value.js';

/** The patch document is not a valid RFC 6902 patch (400). */
export class MalformedPatchError extends Error {
  override readonly name = 'MalformedPatchError';
}

/** A valid operation that cannot be applied to this document, e.g. a failed `test` (422). */
export class PatchApplyError extends Error {
  override readonly name = 'PatchApplyError';
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** JSON Patch (RFC 6902) with JSON Pointer paths (RFC 6901). All operations apply, or none. */
export function applyJsonPatch(document: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new MalformedPatchError('json patch must be an array of operations');
  let doc = structuredClone(document);
  for (const raw of patch) {
    const op = checkOperation(raw);
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, structuredClone(op.value));
        break;
      case 'remove':
        doc = remove(doc, op.path).doc;
        break;
      case 'replace':
        doc = op.path === '' ? structuredClone(op.value) : add(remove(doc, op.path).doc, op.path, structuredClone(op.value));
        break;
      case 'move': {
        const from = op.from as string;
        if (op.path.startsWith(`${from}/`)) throw new PatchApplyError(`move operation cannot move "${from}" into one of its children`);
        const taken = remove(doc, from);
        doc = add(taken.doc, op.path, taken.value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(get(doc, op.from as string, 'copy')));
        break;
      case 'test':
        if (!deepEqual(get(doc, op.path, 'test'), op.value)) throw new PatchApplyError(`testing value ${op.path} failed: test failed`);
        break;
    }
  }
  return doc;
}

function checkOperation(raw: Json): Operation {
  if (!isObject(raw) || typeof raw.op !== 'string' || !OPS.has(raw.op)) {
    throw new MalformedPatchError(`unexpected operation: ${JSON.stringify(raw)}`);
  }
  if (typeof raw.path !== 'string') throw new MalformedPatchError(`${raw.op} operation is missing path`);
  if ((raw.op === 'move' || raw.op === 'copy') && typeof raw.from !== 'string') throw new MalformedPatchError(`${raw.op} operation is missing from`);
  if ((raw.op === 'add' || raw.op === 'replace' || raw.op === 'test') && !('value' in raw)) {
    throw new MalformedPatchError(`${raw.op} operation is missing value`);
  }
  return raw as Operation;
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new MalformedPatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The container holding the pointer's last token, and that token. */
function parent(doc: Json, pointer: string, op: string): { container: Json; key: string } {
  const toks = tokens(pointer);
  if (toks.length === 0) throw new PatchApplyError(`${op} operation does not apply to the whole document`);
  let cur = doc;
  for (const t of toks.slice(0, -1)) {
    cur = child(cur, t);
    if (cur === undefined) throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw new PatchApplyError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  return { container: cur, key: toks[toks.length - 1] };
}

function child(cur: Json, token: string): Json {
  if (Array.isArray(cur)) {
    const i = arrayIndex(token, cur.length - 1);
    return i === undefined ? undefined : cur[i];
  }
  return isObject(cur) && Object.hasOwn(cur, token) ? cur[token] : undefined;
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function get(doc: Json, pointer: string, op: string): Json {
  if (pointer === '') return doc;
  const { container, key } = parent(doc, pointer, op);
  const value = child(container, key);
  if (value === undefined) throw new PatchApplyError(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
  return value;
}

function add(doc: Json, pointer: string, value: Json): Json {
  if (pointer === '') return value;
  const { container, key } = parent(doc, pointer, 'add');
  if (Array.isArray(container)) {
    const i = key === '-' ? container.length : arrayIndex(key, container.length);
    if (i === undefined) throw new PatchApplyError(`add operation does not apply: index ${key} out of bounds in ${pointer}`);
    container.splice(i, 0, value);
  } else container[key] = value;
  return doc;
}

function remove(doc: Json, pointer: string): { doc: Json; value: Json } {
  const value = get(doc, pointer, 'remove');
  const { container, key } = parent(doc, pointer, 'remove');
  if (Array.isArray(container)) container.splice(Number(key), 1);
  else delete container[key];
  return { doc, value };
}
