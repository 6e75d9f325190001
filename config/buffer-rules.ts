import { providerNamed } from '../functions/providers/registry.js';
import type { ReportProblem as Report } from '../functions/providers/types.js';
import type { ShepherdConfig } from './types.js';

/** Cross-field rules of `buffers`: each entry names a pool shepherd can grow, once, within the pool's bounds; the cap admits a node. */
export function checkBuffers(config: ShepherdConfig, report: Report): void {
  const { buffers } = config;
  if (!buffers) return;
  const launchable = config.pools.filter((p) => providerNamed(p.provider).launchable).map((p) => p.name);
  buffers.pools.forEach((entry, i) => {
    const at = (...rest: PropertyKey[]) => ['buffers', 'pools', i, ...rest];
    const pool = config.pools.find((p) => p.name === entry.pool);
    if (!pool) {
      report({ path: at('pool'), input: entry.pool, problem: `got ${q(entry.pool)}, which is not a pool`, allowed: alternatives(launchable) });
      return;
    }
    if (!launchable.includes(pool.name)) {
      report({
        path: at('pool'),
        input: entry.pool,
        problem: `got ${q(entry.pool)}, a ${pool.provider} pool: shepherd cannot create its machines`,
        allowed: alternatives(launchable),
      });
    }
    const first = buffers.pools.findIndex((e) => e.pool === entry.pool);
    if (first !== i) {
      report({
        path: at('pool'),
        input: entry.pool,
        problem: `got ${q(entry.pool)}, already listed as buffers.pools[${first}]`,
        allowed: 'each pool once (its place in the list is its priority)',
      });
    }
    if (entry.maxNodes !== undefined && (entry.maxNodes > pool.max || entry.maxNodes < pool.min)) {
      report({
        path: at('maxNodes'),
        input: entry.maxNodes,
        problem: `got ${entry.maxNodes}, outside pool ${q(pool.name)}'s min ${pool.min} and max ${pool.max}`,
        allowed: `${pool.min} to ${pool.max}, or leave it out to use the pool's max`,
      });
    }
  });
  const cheapest = Math.min(...buffers.pools.map((e) => e.hourlyCost));
  if (buffers.maxHourlyCost !== undefined && buffers.maxHourlyCost < cheapest) {
    report({
      path: ['buffers', 'maxHourlyCost'],
      input: buffers.maxHourlyCost,
      problem: `got ${buffers.maxHourlyCost}, less than one node of the cheapest buffer pool (${cheapest} an hour): no scale-up could ever happen`,
      allowed: `at least ${cheapest}, or leave it out for no cap`,
    });
  }
  if (buffers.batchIdleSeconds > buffers.batchMaxSeconds) {
    report({ path: ['buffers', 'batchIdleSeconds'], input: buffers.batchIdleSeconds, allowed: `at most batchMaxSeconds (${buffers.batchMaxSeconds})` });
  }
}

function q(s: string): string {
  return JSON.stringify(s);
}

function alternatives(values: readonly string[]): string {
  return values.length === 0 ? '(no pool shepherd can grow)' : values.map(q).join(' | ');
}
