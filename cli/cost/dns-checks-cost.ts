import { batchTicks } from '../../functions/decisions/dns/check-ticks.js';
import { line } from './idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT, HOURS_PER_MONTH, LAMBDA_PER_GB_SECOND, LAMBDA_PER_REQUEST, SQS_PER_REQUEST } from './prices.js';
import type { CostLine } from './types.js';

/** A round is priced as if it took this long (a Node list, probes that connect in tens of ms, a few table calls); a dead target's probe waits its whole timeout. */
export const ASSUMED_ROUND_MS = 300;
/**
 * Pollers an idle SQS event source mapping keeps long-polling (20 s each): Lambda "scales back the processing to five
 * concurrent batches, and can optimize to as few as 2" ("Configuring scaling behavior for SQS event source mappings",
 * Lambda Developer Guide). Five is the bound priced.
 */
export const IDLE_POLLERS = 5;
const LONG_POLL_SECONDS = 20;
/** An eventually consistent read of up to 4 KB takes half a read request unit ("Read request units", DynamoDB pricing). */
export const EVENTUALLY_CONSISTENT_READ_UNITS = 0.5;
/** A steady state is written again every hour (decisions/dns/check-round.ts, REFRESH_AFTER_MS). */
const REFRESHES_PER_TARGET_MONTH = HOURS_PER_MONTH;

export interface DnsChecksUsage {
  intervalSeconds: number;
  /** Entrypoints with an active check. */
  entrypoints: number;
  /** Addresses probed, all entrypoints together. */
  targets: number;
  runner: { memoryMb: number; architecture: 'arm64' | 'x86_64' };
}

/**
 * The monthly cost of the DNS active checks (infra/constructs/dns-checks.ts) in steady state: one tick every
 * interval, each a Lambda invocation through the SQS event source mapping (the receive that returns it, the mapping's
 * delete) and one Query of the check states per entrypoint; one SendMessageBatch and one conditional write of the
 * chain's item per batch of ticks (decisions/dns/check-ticks.ts: a lead sends the next ten; ten ticks' bodies are far
 * under the 64 KB SQS bills as one request); the pollers' empty long polls. A target's state is written when it
 * changes and once an hour otherwise. The keep-alive's invocations are priced beside (dns-goal.ts).
 */
export function dnsChecksCost(u: DnsChecksUsage): CostLine[] {
  const seconds = HOURS_PER_MONTH * 3600;
  const ticks = seconds / u.intervalSeconds;
  const perBatch = batchTicks(u.intervalSeconds);
  const batches = ticks / perBatch;
  const emptyPolls = IDLE_POLLERS * (seconds / LONG_POLL_SECONDS);
  return [
    line('DNS checks: Lambda requests (one a tick)', ticks, 'request', LAMBDA_PER_REQUEST, { note: `a tick every ${u.intervalSeconds} s` }),
    line(
      'DNS checks: Lambda duration',
      ticks * (u.runner.memoryMb / 1024) * (ASSUMED_ROUND_MS / 1000),
      'GB-second',
      LAMBDA_PER_GB_SECOND[u.runner.architecture],
      {
        note: `assumed ${ASSUMED_ROUND_MS} ms a round, ${u.runner.memoryMb} MB`,
      },
    ),
    line('DNS checks: SQS SendMessageBatch (one a batch), receive and delete of each tick', batches + 2 * ticks, 'request', SQS_PER_REQUEST, {
      note: `${perBatch} ticks a batch`,
    }),
    line("DNS checks: SQS empty long polls of the event source mapping's pollers", emptyPolls, 'request', SQS_PER_REQUEST, {
      note: `${IDLE_POLLERS} pollers, one ${LONG_POLL_SECONDS} s poll each at a time (an upper bound; Lambda may use 2); the first million SQS requests a month are free`,
    }),
    line(
      "DNS checks: DynamoDB writes (the chain's item once a batch, a target's state on change or hourly)",
      batches + u.targets * REFRESHES_PER_TARGET_MONTH,
      'write unit',
      DYNAMODB_PER_WRITE_UNIT,
    ),
    line(
      'DNS checks: DynamoDB reads (the check states, one Query per entrypoint a tick)',
      ticks * u.entrypoints * EVENTUALLY_CONSISTENT_READ_UNITS,
      'read unit',
      DYNAMODB_PER_READ_UNIT,
      { note: 'eventually consistent (half a unit), under 4 KB' },
    ),
  ];
}
