/**
 * The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap: `$`, dot notation
 * (names may hold dashes), array indexes and bracketed names. Undefined when nothing is there.
 */
export function queryPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new SyntaxError(`JSONPath must start with $: ${path}`);
  const token = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let value = root;
  let at = 1;
  while (at < path.length) {
    token.lastIndex = at;
    const m = token.exec(path);
    if (!m) throw new SyntaxError(`unsupported JSONPath ${path} at ${path.slice(at)}`);
    at = token.lastIndex;
    if (value === null || typeof value !== 'object') return undefined;
    const key = m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4]);
    value = (value as Record<string | number, unknown>)[key];
    if (value === undefined) return undefined;
  }
  return value;
}
