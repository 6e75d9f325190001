import { hostname, userInfo } from 'node:os';
import { DynamoRemediationSwitchStore, type RemediationSwitch, type SwitchChange } from '../functions/adapters/store/remediation-switch.js';
import { helpOption } from './args.js';
import { dynamoClient } from './aws-clients.js';
import type { CliContext } from './context.js';
import { CommandError } from './errors.js';
import { localOptions, localTarget } from './local-target.js';

/** The options `shepherd pause` and `shepherd resume` share. */
export const switchOptions = {
  ...helpOption,
  ...localOptions,
  table: { type: 'string' },
  by: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const switchOptionsUsage = `  --local            use the local control plane (\`shepherd local\`) and its table
  --endpoints PATH   its endpoints file, implies --local (default: env SHEPHERD_LOCAL_ENDPOINTS,
                     else .shepherd/local.json)
  --table NAME       the DynamoDB table (default: the local control plane's, else env SHEPHERD_TABLE;
                     on AWS it is the stack output TableName)
  --by NAME          who does it, recorded in the table (default: user@host)
  --json             machine-readable output`;

export interface SwitchValues {
  local?: boolean;
  endpoints?: string;
  table?: string;
  by?: string;
}

/** Runs one change of the switch against the table `values` name (local control plane or AWS). */
export async function changeSwitch(
  values: SwitchValues,
  ctx: CliContext,
  change: (store: DynamoRemediationSwitchStore, by: string) => Promise<SwitchChange>,
): Promise<SwitchChange> {
  const local = localTarget(values, ctx.env);
  const table = values.table || local?.tableName || ctx.env.SHEPHERD_TABLE;
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  try {
    return await change(new DynamoRemediationSwitchStore(table, client), operator(values.by, ctx.env));
  } finally {
    client.destroy();
  }
}

/** Who runs the command, as the table records it: --by, else the login name and host. */
function operator(by: string | undefined, env: NodeJS.ProcessEnv): string {
  if (by !== undefined && by.trim() !== '') return by.trim().slice(0, 200);
  const user = env.USER || env.USERNAME || safeUserName();
  return `${user}@${hostname()}`;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** One line for `shepherd status`: "Remediation: active" or "Remediation: paused since ... by ...: reason". */
export function describeSwitch(state: RemediationSwitch): string {
  return state.paused ? `Remediation: paused since ${state.since} by ${state.by}: ${state.reason}` : 'Remediation: active';
}
