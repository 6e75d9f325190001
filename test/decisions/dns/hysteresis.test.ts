import { describe, expect, it } from 'vitest';
import { initialCheckState, isUndecided, nextCheckState, undecidedCheckState } from '../../../functions/decisions/dns/hysteresis.js';
import type { CheckState, TargetCheckState } from '../../../functions/decisions/dns/types.js';

const limits = { fall: 3, rise: 2 };
function run(start: CheckState, results: boolean[], bounds = limits): CheckState[] {
  const states: CheckState[] = [];
  for (const passed of results) states.push(nextCheckState(states.at(-1) ?? start, passed, bounds));
  return states;
}

describe('Function: nextCheckState', () => {
  it('drops a healthy target only after fall consecutive failures', () => {
    const states = run(initialCheckState(true), [false, false, true, false, false, false]);
    expect(states.map((s) => s.healthy)).toEqual([true, true, true, true, true, false]);
  });

  it('takes back an unhealthy target only after rise consecutive passes', () => {
    const states = run(initialCheckState(false), [true, false, true, true]);
    expect(states.map((s) => s.healthy)).toEqual([false, false, false, true]);
  });

  it('a node flapping every check never changes its health (fall 3, rise 2)', () => {
    const flapping = Array.from({ length: 20 }, (_, i) => i % 2 === 0);
    expect(new Set(run(initialCheckState(true), flapping).map((s) => s.healthy))).toEqual(new Set([true]));
    expect(new Set(run(initialCheckState(false), flapping).map((s) => s.healthy))).toEqual(new Set([false]));
  });

  it('starts a published target healthy and a new one unhealthy', () => {
    expect(initialCheckState(true)).toEqual({ healthy: true, passes: 0, failures: 0 });
    expect(initialCheckState(false).healthy).toBe(false);
  });

  it('with fall 1 and rise 1 follows every check', () => {
    const states = run(initialCheckState(true), [true, false, true], { fall: 1, rise: 1 });
    expect(states.map((s) => s.healthy)).toEqual([true, false, true]);
  });
});

describe('Function: nextCheckState (an undecided target)', () => {
  const health = (s: TargetCheckState) => (isUndecided(s) ? 'undecided' : s.healthy ? 'healthy' : 'unhealthy');
  function runUndecided(results: boolean[], bounds = limits): string[] {
    let state: TargetCheckState = undecidedCheckState();
    return results.map((passed) => {
      state = nextCheckState(state, passed, bounds);
      return health(state);
    });
  }

  it('is decided healthy after rise consecutive passes', () => {
    expect(runUndecided([true, true])).toEqual(['undecided', 'healthy']);
  });

  it('is decided unhealthy after fall consecutive failures, never healthy on the way', () => {
    expect(runUndecided([false, false, false])).toEqual(['undecided', 'undecided', 'unhealthy']);
  });

  it('needs its passes (or failures) in a row', () => {
    expect(runUndecided([true, false, true, false, false, true, true])).toEqual([
      'undecided',
      'undecided',
      'undecided',
      'undecided',
      'undecided',
      'undecided',
      'healthy',
    ]);
  });

  it('with rise 1 and fall 1 is decided by its first check', () => {
    expect(runUndecided([true], { fall: 1, rise: 1 })).toEqual(['healthy']);
    expect(runUndecided([false], { fall: 1, rise: 1 })).toEqual(['unhealthy']);
  });
});
