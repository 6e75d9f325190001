import { IDLE_POLLERS } from './dns-checks-cost.js';
import { line } from './idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT, HOURS_PER_MONTH, LAMBDA_PER_GB_SECOND, LAMBDA_PER_REQUEST, SQS_PER_REQUEST } from './prices.js';
import type { CostLine } from './types.js';

/** A hint round is priced as if it took this long: a Node list, a pending-pod list, a GetItem and the chain's calls (an assumption). */
export const ASSUMED_HINT_ROUND_MS = 300;
const LONG_POLL_SECONDS = 20;

export interface ClusterHintsUsage {
  intervalSeconds: number;
  runner: { memoryMb: number; architecture: 'arm64' | 'x86_64' };
}

/**
 * The monthly cost of the cluster hints (infra/constructs/cluster-hints.ts, deployed with buffer pools) in steady
 * state: one tick every interval, each a Lambda invocation through the SQS event source mapping (SendMessage, the
 * receive, the delete), the mapping's pollers' empty long polls, one conditional write of the chain's item and one
 * strongly consistent read of the watcher's snapshot (one read unit: it is under 4 KB in a healthy cluster). The
 * keep-alive is priced with the other schedules; the watcher passes a hint starts happen only when a Node went
 * NotReady or pods went unschedulable, and each is one the watcher would have run within the minute anyway.
 */
export function clusterHintsCost(u: ClusterHintsUsage): CostLine[] {
  const seconds = HOURS_PER_MONTH * 3600;
  const ticks = seconds / u.intervalSeconds;
  const emptyPolls = IDLE_POLLERS * (seconds / LONG_POLL_SECONDS);
  return [
    line('Cluster hints: Lambda requests (one a tick)', ticks, 'request', LAMBDA_PER_REQUEST, {
      note: `a tick every ${u.intervalSeconds} s (watcher.hintSeconds)`,
    }),
    line(
      'Cluster hints: Lambda duration',
      ticks * (u.runner.memoryMb / 1024) * (ASSUMED_HINT_ROUND_MS / 1000),
      'GB-second',
      LAMBDA_PER_GB_SECOND[u.runner.architecture],
      {
        note: `assumed ${ASSUMED_HINT_ROUND_MS} ms a round, ${u.runner.memoryMb} MB`,
      },
    ),
    line('Cluster hints: SQS SendMessage, receive and delete of each tick', 3 * ticks, 'request', SQS_PER_REQUEST),
    line("Cluster hints: SQS empty long polls of the event source mapping's pollers", emptyPolls, 'request', SQS_PER_REQUEST, {
      note: `${IDLE_POLLERS} pollers, one ${LONG_POLL_SECONDS} s poll each at a time (an upper bound; Lambda may use 2)`,
    }),
    line("Cluster hints: DynamoDB writes (the chain's item each tick)", ticks, 'write unit', DYNAMODB_PER_WRITE_UNIT),
    line("Cluster hints: DynamoDB reads (the watcher's snapshot each tick)", ticks, 'read unit', DYNAMODB_PER_READ_UNIT, {
      note: 'strongly consistent, under 4 KB while the cluster is healthy',
    }),
  ];
}
