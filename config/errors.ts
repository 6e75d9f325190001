/** One thing wrong with a config: where (a JSON path such as `pools[2].arch`), what is wrong, and what is allowed. */
export interface ConfigProblem {
  path: string;
  problem: string;
  allowed: string;
  /** What the path points into, by name, where an index alone says little: `pool "gcp-amd64"`. */
  subject?: string;
}

/**
 * The config is unusable. The message lists every problem, one per line, as
 * `<source>: <json.path> [(<named subject>)]: <what is wrong>; allowed: <what is allowed>`. It never quotes a secret: values of fields
 * that hold secrets (or that should hold a secret's ARN but hold something else) are described, not shown.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `${source}: ${p.path}${p.subject ? ` (${p.subject})` : ''}: ${p.problem}; allowed: ${p.allowed}`);
    super([`invalid shepherd config (${count}):`, ...lines].join('\n'));
  }
}
