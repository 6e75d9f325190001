import type { Clock } from '../../sim/index.js';

/**
 * Keeps virtual time still while an execution is doing work. Work is counted (Parallel and Map
 * branches run side by side); when none is left the clock is released one macrotask later, so
 * that the state machine's own promise chain between two states (microtasks) never lets time move.
 */
export class ClockActivity {
  private working = 0;
  private release?: () => void;

  constructor(private readonly clock: Clock) {}

  enter(): void {
    this.working++;
    this.release ??= this.clock.hold();
  }

  leave(): void {
    this.working--;
    if (this.working > 0) return;
    setImmediate(() => {
      if (this.working > 0 || !this.release) return;
      const release = this.release;
      this.release = undefined;
      release();
    });
  }

  /** Runs fn as work. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  /** Awaits something that is not this execution's work (a sleep on the clock, a Lambda that holds the clock itself). */
  async idleWhile<T>(waiting: Promise<T>): Promise<T> {
    this.leave();
    try {
      return await waiting;
    } finally {
      this.enter();
    }
  }
}

/** Sleeps on the simulated clock; an abort ends the sleep early (and cancels the timer). */
export function sleepOnClock(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimer(
      ms,
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      'state machine sleep',
    );
    const onAbort = () => {
      clock.cancel(timer);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
