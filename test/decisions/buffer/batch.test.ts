import { describe, expect, it } from 'vitest';
import { batchClosed, checkBatch, currentBurst } from '../../../functions/decisions/buffer/batch.js';
import { at } from './fixtures.js';

const batch = { batchIdleSeconds: 1, batchMaxSeconds: 10 };

/** A time as the API server writes it: whole seconds, no fraction (it stands for any instant of that second). */
const second = (offsetSeconds: number) => at(offsetSeconds).replace('.000Z', 'Z');

describe('Function: batchClosed', () => {
  it('closes a batch 1 s after the last pod arrived', () => {
    const window = { firstSeenAt: at(0), lastSeenAt: at(0.5) };
    expect(batchClosed(window, at(1), batch)).toEqual({ closed: false, waitSeconds: 1 });
    expect(batchClosed(window, at(1.5), batch).closed).toBe(true);
  });

  it('closes a batch that keeps growing 10 s after its first pod', () => {
    const window = { firstSeenAt: at(0), lastSeenAt: at(11.8) };
    expect(batchClosed(window, at(9), batch)).toEqual({ closed: false, waitSeconds: 1 });
    expect(batchClosed(window, at(10), batch).closed).toBe(true);
  });
});

describe('Function: currentBurst', () => {
  it('groups, back from the newest pod, every pod within the idle time of the next one', () => {
    // Waves at 0, 2, 4 s with a 3 s idle time are one burst; the pod at -10 s is an earlier one.
    const window = currentBurst([second(2), second(-10), second(0), second(4)], 3);
    expect(window).toEqual({ firstSeenAt: at(0.999), lastSeenAt: at(4.999) });
  });

  it('with the 1 s idle time, pods 2.5 s apart are separate bursts: only the newest is still arriving', () => {
    expect(currentBurst([at(0), at(2.5), at(5)], 1)).toEqual({ firstSeenAt: at(5), lastSeenAt: at(5) });
  });

  it('reads whole-second times as the end of their second, so a window never closes early', () => {
    const window = currentBurst([second(3)], 1);
    expect(window?.lastSeenAt).toBe(at(3.999));
    expect(batchClosed(window as never, at(4.5), batch).closed).toBe(false);
    expect(batchClosed(window as never, at(5), batch).closed).toBe(true);
  });

  it('opens no window without a pod time', () => {
    expect(currentBurst([], 1)).toBeUndefined();
    expect(currentBurst(['not a time'], 1)).toBeUndefined();
  });
});

describe('Function: checkBatch', () => {
  const policy = { batchIdleSeconds: 3, batchMaxSeconds: 10 };

  it('waits while pods keep arriving within the idle time, then closes once none came for it', () => {
    const since = [at(0), at(2.5)];
    const early = checkBatch({ since, pendingPods: 2, now: at(3), checkingSince: at(1), policy });
    expect(early).toMatchObject({ closed: false, waitSeconds: 3, pendingPods: 2, window: { firstSeenAt: at(0), lastSeenAt: at(2.5) } });
    // A third wave at 5 s extends the window: still open at 6 s, closed at 8 s.
    const later = [...since, at(5)];
    expect(checkBatch({ since: later, pendingPods: 3, now: at(6), checkingSince: at(1), policy })).toMatchObject({ closed: false, waitSeconds: 2 });
    const closed = checkBatch({ since: later, pendingPods: 3, now: at(8), checkingSince: at(1), policy });
    expect(closed).toMatchObject({ closed: true, waitSeconds: 0 });
    expect(closed.why).toContain('batchIdleSeconds (3 s)');
  });

  it('closes at once when the burst ended before the report arrived (a watcher reporting every 10 s or every minute)', () => {
    const out = checkBatch({ since: [at(0), at(2.5), at(5)], pendingPods: 3, now: at(10.2), checkingSince: at(10.1), policy });
    expect(out).toMatchObject({ closed: true, waitSeconds: 0 });
  });

  it('closes a stream that never pauses batchMaxSeconds after its first pod', () => {
    const stream = Array.from({ length: 14 }, (_, i) => at(i));
    expect(checkBatch({ since: stream.slice(0, 10), pendingPods: 10, now: at(9.5), checkingSince: at(0.5), policy }).closed).toBe(false);
    const out = checkBatch({ since: stream, pendingPods: 14, now: at(10), checkingSince: at(0.5), policy });
    expect(out.closed).toBe(true);
    expect(out.why).toContain('batchMaxSeconds (10 s) passed');
  });

  it("never holds a run longer than batchMaxSeconds from its first check, whatever the pods' times say", () => {
    // A pod time 60 s ahead of the function's clock (a skewed clock) would keep the window open for a minute.
    const ahead = [at(60)];
    const first = checkBatch({ since: ahead, pendingPods: 1, now: at(0), checkingSince: at(0), policy });
    expect(first).toMatchObject({ closed: false, waitSeconds: 10 });
    const out = checkBatch({ since: ahead, pendingPods: 1, now: at(10), checkingSince: at(0), policy });
    expect(out.closed).toBe(true);
    expect(out.why).toContain('this run has waited batchMaxSeconds');
  });

  it('plans at once when no pending pod has a time (nothing to batch)', () => {
    expect(checkBatch({ since: [], pendingPods: 0, now: at(0), checkingSince: at(0), policy })).toMatchObject({ closed: true, waitSeconds: 0 });
  });
});
