import { describe, expect, it } from 'vitest';
import { Clock, DEFAULT_START_TIME } from '../../sim/clock.js';

describe('Class: Clock', () => {
  it('fires virtual timers in time order, then insertion order, and jumps time to each', async () => {
    const clock = new Clock({ mode: 'virtual' });
    const fired: Array<[string, number]> = [];
    clock.setTimer(3000, () => fired.push(['c', clock.elapsed()]));
    clock.setTimer(1000, () => fired.push(['a', clock.elapsed()]));
    clock.setTimer(1000, () => fired.push(['b', clock.elapsed()]));
    await clock.idle();
    expect(fired).toEqual([
      ['a', 1000],
      ['b', 1000],
      ['c', 3000],
    ]);
    expect(clock.now()).toBe(DEFAULT_START_TIME + 3000);
  });

  it('runs a simulated day of minute timers in well under a second of wall time', async () => {
    const clock = new Clock({ mode: 'virtual' });
    let ticks = 0;
    const tick = () => {
      ticks++;
      if (ticks < 1440) clock.setTimer(60_000, tick);
    };
    clock.setTimer(60_000, tick);
    const started = Date.now();
    await clock.idle();
    expect(ticks).toBe(1440);
    expect(clock.elapsed()).toBe(24 * 3600_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not move while held, and moves again once released', async () => {
    const clock = new Clock({ mode: 'virtual' });
    const release = clock.hold();
    let fired = false;
    clock.setTimer(10, () => {
      fired = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    expect(clock.elapsed()).toBe(0);
    release();
    await clock.idle();
    expect(fired).toBe(true);
  });

  it('cancelled timers never fire', async () => {
    const clock = new Clock({ mode: 'virtual' });
    let fired = 0;
    const t = clock.setTimer(5, () => fired++);
    clock.setTimer(10, () => fired++);
    clock.cancel(t);
    await clock.idle();
    expect(fired).toBe(1);
  });

  it('advance() moves exactly by the given time with autoAdvance off', async () => {
    const clock = new Clock({ mode: 'virtual', autoAdvance: false });
    const seen: number[] = [];
    clock.setTimer(500, () => seen.push(clock.elapsed()));
    clock.setTimer(1500, () => seen.push(clock.elapsed()));
    await clock.advance(1000);
    expect(seen).toEqual([500]);
    expect(clock.elapsed()).toBe(1000);
    await clock.advance(1000);
    expect(seen).toEqual([500, 1500]);
  });

  it('until() rejects with the condition named when it never holds', async () => {
    const clock = new Clock({ mode: 'virtual' });
    await expect(clock.until(() => false, 60_000, 'the impossible')).rejects.toThrow(/60000 ms \(simulated\) waiting for the impossible/);
  });

  it('scaled mode runs simulated time at factor x real time', async () => {
    const clock = new Clock({ mode: 'scaled', factor: 100 });
    const before = clock.now();
    await clock.sleep(2000);
    const simulated = clock.now() - before;
    expect(simulated).toBeGreaterThanOrEqual(2000);
    expect(simulated).toBeLessThan(20_000);
  });

  it('scaled mode never fires a timer before its simulated time, even when the real delay is fractional', async () => {
    const clock = new Clock({ mode: 'scaled', factor: 3 });
    for (const ms of [10, 20, 25, 2]) {
      const t0 = clock.now();
      await clock.sleep(ms);
      expect(clock.now() - t0).toBeGreaterThanOrEqual(ms);
    }
  });

  it('scaled mode stands still while paused, and its timers run on from where they were', async () => {
    const clock = new Clock({ mode: 'scaled', factor: 100 });
    const fired: number[] = [];
    const t0 = clock.now();
    clock.setTimer(10_000, () => fired.push(clock.now()), 'after 10 s');
    const resume = clock.pause();
    const pausedAt = clock.now();
    await new Promise((r) => setTimeout(r, 300)); // 30 simulated s, were the clock running
    expect(clock.now()).toBe(pausedAt);
    expect(fired).toEqual([]);
    resume();
    expect(clock.now() - pausedAt).toBeLessThan(5_000);
    await clock.until(() => fired.length > 0, 60_000, 'the timer');
    // Due 10 simulated s after it was set, not counting the pause.
    expect(fired[0] - t0).toBeGreaterThanOrEqual(10_000);
    expect(fired[0] - t0).toBeLessThan(20_000);
    clock.stop();
  });

  it('virtual mode does not move while paused', async () => {
    const clock = new Clock({ mode: 'virtual' });
    let fired = false;
    clock.setTimer(1000, () => {
      fired = true;
    });
    const resume = clock.pause();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    resume();
    await clock.idle();
    expect(fired).toBe(true);
  });

  it('rejects a non-positive factor', () => {
    expect(() => new Clock({ mode: 'scaled', factor: 0 })).toThrow(/factor must be > 0/);
  });
});
