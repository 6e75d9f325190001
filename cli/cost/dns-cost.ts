import { line } from './idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT, GB, LOGS_INGESTION_PER_GB } from './prices.js';
import type { CostLine } from './types.js';

/** The DNS feature's figures are stated for this many targets (issue 10: 3 entrypoints, 10 targets). */
export const DNS_ASSUMED_TARGETS = 10;

/** What one reconcile writes to its log: its outcome line and the SDK-free summary (measured order of magnitude, 1 KB). */
const RECONCILE_LOG_BYTES = 1024;

export interface DnsReconcileInputs {
  entrypoints: number;
  targets: number;
  /** Reconciles a month (the schedule's rate). */
  runsPerMonth: number;
}

/**
 * The DynamoDB and log cost of the periodic DNS reconcile, beside its schedule's Lambda lines (idle-cost.ts prices
 * those from the template). Per run: one GetItem per node (a heal's lease; the Nodes the run reads are taken as the
 * targets), one Query of the remembered announcements, and per entrypoint a Query of its check states (one 4 KB
 * read unit: ten small items), a Query of its open alerts, and its lease taken and released (two writes). A record change writes audit entries
 * too, but a reconcile that finds DNS as it should be changes nothing: that is the steady state priced here.
 */
export function dnsReconcileLines(input: DnsReconcileInputs): CostLine[] {
  const reads = input.runsPerMonth * (input.targets + 1 + 2 * input.entrypoints);
  const writes = input.runsPerMonth * 2 * input.entrypoints;
  const note = `${input.entrypoints} entrypoints, ${input.targets} targets, ${input.runsPerMonth} reconciles a month`;
  return [
    line('DNS reconcile: DynamoDB reads (leases, check states, announcements, open alerts)', reads, 'read unit', DYNAMODB_PER_READ_UNIT, { note }),
    line('DNS reconcile: DynamoDB writes (entrypoint leases)', writes, 'write unit', DYNAMODB_PER_WRITE_UNIT, { note }),
    line('DNS reconcile: CloudWatch Logs ingested', (input.runsPerMonth * RECONCILE_LOG_BYTES) / GB, 'GB', LOGS_INGESTION_PER_GB, {
      note: '1 KB a run assumed',
    }),
  ];
}
