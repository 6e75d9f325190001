import { type ExecutionListItem, type ExecutionStatus, paginateListExecutions } from '@aws-sdk/client-sfn';
import { helpOption, integerOption, parseCommandArgs } from '../args.js';
import { stepFunctionsClient } from '../aws-clients.js';
import { type CliContext, processContext } from '../context.js';
import { localOptions, localTarget } from '../local-target.js';
import { type ShepherdStateMachine, shepherdStateMachines } from '../state-machines.js';
import { textTable } from '../text-table.js';
import { matchStateMachine } from '../workflow-match.js';

export const summary = "list shepherd's workflow executions, newest first";

export const usage = `usage: shepherd executions [--running] [--workflow NAME] [--limit N] [--local [--endpoints PATH]] [--json]

  --running          only executions still running
  --workflow NAME    only this workflow's (e.g. provision-node)
  --limit N          at most N executions (default 20)
  --local            use the local control plane (\`shepherd local\`) instead of AWS
  --endpoints PATH   its endpoints file, implies --local
  --json             machine-readable output

Follow one with \`shepherd watch <name>\`.`;

const options = {
  ...helpOption,
  ...localOptions,
  running: { type: 'boolean' },
  workflow: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_LIMIT = 20;

export interface ExecutionRow {
  name: string;
  workflow: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  executionArn: string;
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const limit = integerOption('limit', values.limit, 1) ?? DEFAULT_LIMIT;
  const sfn = stepFunctionsClient(localTarget(values, ctx.env));
  try {
    let machines = await shepherdStateMachines(sfn);
    if (values.workflow) machines = [matchStateMachine(values.workflow, machines) as ShepherdStateMachine];
    const statusFilter: ExecutionStatus | undefined = values.running ? 'RUNNING' : undefined;
    const rows: ExecutionRow[] = [];
    for (const machine of machines) {
      // Each machine lists newest first, so its first `limit` are all it can contribute.
      let taken = 0;
      for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn: machine.stateMachineArn, statusFilter })) {
        for (const e of page.executions ?? []) {
          if (taken++ >= limit) break;
          rows.push(row(e, machine.workflow));
        }
        if (taken >= limit) break;
      }
    }
    rows.sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? ''));
    const shown = rows.slice(0, limit);
    if (values.json) ctx.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    else if (shown.length === 0) ctx.stdout(values.running ? 'no running executions\n' : 'no executions\n');
    else
      ctx.stdout(
        `${textTable(
          ['NAME', 'WORKFLOW', 'STATUS', 'STARTED', 'DURATION'],
          shown.map((r) => [r.name, r.workflow, r.status, r.startDate, duration(r)]),
        )}\n`,
      );
    return 0;
  } finally {
    sfn.destroy();
  }
}

function row(e: ExecutionListItem, workflow: string): ExecutionRow {
  return {
    name: e.name ?? '',
    workflow,
    status: e.status ?? '',
    startDate: e.startDate?.toISOString(),
    stopDate: e.stopDate?.toISOString(),
    executionArn: e.executionArn ?? '',
  };
}

function duration(r: ExecutionRow): string {
  if (!r.startDate) return '';
  const ms = (r.stopDate ? Date.parse(r.stopDate) : Date.now()) - Date.parse(r.startDate);
  const s = Math.max(0, Math.round(ms / 1000));
  // Under a second is not "0s" (see elapsed in execution-progress.ts).
  const text =
    ms < 500
      ? '<1s'
      : s < 120
        ? `${s}s`
        : s < 7200
          ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
          : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return r.stopDate ? text : `${text} so far`;
}
