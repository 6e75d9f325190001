import { describe, expect, it } from 'vitest';
import {
  type CheckChain,
  firstTick,
  followingTick,
  keepAliveVerdict,
  parseTick,
  STALE_AFTER_INTERVALS,
  tickVerdict,
} from '../../../functions/decisions/dns/check-ticks.js';

const chain: CheckChain = { generation: 'g2', seq: 7, lastTickAt: '2026-11-30T12:00:00.000Z' };
const at = (seconds: number) => new Date(Date.parse(chain.lastTickAt) + seconds * 1000);

describe('Function: tickVerdict', () => {
  it('runs the next tick of the current generation, and any later one', () => {
    expect(tickVerdict(chain, { generation: 'g2', seq: 8 })).toEqual({ run: true });
    expect(tickVerdict(chain, { generation: 'g2', seq: 12 })).toEqual({ run: true });
  });

  it('drops a second copy of a tick already run, so the chain does not double', () => {
    expect(tickVerdict(chain, { generation: 'g2', seq: 7 })).toEqual({ run: false, reason: 'already-run' });
    expect(tickVerdict(chain, { generation: 'g2', seq: 3 })).toEqual({ run: false, reason: 'already-run' });
  });

  it('drops a tick of another generation (a chain the keep-alive replaced)', () => {
    expect(tickVerdict(chain, { generation: 'g1', seq: 99 })).toEqual({ run: false, reason: 'other-generation' });
  });

  it('runs a tick when no chain is recorded yet', () => {
    expect(tickVerdict(undefined, { generation: 'g9', seq: 4 })).toEqual({ run: true });
  });

  it('each run tick sends exactly the next one of its generation', () => {
    expect(followingTick({ generation: 'g2', seq: 8 })).toEqual({ generation: 'g2', seq: 9 });
    expect(firstTick('g3')).toEqual({ generation: 'g3', seq: 1 });
    expect(tickVerdict({ ...chain, generation: 'g3', seq: 0 }, firstTick('g3'))).toEqual({ run: true });
  });
});

describe('Function: keepAliveVerdict', () => {
  it('starts a chain when none was ever recorded', () => {
    expect(keepAliveVerdict(undefined, at(0), 10)).toEqual({ restart: true, reason: 'no-chain' });
  });

  it(`leaves a chain alone while its last tick is at most ${STALE_AFTER_INTERVALS} intervals old`, () => {
    expect(keepAliveVerdict(chain, at(9), 10)).toEqual({ restart: false, ageSeconds: 9 });
    expect(keepAliveVerdict(chain, at(30), 10)).toEqual({ restart: false, ageSeconds: 30 });
    expect(keepAliveVerdict(chain, at(150), 60)).toEqual({ restart: false, ageSeconds: 150 });
  });

  it('restarts a chain whose last tick is older than that (a lost tick, a failed send)', () => {
    expect(keepAliveVerdict(chain, at(31), 10)).toEqual({ restart: true, reason: 'stale', ageSeconds: 31 });
    expect(keepAliveVerdict(chain, at(16), 5)).toEqual({ restart: true, reason: 'stale', ageSeconds: 16 });
  });

  it('restarts a chain whose recorded time cannot be read', () => {
    expect(keepAliveVerdict({ ...chain, lastTickAt: 'garbage' }, at(0), 10)).toMatchObject({ restart: true, reason: 'stale' });
  });
});

describe('Function: parseTick', () => {
  it('reads a tick, and refuses anything else', () => {
    expect(parseTick('{"generation":"g1","seq":3}')).toEqual({ generation: 'g1', seq: 3 });
    for (const body of ['', 'tick', '{}', '{"generation":"","seq":1}', '{"generation":"g","seq":0}', '{"generation":"g","seq":1.5}', 'null']) {
      expect(parseTick(body), body).toBeUndefined();
    }
  });
});
