import {
  CLOUDWATCH_ALARM_MONTH,
  CLOUDWATCH_COMPOSITE_ALARM_MONTH,
  DYNAMODB_PITR_PER_GB_MONTH,
  DYNAMODB_STORAGE_PER_GB_MONTH,
  GB,
  KMS_KEY_MONTH,
  LAMBDA_PER_GB_SECOND,
  LAMBDA_PER_REQUEST,
  SCHEDULER_PER_INVOCATION,
  SECRETS_MANAGER_PER_SECRET_MONTH,
  SFN_EXPRESS_PER_REQUEST,
  SFN_STANDARD_PER_TRANSITION,
  SSM_ADVANCED_PARAMETER_MONTH,
  SSM_STANDARD_PARAMETER_MONTH,
} from './prices.js';
import type { SecretReference } from './secret-references.js';
import type { ScheduleInfo, StackInventory } from './template-inventory.js';
import type { CostLine } from './types.js';

/** A scheduled function whose duration was never measured is priced as if each run took this long (an assumption). */
export const ASSUMED_SCHEDULED_LAMBDA_MS = 1000;

export interface IdleInputs {
  inventory: StackInventory;
  secrets: readonly SecretReference[];
  /** Nodes in the cluster. */
  nodes: number;
  /** Table bytes each node keeps (claims, node record, audit), and where that figure comes from. */
  tableBytesPerNode: { bytes: number; source: string };
}

/** What the stack costs a month with no workflow running, VMs aside, for a cluster of `nodes` nodes. */
export function idleCost(input: IdleInputs): CostLine[] {
  const { inventory: inv, secrets } = input;
  const lines: CostLine[] = [line('CloudWatch alarms', inv.alarms, 'alarm-month', CLOUDWATCH_ALARM_MONTH)];
  if (inv.compositeAlarms > 0) lines.push(line('CloudWatch composite alarms', inv.compositeAlarms, 'alarm-month', CLOUDWATCH_COMPOSITE_ALARM_MONTH));
  lines.push(
    line(
      'Secrets Manager secrets named in the config',
      secrets.filter((s) => s.kind === 'secrets-manager').length,
      'secret-month',
      SECRETS_MANAGER_PER_SECRET_MONTH,
    ),
    line(
      'SSM SecureString parameters named in the config',
      secrets.filter((s) => s.kind === 'ssm-parameter').length,
      'parameter-month',
      SSM_STANDARD_PARAMETER_MONTH,
      {
        note: 'standard tier assumed; a value over 4 KB (a large kubeconfig) needs the advanced tier at $0.05 a month',
      },
    ),
  );
  if (inv.secretsManagerSecrets > 0) {
    lines.push(line('Secrets Manager secrets the stack creates', inv.secretsManagerSecrets, 'secret-month', SECRETS_MANAGER_PER_SECRET_MONTH));
  }
  if (inv.ssmParameters.advanced > 0) {
    lines.push(line('SSM advanced parameters the stack creates', inv.ssmParameters.advanced, 'parameter-month', SSM_ADVANCED_PARAMETER_MONTH));
  }
  if (inv.kmsKeys > 0) lines.push(line('KMS customer managed keys', inv.kmsKeys, 'key-month', KMS_KEY_MONTH));
  const tableGb = (input.nodes * input.tableBytesPerNode.bytes) / GB;
  for (const [i, table] of inv.tables.entries()) {
    // All of shepherd's items live in one table; a second table would hold none of the per-node items.
    const gb = i === 0 ? tableGb : 0;
    const source = `${input.nodes} nodes × ${input.tableBytesPerNode.bytes} bytes (${input.tableBytesPerNode.source})`;
    lines.push(line(`DynamoDB storage, table ${table.logicalId}`, gb, 'GB-month', DYNAMODB_STORAGE_PER_GB_MONTH, { note: source }));
    if (table.pitr) lines.push(line(`DynamoDB point-in-time recovery, table ${table.logicalId}`, gb, 'GB-month', DYNAMODB_PITR_PER_GB_MONTH, { note: source }));
  }
  for (const s of inv.schedules) lines.push(...scheduleLines(s, inv));
  lines.push(
    line('CloudWatch Logs storage', 0, 'GB-month', 0, { note: 'no floor: only what provisions log is stored (priced per provision)' }),
    line('Step Functions state machines, Lambda functions, event bus', inv.stateMachines.length + inv.functions.length, 'resource', 0, {
      note: 'billed per use only',
    }),
  );
  return lines;
}

/** A schedule costs its triggers plus one run of each target per trigger. */
function scheduleLines(s: ScheduleInfo, inv: StackInventory): CostLine[] {
  if (s.runsPerMonth === undefined) {
    return [line(`Schedule ${s.logicalId} (${s.expression})`, 0, 'run', 0, { note: 'cron schedules are not estimated; give it a rate() to price it' })];
  }
  const runs = s.runsPerMonth;
  const lines: CostLine[] = [];
  if (s.service === 'scheduler') lines.push(line(`Schedule ${s.logicalId} triggers`, runs, 'invocation', SCHEDULER_PER_INVOCATION));
  for (const target of s.targets) {
    const fn = inv.functions.find((f) => f.logicalId === target);
    const machine = inv.stateMachines.find((m) => m.logicalId === target);
    if (fn) {
      const gbSeconds = runs * (fn.memoryMb / 1024) * (ASSUMED_SCHEDULED_LAMBDA_MS / 1000);
      lines.push(
        line(`Schedule ${s.logicalId}: Lambda ${target} requests`, runs, 'request', LAMBDA_PER_REQUEST),
        line(`Schedule ${s.logicalId}: Lambda ${target} duration`, gbSeconds, 'GB-second', LAMBDA_PER_GB_SECOND[fn.architecture], {
          note: `assumed ${ASSUMED_SCHEDULED_LAMBDA_MS} ms a run`,
        }),
      );
    } else if (machine?.type === 'EXPRESS') {
      lines.push(line(`Schedule ${s.logicalId}: Express ${target} requests`, runs, 'request', SFN_EXPRESS_PER_REQUEST, { note: 'duration not included' }));
    } else if (machine) {
      lines.push(
        line(`Schedule ${s.logicalId}: ${target} transitions`, runs * (machine.states ?? 1), 'transition', SFN_STANDARD_PER_TRANSITION, {
          note: 'each state entered once a run (a lower bound)',
        }),
      );
    }
  }
  return lines;
}

export function line(item: string, quantity: number, unit: string, unitPrice: number, extra: { note?: string } = {}): CostLine {
  return { item, quantity, unit, unitPrice, cost: quantity * unitPrice, ...extra };
}

export function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.cost, 0);
}
