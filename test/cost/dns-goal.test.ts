import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DNS_ALARMS, dnsGoalCost } from '../../cli/cost/dns-goal.js';
import { total } from '../../cli/cost/idle-cost.js';
import { CLOUDWATCH_ALARM_MONTH } from '../../cli/cost/prices.js';
import { costReport, humanCostReport } from '../../cli/cost/report.js';
import type { StackInventory } from '../../cli/cost/template-inventory.js';
import { parseConfig } from '../../config/load.js';
import { DNS_CHECKS_MEMORY_MB } from '../../infra/constructs/dns-checks-sizing.js';

const shipped = () => parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');

function inventory(runnerMb?: number): StackInventory {
  return {
    alarms: 0,
    compositeAlarms: 0,
    secretsManagerSecrets: 0,
    ssmParameters: { standard: 0, advanced: 0 },
    kmsKeys: 0,
    tables: [],
    functions: [
      { logicalId: 'DnsFailoverFunction11B50932', memoryMb: 256, architecture: 'arm64' },
      ...(runnerMb ? [{ logicalId: 'DnsChecksFunctionABC', memoryMb: runnerMb, architecture: 'arm64' as const }] : []),
    ],
    stateMachines: [],
    schedules: [
      {
        logicalId: 'DnsFailoverReconcile1234',
        service: 'events-rule',
        expression: 'rate(5 minutes)',
        runsPerMonth: 8760,
        targets: ['DnsFailoverFunction11B50932'],
      },
    ],
  };
}

const duration = (lines: { item: string; quantity: number }[], item: string) => lines.find((l) => l.item === item)?.quantity ?? Number.NaN;

describe('Function: dnsGoalCost', () => {
  it("prices issue 10's case with the runner at the size the stack gives it when the config has no check, and at the template's when it has", () => {
    const withoutRunner = dnsGoalCost(shipped(), inventory())!;
    const atTemplate = dnsGoalCost(shipped(), inventory(256))!;
    // 262,800 ticks × 300 ms × the runner's GB.
    expect(duration(withoutRunner.lines, 'DNS checks: Lambda duration')).toBeCloseTo(262_800 * 0.3 * (DNS_CHECKS_MEMORY_MB / 1024), 6);
    expect(duration(atTemplate.lines, 'DNS checks: Lambda duration')).toBeCloseTo(262_800 * 0.3 * 0.25, 6);
    expect(atTemplate.totalPerMonth).toBeGreaterThan(withoutRunner.totalPerMonth);
  });

  it('adds the keep-alive (at the rate the stack gives it: every 2 minutes) and the reconcile (its schedule), and totals exactly its lines against the $1 goal', () => {
    const goal = dnsGoalCost(shipped(), inventory())!;
    expect(goal.lines.find((l) => l.item === 'DNS checks keep-alive (every 2 minutes): Lambda requests')?.quantity).toBe((730 * 60) / 2);
    expect(goal.lines.find((l) => l.item === 'DNS reconcile (every 5 minutes): Lambda requests')?.quantity).toBe(8760);
    expect(goal.totalPerMonth).toBeCloseTo(total(goal.lines), 12);
    expect(goal.pass).toBe(goal.totalPerMonth <= 1);
    expect(goal.limitPerMonth).toBe(1);
  });

  it("prices the keep-alive from the template's schedule when the stack has the runner", () => {
    const inv = inventory(128);
    inv.schedules.push({ logicalId: 'DnsChecksKeepAlive5B8D2A1C', service: 'events-rule', expression: 'rate(1 minute)', runsPerMonth: 43_800, targets: [] });
    const goal = dnsGoalCost(shipped(), inv)!;
    expect(goal.lines.find((l) => l.item === 'DNS checks keep-alive (every minute): Lambda requests')?.quantity).toBe(43_800);
  });

  it("meets issue 10's goal with a margin: under $0.90 a month for the stack as it is built", () => {
    const goal = dnsGoalCost(shipped(), inventory(DNS_CHECKS_MEMORY_MB))!;
    expect(goal.pass).toBe(true);
    expect(goal.totalPerMonth).toBeLessThan(0.9);
  });

  it('says what it counts, and prices the alarms it leaves out', () => {
    const goal = dnsGoalCost(shipped(), inventory())!;
    expect(goal.counted).toMatch(/list prices with no free tier/);
    expect(goal.counted).toMatch(/Not counted: the alarms/);
    expect(goal.notCounted[0].cost).toBeCloseTo(DNS_ALARMS * CLOUDWATCH_ALARM_MONTH, 12);
    const text = humanCostReport({ ...costReport(100, [], null), dns: goal });
    expect(text).toMatch(/DNS FAILOVER, ISSUE 10'S CASE/);
    expect(text).toMatch(new RegExp(`total: \\$${goal.totalPerMonth.toFixed(2)} a month {2}(PASS|FAIL) goal: at most \\$1\\.00`));
    expect(text).toMatch(/not counted: CloudWatch alarms of DNS failover .*= \$0\.30 a month/);
  });

  it('is absent without a dns section', () => {
    const { dns: _dns, ...config } = shipped();
    expect(dnsGoalCost(config, inventory())).toBeUndefined();
  });
});
