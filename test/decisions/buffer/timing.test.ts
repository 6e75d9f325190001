import { describe, expect, it } from 'vitest';
import { BACKOFF_RESET_SECONDS, backoffAfterFailure, outOfCapacityUntil } from '../../../functions/decisions/buffer/backoff.js';
import { InvalidTargetError, isInvalidTargetError, targetChanges } from '../../../functions/decisions/buffer/targets.js';
import { at, NOW, pool } from './fixtures.js';

const policy = { backoffSeconds: 300, maxBackoffSeconds: 1800 };

describe('Function: backoffAfterFailure', () => {
  it('skips a failed pool 5, 10, 20, then at most 30 min, as Cluster Autoscaler', () => {
    let backoff = backoffAfterFailure(undefined, NOW, policy);
    const minutes: number[] = [];
    for (let i = 0; i < 5; i++) {
      minutes.push((Date.parse(backoff.backedOffUntil) - Date.parse(backoff.lastFailureAt)) / 60_000);
      backoff = backoffAfterFailure(backoff, backoff.backedOffUntil, policy);
    }
    expect(minutes).toEqual([5, 10, 20, 30, 30]);
  });

  it('starts again from 5 min when the last failure is older than the reset timeout', () => {
    const old = backoffAfterFailure(backoffAfterFailure(undefined, NOW, policy), at(600), policy);
    expect(old.failures).toBe(2);
    const later = backoffAfterFailure(old, at(600 + BACKOFF_RESET_SECONDS + 1), policy);
    expect(later.failures).toBe(1);
    expect(Date.parse(later.backedOffUntil) - Date.parse(later.lastFailureAt)).toBe(300_000);
  });
});

describe('Function: outOfCapacityUntil', () => {
  it('remembers no capacity for the cache time (Karpenter 3 min)', () => {
    expect(outOfCapacityUntil(NOW, 180)).toBe(at(180));
  });
});

describe('Function: targetChanges', () => {
  const pools = [pool('scw-buffer', 4, 16, { size: 1, min: 1, maxNodes: 3 }), pool('gcp-amd64', 4, 16, { size: 2, maxNodesFrom: 'buffers.pools[].maxNodes' })];

  it('gives the nodes to add or remove per pool, leaving out pools already at their target', () => {
    expect(
      targetChanges(
        [
          { pool: 'scw-buffer', size: 3 },
          { pool: 'gcp-amd64', size: 2 },
        ],
        pools,
      ),
    ).toEqual([{ pool: 'scw-buffer', from: 1, to: 3, delta: 2 }]);
    expect(targetChanges([{ pool: 'gcp-amd64', size: 0 }], pools)).toEqual([{ pool: 'gcp-amd64', from: 2, to: 0, delta: -2 }]);
  });

  it('refuses the whole request, naming every problem: a size outside min..max, a pool that is not a buffer', () => {
    let caught: unknown;
    try {
      targetChanges(
        [
          { pool: 'scw-buffer', size: 0 },
          { pool: 'aws-amd64', size: 1 },
          { pool: 'gcp-amd64', size: 6 },
        ],
        pools,
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidTargetError);
    expect(isInvalidTargetError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'Refused the target sizes: scw-buffer may have 1 to 3 nodes (pools[].min to pools[].max), asked for 0; aws-amd64 is not a buffer pool (buffer pools: scw-buffer, gcp-amd64); gcp-amd64 may have 0 to 5 nodes (pools[].min to buffers.pools[].maxNodes), asked for 6.',
    );
  });
});
