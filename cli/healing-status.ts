import { DescribeExecutionCommand, paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';
import { DynamoWatcherSnapshotStore } from '../functions/adapters/store/watcher-snapshot.js';
import type { WatcherSnapshot } from '../functions/decisions/watcher/types.js';
import { physicalName } from '../infra/physical-names.js';
import { dynamoClient, stepFunctionsClient } from './aws-clients.js';
import type { NodeRow } from './cluster-nodes.js';
import { CommandError } from './errors.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { listStateMachines } from './state-machines.js';

/** A Node the cluster watcher remembers as not fine: NotReady, or its VM missing from its provider's list. */
export interface UnhealthyNodeRow {
  node: string;
  /** From the Node's labels, when the cluster could be read and the Node is still there. */
  pool?: string;
  provider?: string;
  /** The Ready condition's last transition to False/Unknown. */
  notReadySince?: string;
  /** The first pass whose complete list of the provider's VMs lacked the Node's VM. */
  vmMissingSince?: string;
  /** When the VM-gone event went out. */
  vmGoneAt?: string;
}

/** The cluster watcher's last recorded pass (its snapshot in the table). */
export interface WatcherPassRow {
  /**
   * When the last pass that changed the snapshot started. While the API is reachable that is every pass (the snapshot
   * records the time); while it is not, nothing changes, so this is the pass that first found it unreachable.
   */
  lastPassAt?: string;
  apiReachable: boolean;
  lastReachableAt?: string;
  unreachableSince?: string;
  /** Degraded providers or regions (`<provider>` or `<provider>/<region>`) and since when. */
  degraded: Record<string, string>;
}

/** A running execution of the heal-node workflow. */
export interface HealRow {
  execution: string;
  executionArn: string;
  startDate?: string;
  /** From its input. */
  nodeName?: string;
  reason?: string;
}

export interface HealsInFlight {
  /** `shepherd-<cluster>-heal-node`. */
  stateMachine: string;
  /** False until a stack with the heal-node workflow is deployed; nothing is in flight then. */
  deployed: boolean;
  running: HealRow[];
}

/** How many running heals are described (their input read); past that they are listed by name only. */
const DESCRIBED_HEALS = 50;

/** The watcher's snapshot: its unhealthy Nodes (joined with the cluster's labels) and its last pass; null before its first. */
export async function readWatcher(
  table: string | undefined,
  local: LocalEndpoints | undefined,
  nodes: Promise<NodeRow[]>,
): Promise<{ watcher: WatcherPassRow | null; unhealthy: UnhealthyNodeRow[] }> {
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  try {
    const stored = await new DynamoWatcherSnapshotStore(table, client).read();
    if (stored.generation === 0) return { watcher: null, unhealthy: [] };
    const labelled = await nodes.catch(() => [] as NodeRow[]);
    return { watcher: watcherPass(stored.snapshot, stored.savedAt), unhealthy: unhealthyNodes(stored.snapshot, labelled) };
  } finally {
    client.destroy();
  }
}

export function watcherPass(snapshot: WatcherSnapshot, savedAt: string | undefined): WatcherPassRow {
  const { lastReachableAt, unreachableSince } = snapshot.api;
  return {
    ...((savedAt ?? lastReachableAt) ? { lastPassAt: savedAt ?? lastReachableAt } : {}),
    apiReachable: unreachableSince === undefined,
    ...(lastReachableAt ? { lastReachableAt } : {}),
    ...(unreachableSince ? { unreachableSince } : {}),
    degraded: snapshot.degraded,
  };
}

/** The Nodes the snapshot remembers, NotReady longest first, then by name. */
export function unhealthyNodes(snapshot: WatcherSnapshot, nodes: NodeRow[]): UnhealthyNodeRow[] {
  const labels = new Map(nodes.map((n) => [n.name, n]));
  return Object.entries(snapshot.nodes)
    .map(([node, memory]) => {
      const row = labels.get(node);
      return {
        node,
        ...(row?.pool ? { pool: row.pool } : {}),
        ...(row?.provider ? { provider: row.provider } : {}),
        ...(memory.notReadySince ? { notReadySince: memory.notReadySince } : {}),
        ...(memory.vmMissingSince ? { vmMissingSince: memory.vmMissingSince } : {}),
        ...(memory.vmGoneAt ? { vmGoneAt: memory.vmGoneAt } : {}),
      };
    })
    .sort((a, b) => byText(a.notReadySince ?? NEVER, b.notReadySince ?? NEVER) || byText(a.node, b.node));
}

/** Sorts after every ISO time. */
const NEVER = '~';

/** Code-point order (localeCompare would put '~' before digits). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Running executions of `shepherd-<cluster>-heal-node`, oldest first; none while it is not deployed. */
export async function readHeals(cluster: string, local: LocalEndpoints | undefined): Promise<HealsInFlight> {
  const stateMachine = physicalName(cluster, 'heal-node', 'stateMachine');
  const sfn = stepFunctionsClient(local);
  try {
    const machine = (await listStateMachines(sfn)).find((m) => m.name === stateMachine);
    if (!machine) return { stateMachine, deployed: false, running: [] };
    const running: HealRow[] = [];
    for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn: machine.stateMachineArn, statusFilter: 'RUNNING' })) {
      for (const e of page.executions ?? []) {
        if (!e.executionArn || !e.name) continue;
        running.push({ execution: e.name, executionArn: e.executionArn, ...(e.startDate ? { startDate: e.startDate.toISOString() } : {}) });
      }
    }
    running.sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? ''));
    await Promise.all(running.slice(0, DESCRIBED_HEALS).map((row) => describeHeal(sfn, row)));
    return { stateMachine, deployed: true, running };
  } finally {
    sfn.destroy();
  }
}

/** Adds the node and reason from the execution's input (HealNode's contract); an input it cannot read adds nothing. */
async function describeHeal(sfn: SFNClient, row: HealRow): Promise<void> {
  const out = await sfn.send(new DescribeExecutionCommand({ executionArn: row.executionArn }));
  let input: { nodeName?: unknown; reason?: unknown } = {};
  try {
    input = JSON.parse(out.input ?? '{}');
  } catch {
    return;
  }
  if (typeof input.nodeName === 'string') row.nodeName = input.nodeName;
  if (typeof input.reason === 'string') row.reason = input.reason;
}
