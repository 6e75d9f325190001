import type { Clock, Timer } from '../../clock.js';

/** Timers on the simulated clock, at most one per key (a node's grace period, a pod's eviction). */
export class KeyedTimers {
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly clock: Clock) {}

  has(key: string): boolean {
    return this.timers.has(key);
  }

  set(key: string, timer: Timer): void {
    this.timers.set(key, timer);
  }

  /** Forgets a timer that has fired. */
  delete(key: string): void {
    this.timers.delete(key);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) this.clock.cancel(t);
    this.timers.delete(key);
  }
}
