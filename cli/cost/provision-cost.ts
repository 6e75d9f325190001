import { line } from './idle-cost.js';
import {
  DYNAMODB_PER_READ_UNIT,
  DYNAMODB_PER_WRITE_UNIT,
  EVENTBRIDGE_PER_CUSTOM_EVENT,
  GB,
  LAMBDA_PER_GB_SECOND,
  LAMBDA_PER_REQUEST,
  LOGS_INGESTION_PER_GB,
  LOGS_STORAGE_PER_GB_MONTH,
  SECRETS_MANAGER_PER_CALL,
  SFN_EXPRESS_PER_REQUEST,
  SFN_STANDARD_PER_TRANSITION,
  XRAY_PER_TRACE,
} from './prices.js';
import type { ProvisionUsage } from './provision-usage.js';
import type { StackInventory } from './template-inventory.js';
import type { CostLine } from './types.js';

/** Logs kept this long when the template sets no retention (CloudWatch keeps them forever; a year is the horizon priced). */
const UNSET_RETENTION_DAYS = 365;
const DAYS_PER_MONTH = 365 / 12;

/** What one ProvisionNode execution costs, from what a local run of it used. */
export function provisionCost(usage: ProvisionUsage, inv: StackInventory, stateMachineId?: string): CostLine[] {
  const machine = inv.stateMachines.find((m) => m.logicalId === stateMachineId) ?? inv.stateMachines[0];
  const lines: CostLine[] =
    machine?.type === 'EXPRESS'
      ? [line('Step Functions Express requests', 1, 'request', SFN_EXPRESS_PER_REQUEST, { note: 'duration not included' })]
      : [
          line('Step Functions state transitions', usage.transitions, 'transition', SFN_STANDARD_PER_TRANSITION, {
            note: `counted in the local execution history (${usage.retries} retries)`,
          }),
        ];
  const invocations = usage.lambda.reduce((n, f) => n + f.invocations, 0);
  lines.push(line('Lambda requests', invocations, 'request', LAMBDA_PER_REQUEST, { note: 'counted in the local run' }));
  for (const f of usage.lambda) {
    const fn = inv.functions.find((x) => x.logicalId === f.logicalId);
    const memoryGb = (fn?.memoryMb ?? 128) / 1024;
    lines.push(
      line(`Lambda ${f.logicalId} duration`, memoryGb * (f.billedMs / 1000), 'GB-second', LAMBDA_PER_GB_SECOND[fn?.architecture ?? 'x86_64'], {
        note: `${f.invocations} calls, ${f.billedMs} ms: local wall time stands in for Lambda's billed duration`,
      }),
    );
  }
  lines.push(
    line('DynamoDB write request units', usage.dynamodb.writeUnits, 'write unit', DYNAMODB_PER_WRITE_UNIT, { note: 'calls counted in the local run' }),
    line('DynamoDB read request units', usage.dynamodb.readUnits, 'read unit', DYNAMODB_PER_READ_UNIT, { note: 'calls counted in the local run' }),
  );
  if (usage.secretsManagerCalls > 0) lines.push(line('Secrets Manager API calls', usage.secretsManagerCalls, 'call', SECRETS_MANAGER_PER_CALL));
  if (usage.customEvents > 0) lines.push(line('EventBridge custom events', usage.customEvents, 'event', EVENTBRIDGE_PER_CUSTOM_EVENT));
  if (machine?.tracing) lines.push(line('X-Ray traces', 1, 'trace', XRAY_PER_TRACE, { note: 'one trace per execution' }));
  const gb = usage.logBytes / GB;
  const retentionDays = Math.max(...inv.functions.map((f) => f.logRetentionDays ?? UNSET_RETENTION_DAYS), machine?.logRetentionDays ?? UNSET_RETENTION_DAYS);
  lines.push(
    line('CloudWatch Logs ingestion', gb, 'GB', LOGS_INGESTION_PER_GB, {
      note: `${usage.logBytes} bytes: the functions' log lines and the state machine's events, as logged locally`,
    }),
    line('CloudWatch Logs storage', gb * (retentionDays / DAYS_PER_MONTH), 'GB-month', LOGS_STORAGE_PER_GB_MONTH, {
      note: `kept up to ${retentionDays} days (the longest retention in the template)`,
    }),
  );
  return lines;
}
