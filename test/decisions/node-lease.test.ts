import { describe, expect, it } from 'vitest';
import { executionName, leaseAvailability, leaseRequest, type NodeLease } from '../../functions/decisions/node-lease.js';
import { InvalidInputError } from '../../functions/runtime/errors.js';

const A = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-a';
const B = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-b';

const held = (over: Partial<NodeLease> = {}): NodeLease => ({
  node: 'ip-10-0-1-5',
  owner: A,
  leaseExpiresAt: 1_000,
  acquiredAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('Function: leaseAvailability', () => {
  it('is free when no lease exists', () => {
    expect(leaseAvailability(undefined, B, 500)).toEqual({ free: true, why: 'none' });
  });

  it('is free when the lease was released, even before its expiry', () => {
    expect(leaseAvailability(held({ owner: undefined, releasedBy: A }), B, 500)).toEqual({ free: true, why: 'released' });
  });

  it('is free again for the execution that holds it (a retried step)', () => {
    expect(leaseAvailability(held(), A, 500)).toEqual({ free: true, why: 'own' });
  });

  it('is not free for another execution while it runs, and names the holder and how long it still runs', () => {
    expect(leaseAvailability(held(), B, 940)).toEqual({
      free: false,
      holder: A,
      leaseExpiresAt: 1_000,
      reason: 'node ip-10-0-1-5 is being healed by execution heal-a (lease expires in 60 s)',
    });
  });

  it('is free from the second it expires on (a crashed heal blocks the node only until then)', () => {
    expect(leaseAvailability(held(), B, 999).free).toBe(false);
    expect(leaseAvailability(held(), B, 1_000)).toEqual({ free: true, why: 'expired' });
    expect(leaseAvailability(held(), B, 5_000)).toEqual({ free: true, why: 'expired' });
  });
});

describe('Function: leaseRequest', () => {
  it('accepts a node name, an execution ARN and a whole number of seconds', () => {
    expect(leaseRequest({ node: 'ip-10-0-1-5.eu-west-3.compute.internal', owner: A, ttlSeconds: 3600 }, true)).toEqual({
      node: 'ip-10-0-1-5.eu-west-3.compute.internal',
      owner: A,
      ttlSeconds: 3600,
    });
  });

  it('needs no ttlSeconds to release', () => {
    expect(leaseRequest({ node: 'nuc-1', owner: A }, false)).toEqual({ node: 'nuc-1', owner: A, ttlSeconds: 0 });
  });

  it.each([
    [{ owner: A, ttlSeconds: 60 }, /^node must be a Kubernetes node name .*got nothing$/],
    [{ node: 'Bad_Name', owner: A, ttlSeconds: 60 }, /^node must be .*got "Bad_Name"$/],
    [{ node: 'n'.repeat(254), owner: A, ttlSeconds: 60 }, /^node must be /],
    [{ node: 'nuc-1', owner: 42, ttlSeconds: 60 }, /^owner must be the execution's ARN .*got 42$/],
    [{ node: 'nuc-1', owner: ' ', ttlSeconds: 60 }, /^owner must be /],
    [{ node: 'nuc-1', owner: A }, /^ttlSeconds must be a whole number of seconds from 1 to 86400, got nothing$/],
    [{ node: 'nuc-1', owner: A, ttlSeconds: '60' }, /^ttlSeconds must be .*got "60"$/],
    [{ node: 'nuc-1', owner: A, ttlSeconds: 0 }, /^ttlSeconds must be /],
    [{ node: 'nuc-1', owner: A, ttlSeconds: 1.5 }, /^ttlSeconds must be /],
    [{ node: 'nuc-1', owner: A, ttlSeconds: 86_401 }, /^ttlSeconds must be /],
  ])('refuses %j with an InvalidInputError naming the field', (input, message) => {
    const attempt = () => leaseRequest(input, true);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(message);
  });
});

describe('Function: executionName', () => {
  it("is the last part of an execution's ARN, and any other owner as it is", () => {
    expect(executionName(A)).toBe('heal-a');
    expect(executionName('someone')).toBe('someone');
  });
});
