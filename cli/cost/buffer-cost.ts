import { line } from './idle-cost.js';
import { DYNAMODB_PER_READ_UNIT, DYNAMODB_PER_WRITE_UNIT, GB, LOGS_INGESTION_PER_GB } from './prices.js';
import type { StackInventory } from './template-inventory.js';
import type { CostLine } from './types.js';

/** What one buffer reconcile writes to its log: its one outcome line with the plan's summary (about 0.5 KB; 1 KB assumed). */
const RECONCILE_LOG_BYTES = 1024;

/** Runs a month of the buffer reconcile's schedule (infra/constructs/scale-buffer-triggers.ts `Reconcile`); 0 without one. */
export function bufferReconcileRuns(inventory: StackInventory): number {
  return inventory.schedules.find((s) => /^ScaleBufferTriggersReconcile/.test(s.logicalId))?.runsPerMonth ?? 0;
}

export interface BufferReconcileInputs {
  /** `buffers.pools`. */
  pools: number;
  /** Reconciles a month (the schedule's rate). */
  runsPerMonth: number;
}

/**
 * The DynamoDB and log cost of the scheduled buffer reconcile (the scale-buffer function's `reconcile` action), beside
 * its schedule's Lambda lines (idle-cost.ts prices those from the template). Per run, all strongly consistent GetItems
 * of small items (one read unit each): per buffer pool its memory (`BUFFER#<pool>`) and its claim counter
 * (`POOL#<pool>`), then the cluster memory (`BUFFER`/`CLUSTER`) and the pause switch. It writes (one UpdateItem of the
 * unneeded nodes' times) only when that set changes, and starts an execution only when the plan acts: neither happens
 * in the steady state priced here, where the pools sit at their min.
 */
export function bufferReconcileLines(input: BufferReconcileInputs): CostLine[] {
  const reads = input.runsPerMonth * (2 * input.pools + 2);
  const note = `${input.pools} buffer pools, ${input.runsPerMonth} reconciles a month`;
  return [
    line('Buffer reconcile: DynamoDB reads (pool memory and claims, cluster memory, pause switch)', reads, 'read unit', DYNAMODB_PER_READ_UNIT, { note }),
    line('Buffer reconcile: DynamoDB writes (unneeded nodes, only when they change)', 0, 'write unit', DYNAMODB_PER_WRITE_UNIT, {
      note: 'none in the steady state; one per run that finds the set of unneeded buffer nodes changed',
    }),
    line('Buffer reconcile: CloudWatch Logs ingested', (input.runsPerMonth * RECONCILE_LOG_BYTES) / GB, 'GB', LOGS_INGESTION_PER_GB, {
      note: '1 KB a run assumed',
    }),
  ];
}
