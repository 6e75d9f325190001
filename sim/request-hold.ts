import type { Clock } from './clock.js';

/**
 * The simulated clock held for one request a server serves, from its arrival to its answer: no virtual time passes
 * while it is worked on or while its answer travels back.
 *
 * A request that waits on something parked on the clock (a latency fault, a long poll, another function's invocation)
 * must let time move, and its caller holds the clock too while it waits for the answer (a Lambda invocation holds it
 * for its whole run). So while it waits it counts for neither: it gives up its own hold and lends its caller's
 * (Clock.lend). Every server does it through `parked`, so that a chain of callers waiting on each other (a function
 * invoking another through the Lambda API, which waits on a cloud) leaves only the innermost one holding the clock.
 */
export class RequestHold {
  private release?: () => void;
  private giveBack?: () => void;
  private ended = false;

  constructor(private readonly clock: Clock) {
    this.release = clock.hold();
  }

  /** Waits for `waiting` as idle (own hold given up, the caller's lent), then holds again unless the request ended. */
  async parked<T>(waiting: Promise<T>): Promise<T> {
    this.drop();
    const giveBack = this.clock.lend();
    this.giveBack = giveBack;
    try {
      return await waiting;
    } finally {
      // Held again before the caller's lend is returned: no gap in which time could jump under the answer.
      if (!this.ended) this.release = this.clock.hold();
      giveBack();
    }
  }

  /** The request was answered or dropped (its caller no longer waits on it): it holds and lends nothing from now on. */
  end(): void {
    this.ended = true;
    this.drop();
    this.giveBack?.();
  }

  private drop(): void {
    this.release?.();
    this.release = undefined;
  }
}
