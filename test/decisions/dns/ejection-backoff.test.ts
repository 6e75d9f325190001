import { describe, expect, it } from 'vitest';
import { ejectionsAfterFall, MAX_EJECTION_FACTOR, QUIET_PERIOD_MS, risePassesNeeded } from '../../../functions/decisions/dns/ejection-backoff.js';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('Function: ejectionsAfterFall', () => {
  it('a first fall counts 1', () => {
    expect(ejectionsAfterFall({}, at(0))).toBe(1);
  });

  it('a fall within the quiet period of the last one counts one more, capped', () => {
    expect(ejectionsAfterFall({ ejections: 1, fellAt: at(0) }, at(40_000))).toBe(2);
    expect(ejectionsAfterFall({ ejections: 2, fellAt: at(0) }, at(QUIET_PERIOD_MS - 1))).toBe(3);
    expect(ejectionsAfterFall({ ejections: MAX_EJECTION_FACTOR, fellAt: at(0) }, at(1_000))).toBe(MAX_EJECTION_FACTOR);
  });

  it('a fall a quiet period after the last one counts as the first again', () => {
    expect(ejectionsAfterFall({ ejections: 3, fellAt: at(0) }, at(QUIET_PERIOD_MS))).toBe(1);
  });

  it('an unreadable or future fall time counts as no recent fall', () => {
    expect(ejectionsAfterFall({ ejections: 3, fellAt: 'garbage' }, at(0))).toBe(1);
    expect(ejectionsAfterFall({ ejections: 3, fellAt: at(60_000) }, at(0))).toBe(1);
  });
});

describe('Function: risePassesNeeded', () => {
  it('rise for a target that never fell or fell once', () => {
    expect(risePassesNeeded({}, 2, at(0))).toBe(2);
    expect(risePassesNeeded({ ejections: 1, fellAt: at(0) }, 2, at(10_000))).toBe(2);
  });

  it('rise times the recent ejections, at most MAX_EJECTION_FACTOR times', () => {
    expect(risePassesNeeded({ ejections: 2, fellAt: at(0) }, 2, at(10_000))).toBe(4);
    expect(risePassesNeeded({ ejections: 3, fellAt: at(0) }, 3, at(10_000))).toBe(9);
    expect(risePassesNeeded({ ejections: 99, fellAt: at(0) }, 2, at(10_000))).toBe(2 * MAX_EJECTION_FACTOR);
  });

  it('back to rise once the last fall is a quiet period old: a node down for long is not flapping', () => {
    expect(risePassesNeeded({ ejections: 3, fellAt: at(0) }, 2, at(QUIET_PERIOD_MS))).toBe(2);
  });
});
