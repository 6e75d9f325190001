import type { CheckState } from './types.js';

/**
 * Ejection backoff for a target that keeps falling (issue 10: a flapping node must not churn the records). The fast
 * re-checks (recheck.ts) drop a failing target within seconds, and `rise` passes bring it back: a node that flaps
 * every 20 s would leave and return every 40 s. Envoy's outlier detection answers this with an ejection time of
 * `base_ejection_time x number of ejections`, capped by `max_ejection_time` (300 s by default), the count decreasing
 * while the host stays in ("Outlier detection", Envoy docs). The same rule in checks rather than seconds: a target
 * that fell N times, each fall within QUIET_PERIOD_MS of the one before, comes back after `rise x N` consecutive
 * passes, N capped at MAX_EJECTION_FACTOR. A fall after a quiet period counts as the first again, and a target whose
 * last fall is a quiet period old needs only `rise` (a node down for long is not flapping).
 */

/** At most this many times `rise` passes: rise 2 at a 10 s interval keeps a flapping node out for 80 s of passes. */
export const MAX_EJECTION_FACTOR = 4;
/** Envoy's max_ejection_time default (300 s): falls further apart than this are not one run of flapping. */
export const QUIET_PERIOD_MS = 300_000;

/** The ejection count after a target fell at `now`: one more than before if its last fall was recent, else 1. */
export function ejectionsAfterFall(previous: Pick<CheckState, 'ejections' | 'fellAt'>, now: string): number {
  if (!isRecent(previous.fellAt, now)) return 1;
  return Math.min((previous.ejections ?? 0) + 1, MAX_EJECTION_FACTOR);
}

/** Consecutive passes an unhealthy target needs at `now` to come back: rise, times its recent ejection count. */
export function risePassesNeeded(state: Pick<CheckState, 'ejections' | 'fellAt'>, rise: number, now: string): number {
  if (!isRecent(state.fellAt, now)) return rise;
  return rise * Math.min(Math.max(state.ejections ?? 1, 1), MAX_EJECTION_FACTOR);
}

function isRecent(at: string | undefined, now: string): boolean {
  const age = Date.parse(now) - Date.parse(at ?? '');
  return age >= 0 && age < QUIET_PERIOD_MS;
}
