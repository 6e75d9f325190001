import type { ShepherdConfig } from '../../config/types.js';
import { DNS_CHECKS_MEMORY_MB, DNS_KEEP_ALIVE_MINUTES } from '../../infra/constructs/dns-checks-sizing.js';
import { dnsChecksCost } from './dns-checks-cost.js';
import { DNS_ASSUMED_TARGETS, dnsReconcileLines } from './dns-cost.js';
import { ASSUMED_SCHEDULED_LAMBDA_MS, line, total } from './idle-cost.js';
import { CLOUDWATCH_ALARM_MONTH, HOURS_PER_MONTH, LAMBDA_PER_GB_SECOND, LAMBDA_PER_REQUEST } from './prices.js';
import type { StackInventory } from './template-inventory.js';
import type { CostLine } from './types.js';

/** Issue 10's cost goal: the checks and reconciles of 3 entrypoints with 10 targets, at most $1 a month. */
export const DNS_GOAL = { entrypoints: 3, targets: DNS_ASSUMED_TARGETS, intervalSeconds: 10, limitPerMonth: 1 } as const;
/** Alarms DNS failover adds: the errors alarm of each of its two functions and DnsFailover's failed-execution alarm. */
export const DNS_ALARMS = 3;

export interface DnsGoalCost {
  lines: CostLine[];
  totalPerMonth: number;
  limitPerMonth: number;
  pass: boolean;
  /** What the total counts and what it leaves out, in words (the report prints it). */
  counted: string;
  /** What is left out of the total, priced, so a reader can add it. */
  notCounted: CostLine[];
}

/**
 * Issue 10's case priced as the stack would run it: the check runner (its function from the template when the config
 * has a check, else the size the stack would give it), its keep-alive, and the periodic reconcile of the
 * DnsFailover function, all at list prices with no free tier.
 */
export function dnsGoalCost(config: ShepherdConfig, inventory: StackInventory): DnsGoalCost | undefined {
  if (!config.dns) return undefined;
  const runnerFn = inventory.functions.find((f) => f.logicalId.startsWith('DnsChecksFunction'));
  const runner = runnerFn ?? { memoryMb: DNS_CHECKS_MEMORY_MB, architecture: 'arm64' as const };
  const failover = inventory.functions.find((f) => f.logicalId.startsWith('DnsFailoverFunction'));
  const reconciles = inventory.schedules.find((s) => /DnsFailoverReconcile/.test(s.logicalId))?.runsPerMonth ?? 0;
  // The keep-alive's schedule from the template when the stack has the runner, else the rate the stack would give it.
  const keepAlives = inventory.schedules.find((s) => /DnsChecksKeepAlive/.test(s.logicalId))?.runsPerMonth ?? (HOURS_PER_MONTH * 60) / DNS_KEEP_ALIVE_MINUTES;
  const keepAliveEvery = Math.round((HOURS_PER_MONTH * 60) / keepAlives);
  const lambda = (what: string, runs: number, fn: { memoryMb: number; architecture: 'arm64' | 'x86_64' }) => [
    line(`${what}: Lambda requests`, runs, 'request', LAMBDA_PER_REQUEST),
    line(`${what}: Lambda duration`, runs * (fn.memoryMb / 1024) * (ASSUMED_SCHEDULED_LAMBDA_MS / 1000), 'GB-second', LAMBDA_PER_GB_SECOND[fn.architecture], {
      note: `assumed ${ASSUMED_SCHEDULED_LAMBDA_MS} ms a run, ${fn.memoryMb} MB`,
    }),
  ];
  const lines = [
    ...dnsChecksCost({ intervalSeconds: DNS_GOAL.intervalSeconds, entrypoints: DNS_GOAL.entrypoints, targets: DNS_GOAL.targets, runner }),
    ...lambda(`DNS checks keep-alive (every ${keepAliveEvery === 1 ? 'minute' : `${keepAliveEvery} minutes`})`, keepAlives, runner),
    ...(failover ? lambda('DNS reconcile (every 5 minutes)', reconciles, failover) : []),
    ...dnsReconcileLines({ entrypoints: DNS_GOAL.entrypoints, targets: DNS_GOAL.targets, runsPerMonth: reconciles }),
  ];
  const totalPerMonth = total(lines);
  return {
    lines,
    totalPerMonth,
    limitPerMonth: DNS_GOAL.limitPerMonth,
    pass: totalPerMonth <= DNS_GOAL.limitPerMonth,
    counted:
      'counted: the check runner (its ticks, their SQS requests and table use, its keep-alive) and the periodic reconcile (function, table, logs), at us-east-1 list prices with no free tier deducted. Not counted: the alarms below (a fixed monthly fee, in the idle stack above), DnsFailover executions (they run only when something changed), Cloudflare (its DNS API is free).',
    notCounted: [
      line('CloudWatch alarms of DNS failover (errors of its two functions, failed DnsFailover executions)', DNS_ALARMS, 'alarm-month', CLOUDWATCH_ALARM_MONTH),
    ],
  };
}
