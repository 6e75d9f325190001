/** One entry of a state's Retry field. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** Errors no Retry or Catch can match, not even States.ALL. */
const TERMINAL_ERRORS = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/** Whether an ErrorEquals list matches an error raised by a Task state. */
export function errorMatches(errorEquals: string[], errorName: string): boolean {
  if (TERMINAL_ERRORS.has(errorName)) return false;
  return errorEquals.some((e) => e === errorName || e === 'States.ALL' || (e === 'States.TaskFailed' && errorName !== 'States.Timeout'));
}

/**
 * The Retry field of one Task state, for one entry into the state: the first retrier whose
 * ErrorEquals matches decides; once its MaxAttempts are used up the error is not retried.
 */
export class RetryPolicy {
  private readonly attempts: number[];

  constructor(
    private readonly retriers: Retrier[],
    private readonly random: () => number,
  ) {
    this.attempts = retriers.map(() => 0);
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is not retried. */
  nextDelayMs(errorName: string): number | undefined {
    for (let i = 0; i < this.retriers.length; i++) {
      const r = this.retriers[i];
      if (!errorMatches(r.ErrorEquals, errorName)) continue;
      if (this.attempts[i] >= (r.MaxAttempts ?? 3)) return undefined;
      let seconds = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** this.attempts[i];
      if (r.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, r.MaxDelaySeconds);
      if (r.JitterStrategy === 'FULL') seconds *= this.random();
      this.attempts[i]++;
      return Math.round(seconds * 1000);
    }
    return undefined;
  }
}
