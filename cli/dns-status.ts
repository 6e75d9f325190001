import type { EntrypointConfig, ShepherdConfig } from '../config/types.js';
import { cloudflareDns } from '../functions/adapters/dns/cloudflare.js';
import { toDnsNode } from '../functions/adapters/kube/dns-nodes.js';
import { DynamoDnsAlertStore } from '../functions/adapters/store/dns-alerts.js';
import { DynamoDnsAnnouncementStore } from '../functions/adapters/store/dns-announcements.js';
import { DynamoDnsCheckStateStore, type StoredCheckState } from '../functions/adapters/store/dns-check-states.js';
import { DynamoNodeLeaseStore } from '../functions/adapters/store/node-lease.js';
import type { DnsAlertKind } from '../functions/decisions/dns/alerts.js';
import { risePassesNeeded } from '../functions/decisions/dns/ejection-backoff.js';
import { healsInProgress } from '../functions/decisions/dns/heal-gate.js';
import { isUndecided } from '../functions/decisions/dns/hysteresis.js';
import { ownershipComment } from '../functions/decisions/dns/ownership.js';
import { isFalling } from '../functions/decisions/dns/recheck.js';
import { entrypointTargets } from '../functions/decisions/dns/targets.js';
import type { Announcements, DnsNodeView, Target } from '../functions/decisions/dns/types.js';
import { poolOfNode } from '../functions/decisions/healing/node-pool.js';
import type { NodeLease } from '../functions/decisions/node-lease.js';
import { checkStates } from '../functions/dns/failover.js';
import { dynamoClient, secretsManagerClient, ssmClient } from './aws-clients.js';
import { listNodeObjects } from './cluster-nodes.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { createCommand } from './secrets/create-command.js';
import { readSecret } from './secrets/secret-reader.js';
import { SECRET_SHAPES } from './secrets/secret-shapes.js';
import { textTable } from './text-table.js';

/** A record at an entrypoint name, as Cloudflare lists it. */
export interface DnsRecordRow {
  name: string;
  type: string;
  content: string;
  /** Marked as this cluster's (the ownership comment), or anyone else's: never touched. */
  owner: 'this cluster' | 'foreign';
}

/** A candidate target: a Node and the address it would serve on, whether it does, and why not. */
export interface DnsTargetRow {
  node: string;
  address?: string;
  ready: 'True' | 'False' | 'Unknown';
  serves: boolean;
  /** Why it may not serve, in words (absent when it serves). */
  excluded?: string;
  /** The active check's stored state for the address (only with a `check`). */
  check?: StoredCheckState;
}

export interface DnsEntrypointStatus {
  name: string;
  zoneName: string;
  type: string;
  /** Null when Cloudflare could not be read (the problem is in `errors`). */
  records: DnsRecordRow[] | null;
  /** Null when the Nodes or the table could not be read. */
  targets: DnsTargetRow[] | null;
  /** The entrypoint's `rise` (only with a `check`): an undecided target shows its passes out of it. */
  rise?: number;
  /** The entrypoint's `fall` (only with a `check`): a target on its way down shows its failures out of it. */
  fall?: number;
  /** DnsFailover's open alerts (published once, repeated hourly; functions/decisions/dns/alerts.ts). */
  alerts: { kind: DnsAlertKind; since: string; lastAlertAt: string }[] | null;
}

/** What `shepherd status` shows of DNS failover; `entrypoints` empty without a dns section. */
export interface DnsStatus {
  entrypoints: DnsEntrypointStatus[];
  /** What could not be read, each with its fix. */
  errors: { part: 'records' | 'nodes' | 'table'; message: string }[];
}

export interface DnsStatusInputs {
  config: ShepherdConfig;
  table: string | undefined;
  kubeconfig: string;
  local: LocalEndpoints | undefined;
}

/**
 * Each entrypoint's records (from Cloudflare, with the token read as `shepherd secrets` reads it), its candidate
 * targets as DnsFailover would judge them now (the same decision, fed from the cluster and the table), and its open
 * alerts. Never throws: what cannot be read is null, with the problem and its fix in `errors`.
 */
export async function readDnsStatus(input: DnsStatusInputs): Promise<DnsStatus> {
  const dns = input.config.dns;
  if (!dns) return { entrypoints: [], errors: [] };
  const errors: DnsStatus['errors'] = [];
  const [records, nodes, table] = await Promise.all([
    readRecords(input, dns.entrypoints).catch((err) => {
      errors.push({ part: 'records', message: `Cloudflare records: could not read: ${messageOf(err)}` });
      return undefined;
    }),
    readNodes(input).catch((err) => {
      errors.push({ part: 'nodes', message: `Nodes: could not read: ${messageOf(err)}; pass --kubeconfig PATH or set KUBECONFIG` });
      return undefined;
    }),
    readTable(input, dns.entrypoints).catch((err) => {
      errors.push({
        part: 'table',
        message: `DNS state in the table: could not read: ${messageOf(err)}; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)`,
      });
      return undefined;
    }),
  ]);
  const entrypoints = dns.entrypoints.map((e): DnsEntrypointStatus => {
    const recordsHere = records?.get(e.name) ?? null;
    const published = new Set((recordsHere ?? []).filter((r) => r.owner === 'this cluster').map((r) => r.content));
    return {
      name: e.name,
      zoneName: e.zoneName,
      type: e.type,
      records: recordsHere,
      ...(e.check ? { rise: e.rise, fall: e.fall } : {}),
      targets: nodes && table ? targetRows(e, nodes, announcements(nodes, table), table.checks.get(e.name), published) : null,
      alerts: table
        ? Object.entries(table.alerts.get(e.name) ?? {}).map(([kind, a]) => ({ kind: kind as DnsAlertKind, since: a.since, lastAlertAt: a.lastAlertAt }))
        : null,
    };
  });
  return { entrypoints, errors };
}

/** What keeps a node out as going away: the heals DnsFailover would count (the same rule) and remembered announcements. */
function announcements(nodes: DnsNodeView[], table: { leases: Map<string, NodeLease>; remembered: Announcements }): Announcements {
  return { ...healsInProgress(nodes, (name) => table.leases.get(name), Math.floor(Date.now() / 1000)), ...table.remembered };
}

async function readRecords(input: DnsStatusInputs, entrypoints: EntrypointConfig[]): Promise<Map<string, DnsRecordRow[]>> {
  const arn = input.config.dns?.cloudflare.apiTokenSecretArn ?? '';
  const token = await readSecret(arn, {
    ssm: (region) => ssmClient(region, input.local),
    secretsManager: (region) => secretsManagerClient(region, input.local),
  });
  if (token.kind === 'missing')
    throw new Error(
      `the Cloudflare token ${arn} (dns.cloudflare.apiTokenSecretArn) does not exist; create it: ${createCommand(arn, SECRET_SHAPES.cloudflareToken.valuePlaceholder)}`,
    );
  if (token.kind === 'unusable') throw new Error(`the Cloudflare token ${arn} ${token.problem}; ${token.fix}`);
  const base = input.local?.endpoints.cloudflare;
  const api = cloudflareDns({ apiToken: token.value, ...(base ? { baseURL: `${base.replace(/\/$/, '')}/client/v4` } : {}) });
  const out = new Map<string, DnsRecordRow[]>();
  for (const e of entrypoints) {
    try {
      const zone = await api.zoneId(e.zoneName, e.zoneId);
      const owner = ownershipComment(input.config.cluster.name, e.name);
      const listed = await api.recordsAt(zone, e.records);
      out.set(
        e.name,
        listed
          .map((r): DnsRecordRow => ({ name: r.name, type: r.type, content: r.content, owner: r.comment === owner ? 'this cluster' : 'foreign' }))
          .sort((a, b) => a.name.localeCompare(b.name) || a.content.localeCompare(b.content)),
      );
    } catch (err) {
      // The adapter's errors name the call, never the token.
      throw new Error(
        `${messageOf(err)}; check that the token can read DNS in zone ${e.zoneName} and that Cloudflare is reachable (\`shepherd secrets\` checks the token)`,
      );
    }
  }
  return out;
}

/** The Nodes through the operator's kubeconfig (the official client, as the NODES part reads them). */
async function readNodes(input: DnsStatusInputs): Promise<DnsNodeView[]> {
  const items = await listNodeObjects(input.kubeconfig);
  return items.map((n) => toDnsNode(n as Parameters<typeof toDnsNode>[0], (labels) => poolOfNode(labels, input.config)?.name).view);
}

/** Heals in progress and remembered announcements (what keeps a node out as going away), check states and open alerts. */
async function readTable(input: DnsStatusInputs, entrypoints: EntrypointConfig[]) {
  if (!input.table) throw new Error('the table name is unknown');
  const client = dynamoClient(input.local);
  try {
    const [leases, remembered] = await Promise.all([
      new DynamoNodeLeaseStore(input.table, client).openLeases(),
      new DynamoDnsAnnouncementStore(input.table, client).current(),
    ]);
    const checkStore = new DynamoDnsCheckStateStore(input.table, client);
    const alertStore = new DynamoDnsAlertStore(input.table, client);
    const checks = new Map(await Promise.all(entrypoints.filter((e) => e.check).map(async (e) => [e.name, await checkStore.list(e.name)] as const)));
    const alerts = new Map(await Promise.all(entrypoints.map(async (e) => [e.name, await alertStore.open(e.name)] as const)));
    return { leases: new Map(leases.map((l) => [l.node, l])), remembered, checks, alerts };
  } finally {
    client.destroy();
  }
}

function targetRows(
  e: EntrypointConfig,
  nodes: DnsNodeView[],
  announcements: Announcements,
  stored: Map<string, StoredCheckState> | undefined,
  published: Set<string>,
): DnsTargetRow[] {
  const checks = e.check
    ? checkStates(
        stored ?? new Map(),
        nodes.map((view) => ({ view })),
        published,
      )
    : undefined;
  const rule = { eligiblePools: e.eligiblePools, selector: e.selector, addressSource: e.addressSource, type: e.type };
  return entrypointTargets({ rule, nodes, announcements, ...(checks ? { checks } : {}) }).map((t) => {
    const check = t.address ? stored?.get(t.address) : undefined;
    return {
      node: t.node,
      ...(t.address ? { address: t.address } : {}),
      ready: nodes.find((n) => n.name === t.node)?.ready ?? 'Unknown',
      serves: t.healthy,
      ...(t.healthy ? {} : { excluded: exclusion(t, check) }),
      ...(check ? { check } : {}),
    };
  });
}

/** A target's exclusion in an operator's words, given its stored check state. */
export function exclusion(t: Target, check: StoredCheckState | undefined): string {
  const detail = t.detail ? `: ${t.detail}` : '';
  // Not published and not decided yet: kept out until its checks decide, which is no failure of its check.
  if (t.reason === 'check-failing' && (!check || isUndecided(check))) return 'waiting for its checks to pass';
  switch (t.reason) {
    case 'not-eligible':
      return 'not eligible';
    case 'not-ready':
      return `NotReady${detail}`;
    case 'going-away':
      return t.detail === 'heal in progress' ? 'heal in progress' : `announced going away${detail}`;
    case 'check-failing':
      return `check failing${detail}`;
    default:
      return `${t.reason ?? 'excluded'}${detail}`;
  }
}

/** The DNS part of `shepherd status`: one block per entrypoint; empty without a dns section. */
export function renderDnsStatus(s: DnsStatus): string {
  if (s.entrypoints.length === 0) return '';
  const problem = (...parts: DnsStatus['errors'][number]['part'][]) =>
    s.errors
      .filter((e) => parts.includes(e.part))
      .map((e) => e.message)
      .join('; ') || 'could not read';
  const blocks = s.entrypoints.map((e) => {
    const records =
      e.records === null
        ? problem('records')
        : e.records.length === 0
          ? '(none)'
          : textTable(
              ['NAME', 'TYPE', 'ADDRESS', 'OWNER'],
              e.records.map((r) => [r.name, r.type, r.content, r.owner]),
            );
    const targets =
      e.targets === null
        ? problem('nodes', 'table')
        : e.targets.length === 0
          ? '(none)'
          : textTable(
              ['NODE', 'ADDRESS', 'READY', 'CHECK', 'SERVES'],
              e.targets.map((t) => [t.node, t.address, t.ready, describeCheck(t.check, e.rise, e.fall), t.serves ? 'yes' : `no: ${t.excluded}`]),
            );
    const alerts =
      e.alerts === null
        ? 'Alerts: ?'
        : e.alerts.length === 0
          ? 'Alerts: none open'
          : `Alerts: ${e.alerts.map((a) => `${a.kind} since ${a.since} (last published ${a.lastAlertAt})`).join(', ')}`;
    return `ENTRYPOINT ${e.name} (${e.type} in ${e.zoneName})\n${alerts}\nRecords:\n${records}\nTargets:\n${targets}\n`;
  });
  return `\nDNS ENTRYPOINTS\n${blocks.join('\n')}`;
}

/**
 * A target's check state in an operator's words: an undecided one with its passes out of `rise`; one on its way down
 * with its failures out of `fall` (fast re-checks running); an unhealthy one held out by the ejection backoff with the
 * passes it needs (more than `rise`). `now` is this machine's clock (a local control plane's simulated one differs).
 */
export function describeCheck(c: StoredCheckState | undefined, rise: number | undefined, fall?: number, now = new Date().toISOString()): string | undefined {
  if (!c) return undefined;
  if (isUndecided(c)) return `undecided (${c.passes}/${rise ?? '?'} passes, ${c.failures} failures; ${c.detail})`;
  if (fall !== undefined && isFalling(c, fall)) return `healthy, falling (${c.failures}/${fall} failures, re-checking fast; ${c.detail})`;
  const needed = rise === undefined || c.healthy ? undefined : risePassesNeeded(c, rise, now);
  if (needed !== undefined && rise !== undefined && needed > rise) {
    return `unhealthy, backing off (${c.passes}/${needed} passes: fell ${c.ejections} times since ${c.fellAt}; ${c.detail})`;
  }
  return `${c.healthy ? 'healthy' : 'unhealthy'} (${c.passes} passes, ${c.failures} failures; ${c.detail})`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
