import { describe, expect, it } from 'vitest';
import {
  batchTicks,
  type CheckChain,
  coveredUntil,
  firstTick,
  keepAliveVerdict,
  nextBatch,
  parseTick,
  STALE_AFTER_INTERVALS,
  tickVerdict,
} from '../../../functions/decisions/dns/check-ticks.js';

const chain: CheckChain = { generation: 'g2', seq: 7, lastTickAt: '2026-11-30T12:00:00.000Z' };
const at = (seconds: number) => new Date(Date.parse(chain.lastTickAt) + seconds * 1000);
const lead = (generation: string, seq: number) => ({ generation, seq, lead: true });

describe('Function: tickVerdict', () => {
  it('runs the next lead of the current generation, and any later one', () => {
    expect(tickVerdict(chain, lead('g2', 8))).toEqual({ run: true });
    expect(tickVerdict(chain, lead('g2', 17))).toEqual({ run: true });
  });

  it('drops a second copy of a lead already run, so the chain does not fork', () => {
    expect(tickVerdict(chain, lead('g2', 7))).toEqual({ run: false, reason: 'already-run' });
    expect(tickVerdict(chain, lead('g2', 3))).toEqual({ run: false, reason: 'already-run' });
  });

  it('drops a lead of another generation (a chain the keep-alive replaced)', () => {
    expect(tickVerdict(chain, lead('g1', 99))).toEqual({ run: false, reason: 'other-generation' });
  });

  it('runs a lead when no chain is recorded yet, and the first tick of a restarted generation', () => {
    expect(tickVerdict(undefined, lead('g9', 4))).toEqual({ run: true });
    expect(firstTick('g3')).toEqual({ generation: 'g3', seq: 1, lead: true });
    expect(tickVerdict({ ...chain, generation: 'g3', seq: 0 }, firstTick('g3'))).toEqual({ run: true });
  });
});

describe('Function: batchTicks', () => {
  it('sends ten ticks a batch (SendMessageBatch takes ten), fewer only when ten intervals pass the 900 s delay limit', () => {
    expect(batchTicks(10)).toBe(10);
    expect(batchTicks(60)).toBe(10);
    expect(batchTicks(100)).toBe(9);
    expect(batchTicks(901)).toBe(1);
  });
});

describe('Function: nextBatch', () => {
  it('schedules the next ticks of the generation one interval apart from the send, the last one leading', () => {
    const batch = nextBatch(lead('g2', 11), 10);
    expect(batch.map((e) => e.tick.seq)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    expect(batch.map((e) => e.delaySeconds)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(batch.filter((e) => e.tick.lead).map((e) => e.tick.seq)).toEqual([21]);
    expect(new Set(batch.map((e) => e.tick.generation))).toEqual(new Set(['g2']));
  });

  it('batches of consecutive leads continue the sequence without gap or overlap', () => {
    const first = nextBatch(firstTick('g'), 15);
    const second = nextBatch(first[first.length - 1].tick, 15);
    const seqs = [1, ...first.map((e) => e.tick.seq), ...second.map((e) => e.tick.seq)];
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(first.at(-1)?.delaySeconds).toBe(150);
  });
});

describe('Function: coveredUntil', () => {
  const sentAt = at(0);
  const batch = nextBatch(lead('g2', 7), 10);

  it("is the next lead's due time when the whole batch went", () => {
    expect(coveredUntil(sentAt, batch)).toEqual(at(100));
  });

  it('is the last sent tick when the lead was not sent, and the send time when nothing was', () => {
    expect(coveredUntil(sentAt, batch.slice(0, 4))).toEqual(at(40));
    expect(coveredUntil(sentAt, [])).toEqual(sentAt);
  });
});

describe('Function: keepAliveVerdict', () => {
  it('starts a chain when none was ever recorded', () => {
    expect(keepAliveVerdict(undefined, at(0), 10)).toEqual({ restart: true, reason: 'no-chain' });
  });

  it(`leaves a chain alone while its last lead is at most ${STALE_AFTER_INTERVALS} intervals old`, () => {
    expect(keepAliveVerdict(chain, at(9), 10)).toEqual({ restart: false, ageSeconds: 9 });
    expect(keepAliveVerdict(chain, at(30), 10)).toEqual({ restart: false, ageSeconds: 30 });
    expect(keepAliveVerdict(chain, at(150), 60)).toEqual({ restart: false, ageSeconds: 150 });
  });

  it('restarts a chain whose last lead is older than that and covered nothing more (a failed send)', () => {
    expect(keepAliveVerdict(chain, at(31), 10)).toEqual({ restart: true, reason: 'stale', ageSeconds: 31 });
    expect(keepAliveVerdict({ ...chain, coveredUntil: chain.lastTickAt }, at(16), 5)).toEqual({ restart: true, reason: 'stale', ageSeconds: 16 });
  });

  it('counts from the due time of the last tick sent: a chain is never restarted while its batch is still due', () => {
    const covered = { ...chain, coveredUntil: at(100).toISOString() };
    expect(keepAliveVerdict(covered, at(99), 10)).toEqual({ restart: false, ageSeconds: 0 });
    expect(keepAliveVerdict(covered, at(130), 10)).toEqual({ restart: false, ageSeconds: 30 });
    expect(keepAliveVerdict(covered, at(131), 10)).toEqual({ restart: true, reason: 'stale', ageSeconds: 31 });
  });

  it('restarts a chain whose recorded time cannot be read', () => {
    expect(keepAliveVerdict({ ...chain, lastTickAt: 'garbage' }, at(0), 10)).toMatchObject({ restart: true, reason: 'stale' });
  });
});

describe('Function: parseTick', () => {
  it('reads a tick, and refuses anything else', () => {
    expect(parseTick('{"generation":"g1","seq":3,"lead":false}')).toEqual({ generation: 'g1', seq: 3, lead: false });
    expect(parseTick('{"generation":"g1","seq":3,"lead":true}')).toEqual({ generation: 'g1', seq: 3, lead: true });
    for (const body of ['', 'tick', '{}', '{"generation":"","seq":1}', '{"generation":"g","seq":0}', '{"generation":"g","seq":1.5}', 'null']) {
      expect(parseTick(body), body).toBeUndefined();
    }
  });

  it('reads a tick sent before batches (no lead flag) as a lead: each of those sent the next one', () => {
    expect(parseTick('{"generation":"g1","seq":3}')).toEqual({ generation: 'g1', seq: 3, lead: true });
  });
});
