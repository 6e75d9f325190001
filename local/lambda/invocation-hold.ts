import type { Clock } from '../../sim/index.js';

/**
 * Holds the simulated clock for one Lambda invocation, from start to end, so no simulated time
 * passes while a function works or while its request travels to a server. A simulated server that
 * parks the request on the clock (latency or timeout fault, long poll) lends the clock back
 * (Clock.lend), which is what lets time move while the function waits on it.
 */
export class InvocationHold {
  private release?: () => void;

  constructor(clock: Clock) {
    this.release = clock.hold();
  }

  end(): void {
    this.release?.();
    this.release = undefined;
  }
}
