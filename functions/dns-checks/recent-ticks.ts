import type { CheckTick } from '../decisions/dns/check-ticks.js';

/** How many ticks an execution environment remembers: more than a batch, so a late copy is still known. */
const REMEMBERED = 32;

/**
 * The ticks one execution environment ran lately (a warm Lambda keeps module state between invocations). It drops a
 * copy of a tick for free when SQS hands the copy to the environment that ran the original; a copy that reaches
 * another environment is not seen here.
 */
export class RecentTicks {
  private readonly keys: string[] = [];

  /** Remembers `tick`; false when it was already there. */
  add(tick: CheckTick): boolean {
    const key = `${tick.generation}/${tick.seq}`;
    if (this.keys.includes(key)) return false;
    this.keys.push(key);
    if (this.keys.length > REMEMBERED) this.keys.shift();
    return true;
  }
}
