import { describe, expect, it } from 'vitest';
import { type CheckCandidate, checkCandidates, checkRound, REFRESH_AFTER_MS, type StoredCheckState } from '../../../functions/decisions/dns/check-round.js';
import type { DnsNodeView, EligibilityRule } from '../../../functions/decisions/dns/types.js';

const rule: EligibilityRule = { eligiblePools: ['home'], addressSource: { from: 'external-ip' }, type: 'A' };
const limits = { fall: 3, rise: 2 };

function node(name: string, extra: Partial<DnsNodeView> = {}): DnsNodeView {
  return {
    name,
    labels: { 'shepherd.io/pool': 'home' },
    annotations: {},
    ready: 'True',
    unschedulable: false,
    taints: [],
    addresses: [{ type: 'ExternalIP', address: '203.0.113.10' }],
    ...extra,
  };
}

describe('Function: checkCandidates', () => {
  it("probes every eligible node's public address, Ready or not, once per address", () => {
    const nodes = [
      node('a'),
      node('b', { ready: 'Unknown', addresses: [{ type: 'ExternalIP', address: '203.0.113.11' }] }),
      node('c', { unschedulable: true, addresses: [{ type: 'ExternalIP', address: '203.0.113.12' }] }),
      node('d', { addresses: [{ type: 'ExternalIP', address: '203.0.113.10' }] }),
      node('e', { labels: { 'shepherd.io/pool': 'aws' }, addresses: [{ type: 'ExternalIP', address: '198.51.100.1' }] }),
      node('f', { addresses: [{ type: 'ExternalIP', address: '10.0.0.5' }] }),
      node('g', { addresses: [] }),
    ];
    expect(checkCandidates(rule, nodes)).toEqual([
      { address: '203.0.113.10', nodeName: 'a' },
      { address: '203.0.113.11', nodeName: 'b' },
      { address: '203.0.113.12', nodeName: 'c' },
    ]);
  });
});

describe('Function: checkRound', () => {
  const candidates: CheckCandidate[] = [{ address: '203.0.113.10', nodeName: 'a' }];
  const stored = (s: Partial<StoredCheckState>): StoredCheckState => ({
    healthy: true,
    passes: 2,
    failures: 0,
    nodeName: 'a',
    checkedAt: '2026-11-30T12:00:00.000Z',
    detail: 'ok',
    ...s,
  });

  function rounds(results: boolean[], start?: StoredCheckState) {
    let state = start;
    const out = [];
    for (const [i, passed] of results.entries()) {
      const round = checkRound({
        entrypoint: 'www',
        limits,
        candidates,
        previous: new Map(state ? [['203.0.113.10', state]] : []),
        results: new Map([['203.0.113.10', { passed, detail: passed ? 'connected in 3 ms' : 'connect timeout after 2000 ms' }]]),
        now: new Date(Date.parse('2026-11-30T12:00:00.000Z') + (i + 1) * 10_000).toISOString(),
      });
      state = round.writes[0]?.state ?? state;
      out.push(round);
    }
    return out;
  }

  it('ejection backoff: a target that falls again within the quiet period needs rise x its ejections passes to return', () => {
    const f = false;
    const t = true;
    // fall (3 failures), back after rise = 2 passes, fall again, then 3 passes: still out; 4: back.
    const out = rounds([f, f, f, t, t, f, f, f, t, t, t, t], stored({}));
    const flips = out.flatMap((r, i) => r.changes.map((c) => `${i}:${c.healthy ? 'up' : 'down'}`));
    expect(flips).toEqual(['2:down', '4:up', '7:down', '11:up']);
    expect(out[2].writes[0].state).toMatchObject({ healthy: false, ejections: 1, fellAt: '2026-11-30T12:00:30.000Z' });
    expect(out[7].writes[0].state).toMatchObject({ healthy: false, ejections: 2, fellAt: '2026-11-30T12:01:20.000Z' });
    expect(out[11].changes[0]).toMatchObject({ healthy: true, passes: 4 });
    // The history stays on the healthy state for the next fall.
    expect(out[11].writes[0].state).toMatchObject({ healthy: true, ejections: 2, fellAt: '2026-11-30T12:01:20.000Z' });
  });

  it('ejection backoff: a fall a quiet period after the last counts as the first again', () => {
    const out = rounds([false, false, false, true, true], stored({ ejections: 3, fellAt: '2026-11-30T11:50:00.000Z' }));
    expect(out[2].writes[0].state).toMatchObject({ healthy: false, ejections: 1 });
    expect(out[4].changes[0]).toMatchObject({ healthy: true, passes: 2 });
  });

  it('a round with results for some candidates only leaves the others as they are', () => {
    const two: CheckCandidate[] = [...candidates, { address: '203.0.113.11', nodeName: 'b' }];
    const round = checkRound({
      entrypoint: 'www',
      limits,
      candidates: two,
      previous: new Map([['203.0.113.11', stored({ failures: 1, passes: 0 })]]),
      results: new Map([['203.0.113.11', { passed: false, detail: 'connect timeout after 2000 ms' }]]),
      now: '2026-11-30T12:00:10.000Z',
    });
    expect(round.writes).toEqual([{ address: '203.0.113.11', state: expect.objectContaining({ healthy: true, failures: 2, nodeName: 'b' }) }]);
  });

  it('a new target is undecided until rise passes, then flips healthy once (the event that starts DnsFailover)', () => {
    const out = rounds([true, true, true]);
    expect(out[0].writes.map((w) => w.state)).toEqual([
      { undecided: true, passes: 1, failures: 0, nodeName: 'a', checkedAt: '2026-11-30T12:00:10.000Z', detail: 'connected in 3 ms' },
    ]);
    expect(out.map((r) => r.changes.length)).toEqual([0, 1, 0]);
    expect(out[1].changes[0]).toEqual({
      entrypoint: 'www',
      address: '203.0.113.10',
      nodeName: 'a',
      healthy: true,
      passes: 2,
      failures: 0,
      detail: 'connected in 3 ms',
      checkedAt: '2026-11-30T12:00:20.000Z',
    });
    expect(out.map((r) => r.writes.length)).toEqual([1, 1, 0]);
  });

  it('a new target is decided unhealthy after fall failures, with one change event, and never counted healthy', () => {
    const out = rounds([false, false, false, false]);
    expect(out.map((r) => r.writes[0]?.state)).toMatchObject([
      { undecided: true, failures: 1 },
      { undecided: true, failures: 2 },
      { healthy: false, failures: 3 },
      undefined,
    ]);
    expect(out.map((r) => r.changes.map((c) => c.healthy))).toEqual([[], [], [false], []]);
    expect(out.flatMap((r) => r.writes).some((w) => 'healthy' in w.state && w.state.healthy)).toBe(false);
  });

  it('a new target that alternates stays undecided and publishes nothing (each failure resets the passes)', () => {
    const out = rounds([true, false, true, false, true, false]);
    expect(out.flatMap((r) => r.changes)).toEqual([]);
    expect(out.at(-1)?.writes[0]?.state).toMatchObject({ undecided: true, passes: 0, failures: 1 });
  });

  it('a state the code before undecided states wrote (healthy, no undecided) is decided: a pass changes nothing', () => {
    const [round] = rounds([true], stored({ passes: 0, failures: 1 }));
    expect(round.changes).toEqual([]);
    expect(round.writes[0]?.state).toMatchObject({ healthy: true, passes: 1, failures: 0 });
  });

  it('a healthy target flips unhealthy on the fall-th failure, with one change event', () => {
    const out = rounds([false, false, false, false], stored({}));
    expect(out.map((r) => r.changes.length)).toEqual([0, 0, 1, 0]);
    expect(out[2].changes[0]).toEqual({
      entrypoint: 'www',
      address: '203.0.113.10',
      nodeName: 'a',
      healthy: false,
      passes: 0,
      failures: 3,
      detail: 'connect timeout after 2000 ms',
      checkedAt: '2026-11-30T12:00:30.000Z',
    });
  });

  it('an unhealthy target comes back on the rise-th pass', () => {
    const out = rounds([true, true], stored({ healthy: false, passes: 0, failures: 3 }));
    expect(out.map((r) => r.changes.map((c) => c.healthy))).toEqual([[], [true]]);
  });

  it('a steady target is not written again (counters stop at rise and fall)', () => {
    expect(rounds([true, true, true], stored({})).map((r) => r.writes.length)).toEqual([0, 0, 0]);
    const failing = rounds([false, false, false, false, false], stored({}));
    expect(failing.map((r) => r.writes.length)).toEqual([1, 1, 1, 0, 0]);
  });

  it('a steady state is written again once it is older than the refresh age', () => {
    const old = stored({ checkedAt: new Date(Date.parse('2026-11-30T12:00:00.000Z') - REFRESH_AFTER_MS + 15_000).toISOString() });
    expect(rounds([true, true, true], old).map((r) => r.writes.length)).toEqual([0, 1, 0]);
  });

  it('a candidate with no probe result keeps its state', () => {
    const round = checkRound({ entrypoint: 'www', limits, candidates, previous: new Map(), results: new Map(), now: '2026-11-30T12:00:00.000Z' });
    expect(round).toEqual({ writes: [], changes: [] });
  });
});
