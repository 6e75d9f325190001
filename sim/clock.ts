/**
 * The one clock the simulated world and all its servers share.
 *
 * - `scaled`: simulated time runs at `factor` x real time (a demo a person watches).
 * - `virtual`: simulated time stands still while anything is busy and jumps to the next
 *   timer when nothing is (tests, benchmarks). Busy means: a server request in flight or a
 *   `hold()` taken by an actor (the local control plane holds while a task runs).
 */
export type ClockMode = 'virtual' | 'scaled';

export interface ClockOptions {
  mode?: ClockMode;
  /** Simulated epoch at start, ms. Default 2026-01-01T00:00:00Z so runs are repeatable. */
  startTime?: number;
  /** Scaled mode: simulated ms per real ms. Default 1. */
  factor?: number;
  /** Virtual mode: advance by itself when idle (default true). False: only `advance()` moves time. */
  autoAdvance?: boolean;
}

export interface Timer {
  readonly at: number;
  readonly label: string;
  cancelled: boolean;
}

interface TimerEntry extends Timer {
  seq: number;
  fn: () => void;
  real?: NodeJS.Timeout;
}

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1, 0, 0, 0);

export class Clock {
  readonly mode: ClockMode;
  readonly factor: number;
  private readonly autoAdvance: boolean;
  private virtualNow: number;
  private readonly realStart = Date.now();
  private readonly simStart: number;
  private seq = 0;
  private heap: TimerEntry[] = [];
  private busy = 0;
  private lent = 0;
  private advanceScheduled = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  /** Scaled mode: pauses under way, when the current one began (real ms), and real ms spent paused before it. */
  private pauses = 0;
  private pausedSince = 0;
  private pausedRealMs = 0;
  /** Scaled mode: the timers not yet fired, re-armed after a pause. */
  private readonly scaledTimers = new Set<TimerEntry>();

  constructor(options: ClockOptions = {}) {
    this.mode = options.mode ?? 'virtual';
    this.factor = options.factor ?? 1;
    if (!(this.factor > 0)) throw new RangeError(`clock factor must be > 0, got ${options.factor}`);
    this.simStart = options.startTime ?? DEFAULT_START_TIME;
    this.virtualNow = this.simStart;
    this.autoAdvance = options.autoAdvance ?? true;
  }

  /** Simulated time, epoch ms. */
  now(): number {
    if (this.mode === 'virtual') return this.virtualNow;
    const realNow = this.pauses > 0 ? this.pausedSince : Date.now();
    return Math.floor(this.simStart + (realNow - this.realStart - this.pausedRealMs) * this.factor);
  }

  /** Simulated ms since the clock started. */
  elapsed(): number {
    return this.now() - this.simStart;
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  /** Runs fn after delayMs of simulated time. */
  setTimer(delayMs: number, fn: () => void, label = 'timer'): Timer {
    const entry: TimerEntry = {
      at: this.now() + Math.max(0, delayMs),
      label,
      cancelled: false,
      seq: this.seq++,
      fn,
    };
    if (this.stopped) {
      entry.cancelled = true;
      return entry;
    }
    if (this.mode === 'scaled') {
      this.scaledTimers.add(entry);
      if (this.pauses === 0) this.arm(entry);
      return entry;
    }
    this.push(entry);
    this.kick();
    return entry;
  }

  cancel(timer: Timer | undefined): void {
    if (!timer) return;
    timer.cancelled = true;
    const entry = timer as TimerEntry;
    if (entry.real) clearTimeout(entry.real);
    this.scaledTimers.delete(entry);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve, 'sleep'));
  }

  /** Marks the world busy; virtual time does not move until the returned release is called. */
  hold(): () => void {
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      this.kick();
    };
  }

  /**
   * Stops simulated time until the returned resume is called, in every mode: work that costs no simulated time (a
   * Lambda environment's init) runs meanwhile. Virtual mode: a hold. Scaled mode: the clock stands still and its
   * timers wait, then run on from where they were.
   */
  pause(): () => void {
    if (this.mode === 'virtual') return this.hold();
    if (this.pauses++ === 0) {
      this.pausedSince = Date.now();
      for (const entry of this.scaledTimers) clearTimeout(entry.real);
    }
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.pauses > 0) return;
      this.pausedRealMs += Date.now() - this.pausedSince;
      if (!this.stopped) for (const entry of this.scaledTimers) this.arm(entry);
    };
  }

  /**
   * Said by a server that parks a request on the clock (a latency or timeout fault, a long poll):
   * the actor holding the clock while it waits for that answer counts as idle until the returned
   * function is called. Without it, a caller holding the clock for its whole call would freeze time
   * the server needs to move.
   */
  lend(): () => void {
    this.lent++;
    this.kick();
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.lent--;
    };
  }

  /** Holds the clock for the duration of a promise. */
  async during<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const release = this.hold();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      release();
    }
  }

  /** Number of pending timers (virtual mode). */
  pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /**
   * Virtual mode: moves time forward by ms, firing every timer due on the way, letting the
   * world settle after each. Works with or without autoAdvance.
   */
  async advance(ms: number): Promise<void> {
    if (this.mode !== 'virtual') throw new Error('advance() needs a virtual clock');
    const target = this.virtualNow + ms;
    for (;;) {
      await settle();
      const next = this.peek();
      if (!next || next.at > target) break;
      this.fireNext();
    }
    this.virtualNow = Math.max(this.virtualNow, target);
    await settle();
  }

  /** Resolves when the predicate holds, checking after every world change; rejects after maxMs simulated. */
  async until(predicate: () => boolean, maxMs: number, what = 'condition'): Promise<void> {
    const deadline = this.now() + maxMs;
    while (!predicate()) {
      if (this.now() >= deadline) throw new Error(`timed out after ${maxMs} ms (simulated) waiting for ${what}`);
      await this.sleep(Math.min(1000, Math.max(1, deadline - this.now())));
    }
  }

  /** Resolves when virtual time has nothing left to do (no timers, nothing busy). */
  idle(): Promise<void> {
    if (this.mode !== 'virtual' || (!this.isBusy() && this.pendingTimers() === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.scaledTimers) clearTimeout(t.real);
    this.scaledTimers.clear();
    for (const t of this.heap) {
      t.cancelled = true;
      if (t.real) clearTimeout(t.real);
    }
    this.heap = [];
  }

  /** Scaled mode: a real timeout for what is left of the entry's simulated delay. */
  private arm(entry: TimerEntry): void {
    if (entry.real) clearTimeout(entry.real);
    entry.real = setTimeout(
      () => {
        if (entry.cancelled || this.stopped || this.pauses > 0) return; // a pause re-arms it on resume
        // Node truncates a fractional delay and its timers can fire a millisecond before Date.now() says the delay has
        // passed: never fire before the simulated time, wait for what is left.
        if (this.now() < entry.at) return this.arm(entry);
        this.scaledTimers.delete(entry);
        // A fired timer reads as done (as in virtual mode), so "is one pending?" checks work.
        entry.cancelled = true;
        entry.fn();
      },
      Math.max(0, entry.at - this.now()) / this.factor,
    );
  }

  private kick(): void {
    if (this.mode !== 'virtual' || !this.autoAdvance || this.advanceScheduled || this.stopped) return;
    if (this.isBusy()) return;
    this.advanceScheduled = true;
    void settle().then(() => {
      this.advanceScheduled = false;
      if (this.stopped || this.isBusy()) return;
      if (!this.peek()) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
        return;
      }
      this.fireNext();
      this.kick();
    });
  }

  private isBusy(): boolean {
    return this.busy - this.lent > 0;
  }

  private peek(): TimerEntry | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap[0];
  }

  private fireNext(): void {
    const next = this.peek();
    if (!next) return;
    this.pop();
    if (next.at > this.virtualNow) this.virtualNow = next.at;
    next.cancelled = true;
    next.fn();
  }

  private push(entry: TimerEntry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): TimerEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

function less(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Lets promise chains and loopback I/O that are already under way run before virtual time
 * moves: a few macrotask turns, so a response written by a server reaches its client.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
