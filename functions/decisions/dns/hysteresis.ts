import type { CheckState, TargetCheckState, UndecidedCheckState } from './types.js';

/**
 * What DnsFailover counts for a target the check runner has not decided (no state, or an undecided one): healthy when
 * its address is in the records already (so the first run after a deploy changes nothing), unhealthy otherwise (a new
 * target joins when the runner decides it healthy, after `rise` passes, and publishes that flip).
 */
export function initialCheckState(published: boolean): CheckState {
  return { healthy: published, passes: 0, failures: 0 };
}

/** A target never checked: neither healthy nor unhealthy until `rise` passes or `fall` failures (types.ts). */
export function undecidedCheckState(): UndecidedCheckState {
  return { undecided: true, passes: 0, failures: 0 };
}

export function isUndecided(state: TargetCheckState): state is UndecidedCheckState {
  return 'undecided' in state && state.undecided === true;
}

/**
 * The state after one more check, HAProxy-style: a healthy target turns unhealthy after `fall` consecutive failures,
 * an unhealthy one healthy after `rise` consecutive passes; anything in between keeps its health. An undecided target
 * becomes healthy after `rise` consecutive passes or unhealthy after `fall` consecutive failures.
 */
export function nextCheckState(previous: CheckState, passed: boolean, limits: { fall: number; rise: number }): CheckState;
export function nextCheckState(previous: TargetCheckState, passed: boolean, limits: { fall: number; rise: number }): TargetCheckState;
export function nextCheckState(previous: TargetCheckState, passed: boolean, limits: { fall: number; rise: number }): TargetCheckState {
  if (isUndecided(previous)) {
    if (passed) {
      const passes = previous.passes + 1;
      return passes >= limits.rise ? { healthy: true, passes, failures: 0 } : { undecided: true, passes, failures: 0 };
    }
    const failures = previous.failures + 1;
    return failures >= limits.fall ? { healthy: false, passes: 0, failures } : { undecided: true, passes: 0, failures };
  }
  if (passed) {
    const passes = previous.passes + 1;
    return { healthy: previous.healthy || passes >= limits.rise, passes, failures: 0 };
  }
  const failures = previous.failures + 1;
  return { healthy: previous.healthy && failures < limits.fall, passes: 0, failures };
}
