import { createHash } from 'node:crypto';

/** The longest name each kind of resource may have (AWS's limits). */
export const NAME_LIMITS = {
  /** Lambda FunctionName. */
  function: 64,
  /** Step Functions StateMachineName. */
  stateMachine: 80,
  /** SNS TopicName. */
  topic: 256,
} as const;

export type NamedResource = keyof typeof NAME_LIMITS;

/**
 * What a person sees in the console: `shepherd-<cluster>-<purpose>`, e.g. `shepherd-prod-provision-node`. A name over
 * the limit keeps its purpose and as much of the cluster name as fits, plus a hash of the full name, so two long
 * cluster names never share a name.
 */
export function physicalName(cluster: string, purpose: string, kind: NamedResource): string {
  const full = `shepherd-${cluster}-${purpose}`;
  const limit = NAME_LIMITS[kind];
  if (full.length <= limit) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const room = limit - `shepherd--${hash}-${purpose}`.length;
  if (room < 1) throw new RangeError(`${kind} purpose "${purpose}" leaves no room for the cluster name within ${limit} characters`);
  return `shepherd-${cluster.slice(0, room)}-${hash}-${purpose}`;
}

/**
 * A state machine's log group: under /aws/vendedlogs/states/, so log delivery does not add one entry per log group
 * to the account's CloudWatch Logs resource policy (capped at 5,120 characters, which busy accounts fill).
 */
export function stateMachineLogGroupName(stateMachineName: string): string {
  return `/aws/vendedlogs/states/${stateMachineName}`;
}
