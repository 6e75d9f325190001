import { MalformedPatchError } from './json-patch.js';
import { deepEqual, isObject, type Json, type JsonObject } from './json-value.js';
import type { StrategyTable } from './strategies.js';

/**
 * Strategic merge patch, the Kubernetes variant of merge patch: lists with a merge key merge
 * element by element (Node `status.conditions` by `type`), lists of primitives declared as sets
 * merge as sets, other lists are replaced. Directives: `$patch: replace | delete | merge` on
 * maps and list elements, `$retainKeys`, `$deleteFromPrimitiveList/<field>`;
 * `$setElementOrder/<field>` only orders elements and is ignored here.
 */
export function applyStrategicMergePatch(original: Json, patch: Json, strategies: StrategyTable): Json {
  if (!isObject(patch)) throw new MalformedPatchError('strategic merge patch must be a JSON object');
  return mergeMap(isObject(original) ? original : {}, patch, '', strategies) ?? {};
}

/** Undefined means the map itself is deleted (`$patch: delete`). */
function mergeMap(original: JsonObject, patch: JsonObject, path: string, strategies: StrategyTable): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const { $patch: _replace, ...rest } = patch;
    return mergeMap({}, rest, path, strategies);
  }
  if (directive !== undefined && directive !== 'merge') throw new MalformedPatchError(`unknown patch type: ${JSON.stringify(directive)}`);
  const out: JsonObject = { ...original };
  if (Array.isArray(patch.$retainKeys)) {
    for (const key of Object.keys(out)) if (!patch.$retainKeys.includes(key)) delete out[key];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(value)) out[field] = out[field].filter((x: Json) => !value.some((v: Json) => deepEqual(v, x)));
      continue;
    }
    const fieldPath = path ? `${path}.${key}` : key;
    if (value === null) delete out[key];
    else if (isObject(value)) {
      const merged = mergeMap(isObject(out[key]) ? out[key] : {}, value, fieldPath, strategies);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) out[key] = mergeList(Array.isArray(out[key]) ? out[key] : [], value, fieldPath, strategies);
    else out[key] = value;
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, strategies: StrategyTable): Json[] {
  const itemPath = `${path}[]`;
  const fresh = (items: Json[]) =>
    items.flatMap((e) => {
      if (!isObject(e)) return [e];
      const m = mergeMap({}, e, itemPath, strategies);
      return m === undefined ? [] : [m];
    });
  const strategy = strategies.get(path);
  const replaceAll = patch.some((e) => isObject(e) && e.$patch === 'replace');
  if (!strategy || replaceAll) return fresh(patch.filter((e) => !(isObject(e) && e.$patch === 'replace')));
  if (strategy === 'set') {
    const out = [...original];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v);
    return out;
  }
  const { mergeKey } = strategy;
  const out = [...original];
  for (const element of patch) {
    if (!isObject(element) || element[mergeKey] === undefined) {
      throw new MalformedPatchError(`map: ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`);
    }
    const i = out.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], element[mergeKey]));
    if (element.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    const merged = mergeMap(i >= 0 ? out[i] : {}, element, itemPath, strategies);
    if (i >= 0) {
      if (merged === undefined) out.splice(i, 1);
      else out[i] = merged;
    } else if (merged !== undefined) out.push(merged);
  }
  return out;
}
