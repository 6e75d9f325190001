import { describe, expect, it } from 'vitest';
import { healTakesNodeAway } from '../../../functions/decisions/dns/heal-gate.js';

describe('Function: healTakesNodeAway', () => {
  const healSince = '2026-01-01T00:06:05.000Z';

  it('a node that turned Ready after the heal took its lease has recovered: the heal does not take it away', () => {
    expect(healTakesNodeAway({ ready: 'True', readySince: '2026-01-01T00:06:34Z' }, healSince)).toBe(false);
  });

  it('a node Ready since before the heal started (a heal by hand of a Ready node) is taken away', () => {
    expect(healTakesNodeAway({ ready: 'True', readySince: '2026-01-01T00:00:15Z' }, healSince)).toBe(true);
  });

  it('a node that is not Ready, or that says nothing of when it turned Ready, is taken away', () => {
    expect(healTakesNodeAway({ ready: 'Unknown', readySince: '2026-01-01T00:07:00Z' }, healSince)).toBe(true);
    expect(healTakesNodeAway({ ready: 'True' }, healSince)).toBe(true);
    expect(healTakesNodeAway({ ready: 'True', readySince: 'not a time' }, healSince)).toBe(true);
  });

  it('a lease with no start time is taken as a heal in progress', () => {
    expect(healTakesNodeAway({ ready: 'True', readySince: '2026-01-01T00:06:34Z' }, undefined)).toBe(true);
  });
});
