import dc from 'node:diagnostics_channel';
import type { Clock } from '../sim/clock.js';

/**
 * An outbound call unanswered after this much real time is taken to be waiting on the simulated
 * clock (a server's latency or timeout fault), so the invocation stops holding the clock.
 * Fast loopback answers never reach it, so no simulated time passes while a function works.
 */
const IO_GRACE_MS = 20;

/** Invocations that currently let the clock move because they wait on a server. */
const waitingOnServers = new Set<InvocationHold>();
let watchingServers = false;

/**
 * Holds the simulated clock for one Lambda invocation, except while the function has only been
 * waiting on outbound calls for more than IO_GRACE_MS. When any HTTP server of this process
 * finishes a response, waiting invocations take the clock back at once: the answer may be theirs,
 * and time must not move while it travels to the function (which then reports its calls done, or
 * lets go again after the grace period if it is still waiting).
 */
export class InvocationHold {
  private release?: () => void;
  private graceTimer?: NodeJS.Timeout;
  private waitingOnIo = false;
  private ended = false;

  constructor(private readonly clock: Clock) {
    this.release = clock.hold();
  }

  /** The function's outbound calls: some in flight (true) or none (false). */
  io(busy: boolean): void {
    if (this.ended) return;
    this.waitingOnIo = busy;
    if (busy) {
      this.armGrace();
      return;
    }
    this.disarmGrace();
    this.takeBack();
  }

  end(): void {
    this.ended = true;
    this.disarmGrace();
    waitingOnServers.delete(this);
    this.release?.();
    this.release = undefined;
  }

  private serverAnswered(): void {
    this.takeBack();
    this.armGrace();
  }

  private takeBack(): void {
    waitingOnServers.delete(this);
    this.release ??= this.clock.hold();
  }

  private armGrace(): void {
    this.graceTimer ??= setTimeout(() => {
      this.graceTimer = undefined;
      if (!this.waitingOnIo || this.ended || !this.release) return;
      this.release();
      this.release = undefined;
      waitingOnServers.add(this);
      watchServers();
    }, IO_GRACE_MS);
  }

  private disarmGrace(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  static onServerResponse(): void {
    for (const hold of [...waitingOnServers]) hold.serverAnswered();
  }
}

function watchServers(): void {
  if (watchingServers) return;
  watchingServers = true;
  dc.subscribe('http.server.response.finish', InvocationHold.onServerResponse);
}
