import { describe, expect, it } from 'vitest';
import { dnsReconcileLines } from '../../cli/cost/dns-cost.js';
import { total } from '../../cli/cost/idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT } from '../../cli/cost/prices.js';
import { DNS_RECONCILE_MINUTES } from '../../infra/constructs/dns-failover.js';

const RUNS = (30 * 24 * 60) / DNS_RECONCILE_MINUTES;

describe('Function: dnsReconcileLines', () => {
  it('prices one read per target, two per entrypoint (check states, open alerts) and one for the announcements, and two lease writes per entrypoint, each run', () => {
    const lines = dnsReconcileLines({ entrypoints: 3, targets: 10, runsPerMonth: RUNS });
    const reads = lines.find((l) => l.unit === 'read unit')!;
    const writes = lines.find((l) => l.unit === 'write unit')!;
    expect(reads.quantity).toBe(RUNS * 17);
    expect(writes.quantity).toBe(RUNS * 6);
    expect(reads.cost).toBeCloseTo(RUNS * 17 * DYNAMODB_PER_READ_UNIT, 10);
    expect(writes.cost).toBeCloseTo(RUNS * 6 * DYNAMODB_PER_WRITE_UNIT, 10);
  });

  it('keeps the reconcile of 3 entrypoints and 10 targets to a few cents a month, well inside the $1 of the DNS feature', () => {
    const cost = total(dnsReconcileLines({ entrypoints: 3, targets: 10, runsPerMonth: RUNS }));
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThan(0.1);
    // Twice the reconciles cost twice as much: the figure follows the schedule.
    expect(total(dnsReconcileLines({ entrypoints: 3, targets: 10, runsPerMonth: 2 * RUNS }))).toBeCloseTo(2 * cost, 10);
  });
});
