import { textTable } from '../text-table.js';
import type { DnsGoalCost } from './dns-goal.js';
import { total } from './idle-cost.js';
import type { ProvisionUsage } from './provision-usage.js';
import type { CostLine } from './types.js';

/** Issue 6's goal: the idle stack for a 100-node cluster, VMs aside, at most this a month. */
export const IDLE_GOAL_PER_MONTH = 2;

export interface ProvisionEstimate {
  usage: ProvisionUsage;
  lines: CostLine[];
  total: number;
}

export interface CostReport {
  nodes: number;
  idle: { lines: CostLine[]; totalPerMonth: number; goal: { nodes: number; limitPerMonth: number; pass: boolean } | null };
  /** One per local ProvisionNode run; null when runs were skipped. */
  provisions: ProvisionEstimate[] | null;
  perProvision: { mean: number; min: number; max: number } | null;
  /** Issue 10's DNS case (cli/cost/dns-goal.ts); null without a dns section. */
  dns?: DnsGoalCost | null;
}

export function costReport(nodes: number, idleLines: CostLine[], provisions: ProvisionEstimate[] | null): CostReport {
  const totalPerMonth = total(idleLines);
  const succeeded = (provisions ?? []).filter((p) => p.usage.status === 'SUCCEEDED').map((p) => p.total);
  return {
    nodes,
    idle: {
      lines: idleLines,
      totalPerMonth,
      // The goal is stated for 100 nodes; at another size the figure is shown without a verdict.
      goal: nodes === 100 ? { nodes, limitPerMonth: IDLE_GOAL_PER_MONTH, pass: totalPerMonth <= IDLE_GOAL_PER_MONTH } : null,
    },
    provisions,
    perProvision:
      succeeded.length > 0 ? { mean: succeeded.reduce((a, b) => a + b, 0) / succeeded.length, min: Math.min(...succeeded), max: Math.max(...succeeded) } : null,
  };
}

export function humanCostReport(r: CostReport): string {
  const out = [`IDLE STACK FOR ${r.nodes} NODES, PER MONTH (VMs aside; us-east-1 list prices, free tiers not deducted)`, linesTable(r.idle.lines)];
  const goal = r.idle.goal;
  out.push(
    `total: ${usd(r.idle.totalPerMonth)} a month${goal ? `  ${goal.pass ? 'PASS' : 'FAIL'} goal: at most ${usd(goal.limitPerMonth)} for ${goal.nodes} nodes` : ''}`,
  );
  if (r.dns) out.push('', ...humanDnsGoal(r.dns));
  if (r.provisions) {
    for (const p of r.provisions) {
      const u = p.usage;
      out.push(
        '',
        `ONE PROVISION IN POOL ${u.pool} (local ProvisionNode run: ${u.status}; ${u.transitions} transitions, ${u.lambda.reduce((n, f) => n + f.invocations, 0)} Lambda calls)`,
        linesTable(p.lines),
        `total: ${usd(p.total)} a provision`,
      );
    }
    if (r.perProvision) {
      const { mean, min, max } = r.perProvision;
      out.push('', `one provision costs ${usd(mean)} on average (${usd(min)} to ${usd(max)}), the VM aside; 1,000 provisions: ${usd(mean * 1000)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function humanDnsGoal(d: DnsGoalCost): string[] {
  return [
    "DNS FAILOVER, ISSUE 10'S CASE: 3 ENTRYPOINTS, 10 TARGETS, A CHECK EVERY 10 S, PER MONTH (us-east-1 list prices, free tiers not deducted)",
    linesTable(d.lines),
    `total: ${usd(d.totalPerMonth)} a month  ${d.pass ? 'PASS' : 'FAIL'} goal: at most ${usd(d.limitPerMonth)}`,
    d.counted,
    ...d.notCounted.map((l) => `not counted: ${l.item}: ${quantity(l.quantity)} × ${usd(l.unitPrice)} = ${usd(l.cost)} a month`),
  ];
}

function linesTable(lines: readonly CostLine[]): string {
  return textTable(
    ['ITEM', 'QUANTITY', 'UNIT', 'UNIT PRICE', 'COST', 'NOTE'],
    lines.map((l) => [l.item, quantity(l.quantity), l.unit, usd(l.unitPrice), usd(l.cost), l.note]),
  );
}

/** Dollars with two decimals, or two significant digits below a cent (a provision costs fractions of a cent). */
export function usd(x: number): string {
  if (x === 0) return '$0';
  if (x >= 0.01) return `$${x.toFixed(2)}`;
  return `$${x.toFixed(Math.min(20, Math.ceil(-Math.log10(x)) + 1))}`;
}

function quantity(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3)));
}
