import { describe, expect, it } from 'vitest';
import { checkFreeCapacity, claimsOfOthers, type PoolClaims } from '../../../functions/decisions/pool-capacity.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

const NOW = 1_800_000_000;
const request = (count: number, max = 3, prefix = 'mine') => ({ pool: 'gcp-amd64', max, claimIds: Array.from({ length: count }, (_, i) => `${prefix}-${i}`) });
const claims = (counted: string[], expiries: Record<string, number> = {}): PoolClaims => ({ counted, expiries });

function refusal(run: () => void): InvalidInputError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as InvalidInputError;
  }
  throw new Error('checkFreeCapacity accepted the request');
}

describe('Function: claimsOfOthers', () => {
  it('counts the claims in the counter that are neither expired nor the request’s own', () => {
    const held = claims(['a', 'b', 'mine-0', 'old'], { b: NOW + 60, old: NOW - 1 });
    expect(claimsOfOthers(request(2), held, NOW)).toBe(2);
  });

  it('counts nothing for a pool never claimed', () => {
    expect(claimsOfOthers(request(1), claims([]), NOW)).toBe(0);
  });
});

describe('Function: checkFreeCapacity', () => {
  it('refuses a count above the free capacity with one sentence that says how much is free and what to do', () => {
    const err = refusal(() => checkFreeCapacity(request(3), claims(['a', 'b']), NOW));
    expect(err.message).toBe('pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3. Lower count, raise pools[].max, or remove a node.');
    expect(err.message).not.toContain('{');
  });

  it('accepts a count that fits exactly', () => {
    expect(() => checkFreeCapacity(request(1), claims(['a', 'b']), NOW)).not.toThrow();
  });

  it('does not hold against a replay its own counted claims (same requestId: node reused or still in progress)', () => {
    // All three of the request's claims are counted already: a replay asks for no more room.
    expect(() => checkFreeCapacity(request(3), claims(['mine-0', 'mine-1', 'mine-2']), NOW)).not.toThrow();
    // Two of them counted, one other claim: 1 + 3 = 4 > 3 would be refused if its own were counted twice.
    expect(() => checkFreeCapacity(request(2), claims(['mine-0', 'mine-1', 'other']), NOW)).not.toThrow();
    const err = refusal(() => checkFreeCapacity(request(3), claims(['mine-0', 'other']), NOW));
    expect(err.message).toContain('has 2 of its 3 nodes free (1 claimed); asked for 3.');
  });

  it('gives expired claims’ room to the request, as the claim step does', () => {
    expect(() => checkFreeCapacity(request(3), claims(['a', 'b'], { a: NOW - 10, b: NOW }), NOW)).not.toThrow();
    expect(() => checkFreeCapacity(request(3), claims(['a', 'b'], { a: NOW - 10, b: NOW + 1 }), NOW)).toThrow(InvalidInputError);
  });

  it('says 0 free, not a negative number, when the pool holds more than a lowered max', () => {
    const err = refusal(() => checkFreeCapacity(request(1, 2), claims(['a', 'b', 'c']), NOW));
    expect(err.message).toContain('has 0 of its 2 nodes free (3 claimed); asked for 1.');
  });
});
