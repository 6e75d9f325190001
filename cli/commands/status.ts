import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import type { Claim } from '../../functions/adapters/store/claims.js';
import { DynamoClaimStore } from '../../functions/adapters/store/claims.js';
import { DynamoNodeLeaseStore } from '../../functions/adapters/store/node-lease.js';
import { DynamoRemediationSwitchStore, type RemediationSwitch } from '../../functions/adapters/store/remediation-switch.js';
import { executionName } from '../../functions/decisions/node-lease.js';
import { helpOption, integerOption, parseCommandArgs } from '../args.js';
import { dynamoClient } from '../aws-clients.js';
import { type BufferStatus, bufferSection, readBuffers } from '../buffer-status.js';
import { kubeconfigPath, listClusterNodes, type NodeRow } from '../cluster-nodes.js';
import { type CliContext, processContext } from '../context.js';
import { type DnsStatus, readDnsStatus, renderDnsStatus } from '../dns-status.js';
import { CommandError, describeError, NO_REGION } from '../errors.js';
import { type HealsInFlight, readHeals, readWatcher, type UnhealthyNodeRow, type WatcherPassRow } from '../healing-status.js';
import type { LocalEndpoints } from '../local-endpoints.js';
import { localOptions, localTarget } from '../local-target.js';
import { describeSwitch } from '../remediation-switch.js';
import { type TargetClock, targetClock } from '../target-clock.js';
import { textTable } from '../text-table.js';

export const summary = 'show the pause switch, the watcher, unhealthy nodes, heals in flight, leases, pools, claims and nodes';

export const usage = `usage: shepherd status [--local [--endpoints PATH]] [--config PATH] [--table NAME] [--kubeconfig PATH] [--claims N] [--json]

  --local            use the local control plane (\`shepherd local\`): its table and kubeconfig
  --endpoints PATH   its endpoints file, implies --local (default: env SHEPHERD_LOCAL_ENDPOINTS,
                     else .shepherd/local.json)
  --config PATH      the shepherd config (default: the local control plane's, env SHEPHERD_CONFIG_FILE,
                     else ./shepherd.config.json)
  --table NAME       the DynamoDB table (default: the local control plane's, else env SHEPHERD_TABLE;
                     on AWS it is the stack output TableName)
  --kubeconfig PATH  the cluster's kubeconfig (default: the local control plane's, else the first file
                     in KUBECONFIG, else ~/.kube/config)
  --claims N         how many recent claims to show (default 10)
  --json             machine-readable output

Exit code: 0 when every part could be read, 1 when some could not (what could be read is still shown).`;

const options = {
  ...helpOption,
  ...localOptions,
  config: { type: 'string' },
  table: { type: 'string' },
  kubeconfig: { type: 'string' },
  claims: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_CLAIMS = 10;

export interface PoolStatus {
  name: string;
  provider: string;
  role: string;
  min: number;
  max: number;
  /** Null when the table could not be read. */
  activeClaims: number | null;
}

/** A heal's lease on a node (one heal per node), not released: held, or expired (its heal crashed). */
export interface LeaseRow {
  node: string;
  /** The execution (ARN) healing the node, and its name. */
  owner: string;
  execution: string;
  /** Epoch seconds. */
  leaseExpiresAt: number;
  /** From the target's clock (the local control plane's simulated one); negative: expired, free for the next heal. */
  expiresInSeconds: number;
}

export interface StatusReport {
  /** The pause switch (`shepherd pause`); null when the table could not be read. */
  remediation: RemediationSwitch | null;
  pools: PoolStatus[];
  claims: Claim[];
  nodes: NodeRow[];
  /** Node leases not released, soonest to expire first. */
  leases: LeaseRow[];
  /** The cluster watcher's last recorded pass; null before its first (or when its snapshot could not be read). */
  watcher: WatcherPassRow | null;
  /** Nodes the watcher remembers as NotReady or without their VM, NotReady longest first. */
  unhealthy: UnhealthyNodeRow[];
  /** Running heal-node executions; null when Step Functions could not be read. */
  heals: HealsInFlight | null;
  /** Each DNS entrypoint's records, targets and open alerts (cli/dns-status.ts); none without a dns section. */
  dns: DnsStatus;
  /** Buffer pools (ScaleBuffer): size, what they hold capacity for, backoff, last decision; null without `buffers`. */
  buffers: BufferStatus | null;
  /** The time backoffs, holds and leases are compared with: the local control plane's simulated clock, or this machine's. */
  clock: { now: string; source: TargetClock['source'] };
  /** What could not be read, by part. */
  errors: { part: 'claims' | 'nodes' | 'remediation' | 'watcher' | 'heals' | 'dns' | 'buffers' | 'clock'; message: string }[];
}

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const claimLimit = integerOption('claims', values.claims, 1) ?? DEFAULT_CLAIMS;
  const local = localTarget(values, ctx.env);
  const config = loadConfigFile(values.config || local?.configFile || ctx.env.SHEPHERD_CONFIG_FILE || undefined);
  const table = values.table || local?.tableName || ctx.env.SHEPHERD_TABLE;
  const kubeconfig = kubeconfigPath([values.kubeconfig, local?.kubeconfig], ctx.env);

  const clusterNodes = listClusterNodes(kubeconfig, config);
  const clock = await targetClock(local).then(
    (c) => ({ ...c, error: undefined }),
    (err) => ({ now: new Date(), source: 'machine' as const, error: `${messageOf(err)}; times are compared with this machine's clock` }),
  );
  const dns = readDnsStatus({ config, table, kubeconfig, local });
  const [claims, nodes, remediation, watcher, heals, buffers] = await Promise.allSettled([
    readClaims(config, table, claimLimit, local),
    clusterNodes,
    readRemediation(table, local, clock.now),
    readWatcher(table, local, clusterNodes),
    readHeals(config.cluster.name, local),
    readBuffers(config, table, local, clusterNodes, clock.now),
  ]);
  const report: StatusReport = {
    remediation: remediation.status === 'fulfilled' ? remediation.value.state : null,
    pools: config.pools.map((p) => ({
      name: p.name,
      provider: p.provider,
      role: p.role,
      min: p.min,
      max: p.max,
      activeClaims: claims.status === 'fulfilled' ? (claims.value.active.get(p.name) ?? 0) : null,
    })),
    claims: claims.status === 'fulfilled' ? claims.value.recent : [],
    nodes: nodes.status === 'fulfilled' ? nodes.value : [],
    leases: remediation.status === 'fulfilled' ? remediation.value.leases : [],
    watcher: watcher.status === 'fulfilled' ? watcher.value.watcher : null,
    unhealthy: watcher.status === 'fulfilled' ? watcher.value.unhealthy : [],
    heals: heals.status === 'fulfilled' ? heals.value : null,
    dns: await dns,
    buffers: buffers.status === 'fulfilled' ? buffers.value : null,
    clock: { now: clock.now.toISOString(), source: clock.source },
    errors: [
      ...(clock.error ? [{ part: 'clock' as const, message: clock.error }] : []),
      ...(claims.status === 'rejected' ? [{ part: 'claims' as const, message: messageOf(claims.reason) }] : []),
      ...(nodes.status === 'rejected' ? [{ part: 'nodes' as const, message: messageOf(nodes.reason) }] : []),
      ...(remediation.status === 'rejected' ? [{ part: 'remediation' as const, message: messageOf(remediation.reason) }] : []),
      ...(watcher.status === 'rejected' ? [{ part: 'watcher' as const, message: messageOf(watcher.reason) }] : []),
      ...(heals.status === 'rejected' ? [{ part: 'heals' as const, message: messageOf(heals.reason) }] : []),
      ...(await dns).errors.map((e) => ({ part: 'dns' as const, message: e.message.replace('Region is missing', NO_REGION) })),
      ...(buffers.status === 'rejected' ? [{ part: 'buffers' as const, message: messageOf(buffers.reason) }] : []),
    ],
  };
  if (values.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else {
    ctx.stdout(humanReport(report) + renderDnsStatus(report.dns));
    for (const e of report.errors) ctx.stderr(`shepherd status: cannot read ${e.part}: ${e.message}\n`);
  }
  return report.errors.length > 0 ? 1 : 0;
}

async function readClaims(
  config: ShepherdConfig,
  table: string | undefined,
  limit: number,
  local: LocalEndpoints | undefined,
): Promise<{ active: Map<string, number>; recent: Claim[] }> {
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  try {
    const reader = new DynamoClaimStore(table, client);
    const counts = await Promise.all(config.pools.map(async (p) => [p.name, await reader.activeClaims(p.name)] as const));
    return { active: new Map(counts), recent: await reader.recentClaims(limit) };
  } finally {
    client.destroy();
  }
}

/** The pause switch and the leases held now. */
async function readRemediation(
  table: string | undefined,
  local: LocalEndpoints | undefined,
  at: Date,
): Promise<{ state: RemediationSwitch; leases: LeaseRow[] }> {
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  try {
    const [state, held] = await Promise.all([new DynamoRemediationSwitchStore(table, client).read(), new DynamoNodeLeaseStore(table, client).openLeases()]);
    const now = Math.floor(at.getTime() / 1000);
    // Heals' leases only: DnsFailover leases its entrypoints in the same store under names no Node can have (with ':').
    const leases = held
      .filter((l) => !l.node.includes(':'))
      .map((l) => ({
        node: l.node,
        owner: l.owner ?? '',
        execution: executionName(l.owner ?? ''),
        leaseExpiresAt: l.leaseExpiresAt,
        expiresInSeconds: l.leaseExpiresAt - now,
      }));
    return { state, leases };
  } finally {
    client.destroy();
  }
}

function humanReport(r: StatusReport): string {
  const pools = textTable(
    ['POOL', 'PROVIDER', 'ROLE', 'MIN', 'MAX', 'CLAIMS'],
    r.pools.map((p) => [p.name, p.provider, p.role, p.min, p.max, p.activeClaims ?? '?']),
  );
  const claims =
    unread(r, 'claims') ??
    (r.claims.length === 0
      ? '(none)'
      : textTable(
          ['CLAIM', 'POOL', 'STATUS', 'NODE', 'VM', 'UPDATED', 'RELEASED BECAUSE'],
          r.claims.map((c) => [c.claimId, c.pool, c.status, c.nodeName, c.vm?.id, c.updatedAt, shorten(c.releaseReason, 60)]),
        ));
  const nodes =
    unread(r, 'nodes') ??
    (r.nodes.length === 0
      ? '(none)'
      : textTable(
          ['NODE', 'READY', 'POOL', 'PROVIDER', 'ZONE', 'TYPE'],
          r.nodes.map((n) => [n.name, n.ready, n.pool, n.provider, n.zone, n.instanceType]),
        ));
  const leases =
    unread(r, 'remediation') ??
    (r.leases.length === 0
      ? '(none)'
      : textTable(
          ['NODE', 'HEALED BY EXECUTION', 'EXPIRES IN'],
          r.leases.map((l) => [l.node, l.execution, l.expiresInSeconds > 0 ? `${l.expiresInSeconds} s` : `expired ${-l.expiresInSeconds} s ago`]),
        ));
  const unhealthy =
    unread(r, 'watcher') ??
    (r.unhealthy.length === 0
      ? '(none)'
      : textTable(
          ['NODE', 'POOL', 'PROVIDER', 'NOT READY SINCE', 'VM GONE'],
          r.unhealthy.map((u) => [u.node, u.pool, u.provider, u.notReadySince, vmGone(u)]),
        ));
  const remediation = r.remediation ? describeSwitch(r.remediation) : `Remediation: ? ${unread(r, 'remediation') ?? ''}`.trim();
  const clock = r.clock.source === 'simulated' ? [`Clock: ${r.clock.now} (the local control plane's simulated clock)`] : [];
  const head = [remediation, ...describeWatcher(r), ...clock].join('\n');
  return `${head}\n\nPOOLS\n${pools}\n\nRECENT CLAIMS\n${claims}\n\nNODES\n${nodes}\n\nUNHEALTHY NODES\n${unhealthy}\n\nHEALS IN FLIGHT\n${unread(r, 'heals') ?? heals(r.heals)}\n\nNODE LEASES\n${leases}${bufferSection(r.buffers, unread(r, 'buffers'))}\n`;
}

/** The watcher's line (and one for degraded scopes, when any). */
function describeWatcher(r: StatusReport): string[] {
  const failed = unread(r, 'watcher');
  if (failed) return [`Watcher: ? ${failed}`];
  const w = r.watcher;
  if (!w) return ['Watcher: no pass recorded yet (watcher.enabled is off, or its first pass has not run)'];
  const api = w.apiReachable
    ? 'cluster API reachable'
    : `cluster API UNREACHABLE since ${w.unreachableSince}${w.lastReachableAt ? ` (last reached ${w.lastReachableAt})` : ''}: destructive healing is frozen`;
  const degraded = Object.entries(w.degraded).map(([scope, since]) => `${scope} since ${since}`);
  return [`Watcher: last pass ${w.lastPassAt ?? '?'}, ${api}`, ...(degraded.length > 0 ? [`Degraded: ${degraded.join(', ')}`] : [])];
}

function vmGone(u: UnhealthyNodeRow): string | undefined {
  if (u.vmGoneAt) return u.vmGoneAt;
  return u.vmMissingSince ? `not listed since ${u.vmMissingSince}` : undefined;
}

function heals(h: HealsInFlight | null): string {
  if (!h) return '?';
  if (!h.deployed) return `(none: no state machine ${h.stateMachine} is deployed)`;
  if (h.running.length === 0) return '(none)';
  return textTable(
    ['EXECUTION', 'NODE', 'REASON', 'STARTED'],
    h.running.map((e) => [e.execution, e.nodeName, e.reason, e.startDate]),
  );
}

function shorten(text: string | undefined, max: number): string | undefined {
  return text && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function messageOf(err: unknown): string {
  return describeError(err);
}

/** What a section shows for a part that could not be read: that, and why (not "(none)", which would be a finding). */
function unread(r: StatusReport, part: StatusReport['errors'][number]['part']): string | undefined {
  const error = r.errors.find((e) => e.part === part);
  return error ? `(could not read: ${error.message})` : undefined;
}
