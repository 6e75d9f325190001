import type { ExecutionUsageInput } from './types.js';

/** What one provision used, in the units AWS bills. */
export interface ProvisionUsage {
  pool: string;
  status: string;
  /** State transitions: states entered plus task retries (each retry is billed as a transition). */
  transitions: number;
  retries: number;
  /** Per function (logical id): invocations and billed milliseconds (each rounded up to 1 ms). */
  lambda: Array<{ logicalId: string; invocations: number; billedMs: number }>;
  dynamodb: { writeUnits: number; readUnits: number };
  secretsManagerCalls: number;
  customEvents: number;
  /** What the functions logged plus what the state machine logs (one event per history event, no execution data). */
  logBytes: number;
}

const WRITE_OPS: Record<string, number> = { PutItem: 1, UpdateItem: 1, DeleteItem: 1, BatchWriteItem: 1, TransactWriteItems: 2 };
const READ_OPS: Record<string, number> = { GetItem: 1, Query: 1, Scan: 1, BatchGetItem: 1, TransactGetItems: 2 };

/**
 * Turns a recorded execution into billed units. DynamoDB: one request unit per item (items under 1 KB written,
 * under 4 KB read strongly consistent; transactions count twice), as on-demand bills small items.
 */
export function provisionUsage(e: ExecutionUsageInput): ProvisionUsage {
  const entered = e.history.filter((h) => h.type.endsWith('StateEntered')).length;
  const taskEntries = e.history.filter((h) => h.type === 'TaskStateEntered').length;
  const attempts = e.history.filter((h) => h.type === 'TaskScheduled' || h.type === 'LambdaFunctionScheduled').length;
  const retries = Math.max(0, attempts - taskEntries);
  const lambda = new Map<string, { logicalId: string; invocations: number; billedMs: number }>();
  for (const inv of e.invocations) {
    const f = lambda.get(inv.logicalId) ?? { logicalId: inv.logicalId, invocations: 0, billedMs: 0 };
    f.invocations++;
    f.billedMs += Math.max(1, Math.ceil(inv.wallMs));
    lambda.set(inv.logicalId, f);
  }
  let writeUnits = 0;
  let readUnits = 0;
  let secretsManagerCalls = 0;
  let customEvents = 0;
  for (const [target, count] of Object.entries(e.awsCalls)) {
    const [service, op] = target.split('.');
    const units = (weight: number | undefined) => (weight ?? 0) * (op.startsWith('Batch') || op.startsWith('Transact') ? count.items : count.requests);
    if (service.startsWith('DynamoDB_')) {
      writeUnits += units(WRITE_OPS[op]);
      readUnits += units(READ_OPS[op]);
    } else if (service === 'secretsmanager') secretsManagerCalls += count.requests;
    else if (service === 'AWSEvents' && op === 'PutEvents') customEvents += count.items;
  }
  const stateMachineLogBytes = e.history.reduce((n, h) => n + Buffer.byteLength(JSON.stringify(withoutData(h))), 0);
  return {
    pool: e.pool,
    status: e.status,
    transitions: entered + retries,
    retries,
    lambda: [...lambda.values()],
    dynamodb: { writeUnits, readUnits },
    secretsManagerCalls,
    customEvents,
    logBytes: e.functionLogBytes + stateMachineLogBytes,
  };
}

/** A history event as logged with includeExecutionData false: its input and output left out. */
function withoutData(event: object): object {
  return JSON.parse(JSON.stringify(event, (key, value) => (['input', 'output', 'parameters'].includes(key) ? undefined : value)));
}
