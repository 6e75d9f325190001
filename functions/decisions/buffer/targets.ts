import type { BufferPoolView } from './types.js';

/** A manual start's wish for one pool: the number of nodes it should have. */
export interface PoolTarget {
  pool: string;
  size: number;
}

export interface TargetChange {
  pool: string;
  from: number;
  to: number;
  /** Nodes to add (> 0) or remove (< 0). */
  delta: number;
}

export class InvalidTargetError extends Error {
  override readonly name = 'InvalidTargetError';
}

export function isInvalidTargetError(err: unknown): err is InvalidTargetError {
  return err instanceof Error && err.name === 'InvalidTargetError';
}

/**
 * What a manual start (`shepherd start scale-buffer` with a target size per pool) changes. A target outside the
 * pool's min..maxNodes, or naming a pool that is not a buffer pool, is refused whole with one message that lists
 * every problem: nothing is half done. Targets equal to the size change nothing and are left out.
 */
export function targetChanges(targets: PoolTarget[], pools: BufferPoolView[]): TargetChange[] {
  const problems: string[] = [];
  const changes: TargetChange[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const pool = pools.find((p) => p.pool === target.pool);
    if (!pool) {
      problems.push(`${target.pool} is not a buffer pool (buffer pools: ${pools.map((p) => p.pool).join(', ') || 'none'})`);
      continue;
    }
    if (seen.has(target.pool)) problems.push(`${target.pool} has two targets`);
    seen.add(target.pool);
    if (!Number.isInteger(target.size) || target.size < pool.min || target.size > pool.maxNodes) {
      // Where the bounds come from, so the user knows which setting to change.
      const bounds = `pools[].min to ${pool.maxNodesFrom ?? 'pools[].max'}`;
      problems.push(`${target.pool} may have ${pool.min} to ${pool.maxNodes} nodes (${bounds}), asked for ${target.size}`);
      continue;
    }
    if (target.size !== pool.size) changes.push({ pool: pool.pool, from: pool.size, to: target.size, delta: target.size - pool.size });
  }
  if (problems.length > 0) throw new InvalidTargetError(`Refused the target sizes: ${problems.join('; ')}.`);
  return changes;
}
