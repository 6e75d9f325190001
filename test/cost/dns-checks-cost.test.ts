import { describe, expect, it } from 'vitest';
import { dnsChecksCost } from '../../cli/cost/dns-checks-cost.js';
import { total } from '../../cli/cost/idle-cost.js';

const goal = { intervalSeconds: 10, entrypoints: 3, targets: 10, runner: { memoryMb: 256, architecture: 'arm64' as const } };

describe('Function: dnsChecksCost', () => {
  it("prices issue 10's case (3 entrypoints, 10 targets, a tick every 10 s) line by line", () => {
    const lines = dnsChecksCost(goal);
    expect(lines.map((l) => l.item)).toEqual([
      'DNS checks: Lambda requests (one a tick)',
      'DNS checks: Lambda duration',
      'DNS checks: SQS SendMessageBatch (one a batch), receive and delete of each tick',
      "DNS checks: SQS empty long polls of the event source mapping's pollers",
      "DNS checks: DynamoDB writes (the chain's item once a batch, a target's state on change or hourly)",
      'DNS checks: DynamoDB reads (the check states, one Query per entrypoint a tick)',
    ]);
    // 730 h a month: 262,800 ticks.
    expect(lines[0].quantity).toBe(262_800);
    expect(lines[3].quantity).toBe(657_000);
    // One SendMessageBatch of ten ticks per lead, then a receive and a delete per tick.
    expect(lines[2].quantity).toBe(26_280 + 2 * 262_800);
    // The chain's item is written by leads only.
    expect(lines[4].quantity).toBe(26_280 + 10 * 730);
    // The runner reads the check states eventually consistent: half a read unit per Query.
    expect(lines[5].quantity).toBe(0.5 * 3 * 262_800);
    for (const l of lines) expect(l.cost).toBeCloseTo(l.quantity * l.unitPrice, 12);
  });

  it('still sends ten ticks a batch at the longest interval (60 s: 600 s of delay, under the 900 s limit)', () => {
    const at60 = dnsChecksCost({ ...goal, intervalSeconds: 60 });
    expect(at60[2].quantity).toBeCloseTo(43_800 / 10 + 2 * 43_800, 9);
  });

  it('costs half as much in ticks at twice the interval, and the idle polls stay', () => {
    const at10 = dnsChecksCost(goal);
    const at20 = dnsChecksCost({ ...goal, intervalSeconds: 20 });
    expect(at20[0].cost).toBeCloseTo(at10[0].cost / 2, 12);
    expect(at20[3].cost).toBe(at10[3].cost);
    expect(total(at20)).toBeLessThan(total(at10));
  });
});
