import { describe, expect, it } from 'vitest';
import type { StoredCheckState } from '../../../functions/decisions/dns/check-round.js';
import { isFalling, parseRecheck, type RecheckMessage, recheckDue, recheckTargets } from '../../../functions/decisions/dns/recheck.js';

const FALL = 3;
const state = (s: Partial<StoredCheckState> & ({ healthy: boolean } | { undecided: true }), checkedAt = 't1'): StoredCheckState =>
  ({ passes: 0, failures: 0, detail: '', checkedAt, nodeName: 'home-1', ...s }) as StoredCheckState;

describe('Function: isFalling', () => {
  it('a healthy or undecided target with 1 to fall - 1 failures is on its way down', () => {
    expect(isFalling({ healthy: true, passes: 0, failures: 1 }, FALL)).toBe(true);
    expect(isFalling({ healthy: true, passes: 0, failures: 2 }, FALL)).toBe(true);
    expect(isFalling({ undecided: true, passes: 0, failures: 1 }, FALL)).toBe(true);
  });

  it('a passing, fallen or unhealthy target is not', () => {
    expect(isFalling({ healthy: true, passes: 2, failures: 0 }, FALL)).toBe(false);
    expect(isFalling({ healthy: false, passes: 0, failures: 3 }, FALL)).toBe(false);
    expect(isFalling({ healthy: false, passes: 1, failures: 0 }, FALL)).toBe(false);
    expect(isFalling({ healthy: true, passes: 0, failures: 3 }, FALL)).toBe(false);
    expect(isFalling({ undecided: true, passes: 1, failures: 0 }, FALL)).toBe(false);
  });

  it('with fall 1 nothing is ever in between', () => {
    expect(isFalling({ healthy: true, passes: 0, failures: 1 }, 1)).toBe(false);
  });
});

describe('Function: recheckDue', () => {
  it('names the falling targets written, each with the state it follows, after the fast interval', () => {
    const writes = [
      { address: '203.0.113.10', state: state({ healthy: true, failures: 1 }, 'a') },
      { address: '203.0.113.11', state: state({ healthy: true, passes: 2 }, 'b') },
      { address: '203.0.113.12', state: state({ undecided: true, failures: 2 }, 'c') },
      { address: '203.0.113.13', state: state({ healthy: false, failures: 3 }, 'd') },
    ];
    expect(recheckDue(writes, FALL, 2)).toEqual({
      delaySeconds: 2,
      targets: [
        { address: '203.0.113.10', after: 'a' },
        { address: '203.0.113.12', after: 'c' },
      ],
    });
  });

  it('none when no written target is falling', () => {
    expect(recheckDue([{ address: '203.0.113.11', state: state({ healthy: true, passes: 2 }) }], FALL, 2)).toBeUndefined();
    expect(recheckDue([], FALL, 2)).toBeUndefined();
  });
});

describe('Function: recheckTargets', () => {
  const message: RecheckMessage = {
    kind: 'recheck',
    generation: 'g1',
    entrypoint: 'www',
    targets: [
      { address: '203.0.113.10', after: 't1' },
      { address: '203.0.113.11', after: 't1' },
      { address: '203.0.113.12', after: 't1' },
      { address: '203.0.113.13', after: 't1' },
    ],
  };

  it('probes only the targets whose stored state is the one it follows and still falling', () => {
    const stored = new Map<string, StoredCheckState>([
      ['203.0.113.10', state({ healthy: true, failures: 1 }, 't1')],
      // a copy of this re-check or a round folded a probe since
      ['203.0.113.11', state({ healthy: true, failures: 2 }, 't2')],
      // recovered (and written at the same time, which a real write never is: the rule reads the counters too)
      ['203.0.113.12', state({ healthy: true, passes: 1 }, 't1')],
      // 203.0.113.13: no longer stored
    ]);
    expect(recheckTargets(message, stored, FALL)).toEqual([{ address: '203.0.113.10', after: 't1', nodeName: 'home-1' }]);
  });

  it('nothing when every target was overtaken', () => {
    expect(recheckTargets(message, new Map(), FALL)).toEqual([]);
  });
});

describe('Function: parseRecheck', () => {
  it('reads a re-check back from its body', () => {
    const message: RecheckMessage = { kind: 'recheck', generation: 'g1', entrypoint: 'www', targets: [{ address: '203.0.113.10', after: 't1' }] };
    expect(parseRecheck(JSON.stringify(message))).toEqual(message);
  });

  it('a tick, garbage or a re-check without targets is not one', () => {
    expect(parseRecheck(JSON.stringify({ generation: 'g1', seq: 4 }))).toBeUndefined();
    expect(parseRecheck('not json')).toBeUndefined();
    expect(parseRecheck(JSON.stringify({ kind: 'recheck', generation: 'g1', entrypoint: 'www', targets: [] }))).toBeUndefined();
    expect(parseRecheck(JSON.stringify({ kind: 'recheck', generation: '', entrypoint: 'www', targets: [{ address: 'a', after: 't' }] }))).toBeUndefined();
    expect(parseRecheck(JSON.stringify({ kind: 'recheck', generation: 'g1', entrypoint: 'www', targets: [{ address: 'a' }] }))).toBeUndefined();
  });
});
