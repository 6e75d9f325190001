import type { CheckState } from './types.js';

/**
 * A target never checked before starts as it is published: healthy when its address is in the records already (so
 * the first run after a deploy changes nothing), unhealthy otherwise (a new target must pass `rise` checks first).
 */
export function initialCheckState(published: boolean): CheckState {
  return { healthy: published, passes: 0, failures: 0 };
}

/**
 * The state after one more check, HAProxy-style: a healthy target turns unhealthy after `fall` consecutive failures,
 * an unhealthy one healthy after `rise` consecutive passes; anything in between keeps its health.
 */
export function nextCheckState(previous: CheckState, passed: boolean, limits: { fall: number; rise: number }): CheckState {
  if (passed) {
    const passes = previous.passes + 1;
    return { healthy: previous.healthy || passes >= limits.rise, passes, failures: 0 };
  }
  const failures = previous.failures + 1;
  return { healthy: previous.healthy && failures < limits.fall, passes: 0, failures };
}
