import type { AuditEntry } from '../../functions/adapters/store/audit-log.js';
import { DynamoNodeHistory } from '../../functions/adapters/store/node-history.js';
import { executionName } from '../../functions/decisions/node-lease.js';
import { helpOption, parseCommandArgs } from '../args.js';
import { dynamoClient } from '../aws-clients.js';
import { type CliContext, processContext } from '../context.js';
import { CommandError, UsageError } from '../errors.js';
import { localOptions, localTarget } from '../local-target.js';
import { textTable } from '../text-table.js';

export const summary = "print one node's audit log, oldest first";

export const usage = `usage: shepherd history NODE [--local [--endpoints PATH]] [--table NAME] [--json]

Every audit entry shepherd wrote about the Node named NODE (provisioned, removal started, healed...), from the
table, oldest first. Entries are kept 90 days.

  --local            use the local control plane (\`shepherd local\`) and its table
  --endpoints PATH   its endpoints file, implies --local (default: env SHEPHERD_LOCAL_ENDPOINTS,
                     else .shepherd/local.json)
  --table NAME       the DynamoDB table (default: the local control plane's, else env SHEPHERD_TABLE;
                     on AWS it is the stack output TableName)
  --json             machine-readable output`;

const options = { ...helpOption, ...localOptions, table: { type: 'string' }, json: { type: 'boolean' } } as const;

/** A value longer than this is cut in the table (--json has it whole). */
const MAX_VALUE = 80;

export interface NodeHistoryReport {
  node: string;
  /** Oldest first. */
  entries: AuditEntry[];
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 1);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const node = positionals[0]?.trim();
  if (!node) throw new UsageError('which node? pass its name (as `kubectl get nodes` shows it)');
  const local = localTarget(values, ctx.env);
  const table = values.table || local?.tableName || ctx.env.SHEPHERD_TABLE;
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  let report: NodeHistoryReport;
  try {
    report = { node, entries: await new DynamoNodeHistory(table, client).entries(node) };
  } finally {
    client.destroy();
  }
  if (values.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.stdout(humanHistory(report, table));
  return 0;
}

function humanHistory(r: NodeHistoryReport, table: string): string {
  if (r.entries.length === 0) {
    return `No history for node ${r.node}: no audit entry in table ${table} names it. Check the name (\`kubectl get nodes\`); entries are kept 90 days.\n`;
  }
  const rows = r.entries.map((e) => [e.at, e.event, details(e.detail)]);
  const count = r.entries.length === 1 ? '1 entry' : `${r.entries.length} entries`;
  return `History of node ${r.node} (${count}, oldest first)\n${textTable(['TIME', 'EVENT', 'DETAILS'], rows)}\n`;
}

/** `key=value` pairs, the node's name left out (it is the title); executions by name, long values cut. */
function details(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([key, value]) => key !== 'nodeName' && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${shown(value)}`)
    .join(' ');
}

function shown(value: unknown): string {
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:/.test(text)) text = executionName(text);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
