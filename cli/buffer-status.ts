import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ShepherdConfig } from '../config/types.js';
import { DynamoBufferStateStore } from '../functions/adapters/store/buffer-state.js';
import { dynamoClient } from './aws-clients.js';
import type { NodeRow } from './cluster-nodes.js';
import { CommandError } from './errors.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { textTable } from './text-table.js';

/** One ScaleBuffer decision from the audit log (events `buffer-*`). */
export interface BufferDecisionRow {
  at: string;
  /** `buffer-scaled-up`, `buffer-scale-up-failed`, `buffer-scale-up-skipped`, `buffer-scaled-down`, `buffer-node-kept`. */
  event: string;
  trigger?: string;
  /** What it came to, in a few words. */
  summary: string;
}

/** One buffer pool (`buffers.pools`, priority order) as ScaleBuffer sees it. */
export interface BufferPoolRow {
  pool: string;
  provider?: string;
  /** Nodes labelled with the pool, and how many of them are Ready; null when the cluster could not be read. */
  nodes: number | null;
  ready: number | null;
  min: number;
  /** The pool's max, or `buffers.pools[].maxNodes`. */
  max: number;
  /** Providers its nodes stand in for (an outage), from ScaleBuffer's memory. */
  standingInFor: string[];
  /** The pending pods its last scale-up was for (`namespace/name`). */
  pendingPods: string[];
  /** Set while the pool is backed off after failed scale-ups (5 min doubling to 30 min). */
  backoff?: { until: string; failures: number; why?: string };
  /** A manual target's hold (`shepherd start scale-buffer` with holdMinutes), while it lasts: scale-down keeps at least `size`. */
  hold?: { size: number; until: string; reason?: string };
  /** Set while the pool is remembered as out of capacity (Karpenter's 3 min). */
  outOfCapacityUntil?: string;
  lastDecision?: BufferDecisionRow;
}

export interface BufferStatus {
  pools: BufferPoolRow[];
  /** The cluster's last ScaleBuffer scale-up and decision, and the providers it counts as degraded. */
  lastScaleUpAt?: string;
  lastDecision?: BufferDecisionRow;
  degradedProviders: string[];
}

/** Buffer pools with their size, memory and last decision; null when the config has no `buffers` section. */
export async function readBuffers(
  config: ShepherdConfig,
  table: string | undefined,
  local: LocalEndpoints | undefined,
  nodes: Promise<NodeRow[]>,
  now: Date = new Date(),
): Promise<BufferStatus | null> {
  if (!config.buffers) return null;
  if (!table) throw new CommandError('the table name is unknown; pass --table NAME or set SHEPHERD_TABLE (the stack output TableName)');
  const client = dynamoClient(local);
  try {
    const store = new DynamoBufferStateStore(table, client);
    const [memories, cluster, listed] = await Promise.all([
      Promise.all(config.buffers.pools.map((p) => store.pool(p.pool))),
      store.cluster(),
      nodes.then(
        (n) => n,
        () => null,
      ),
    ]);
    // Today's and yesterday's log, and the days of the remembered scale-up and failures (a clock other than this one's, as
    // the local control plane's simulated clock, writes its own days).
    const days = [
      now.toISOString(),
      new Date(now.getTime() - 86_400_000).toISOString(),
      cluster.lastScaleUpAt,
      ...memories.map((m) => m.backoff?.lastFailureAt),
    ];
    const decisions = await recentDecisions(DynamoDBDocumentClient.from(client), table, days);
    const iso = now.toISOString();
    const pools = config.buffers.pools.map((entry, i): BufferPoolRow => {
      const pool = config.pools.find((p) => p.name === entry.pool);
      const memory = memories[i];
      const mine = decisions.filter((d) => d.detail.pool === entry.pool);
      const inPool = listed?.filter((n) => n.pool === entry.pool) ?? null;
      const lastUp = mine.find((d) => d.event === 'buffer-scaled-up');
      const lastFailure = mine.find((d) => d.event === 'buffer-scale-up-failed');
      return {
        pool: entry.pool,
        ...(pool ? { provider: pool.provider } : {}),
        nodes: inPool ? inPool.length : null,
        ready: inPool ? inPool.filter((n) => n.ready === 'True').length : null,
        min: pool?.min ?? 0,
        max: entry.maxNodes ?? pool?.max ?? 0,
        standingInFor: memory.standingInFor ?? [],
        pendingPods: strings(lastUp?.detail.pods),
        ...(memory.backoff && memory.backoff.backedOffUntil > iso
          ? {
              backoff: {
                until: memory.backoff.backedOffUntil,
                failures: memory.backoff.failures,
                ...(lastFailure ? { why: strings(lastFailure.detail.errors)[0] } : {}),
              },
            }
          : {}),
        ...(memory.hold && memory.hold.size > 0 && memory.hold.until > iso ? { hold: memory.hold } : {}),
        ...(memory.outOfCapacityUntil && memory.outOfCapacityUntil > iso ? { outOfCapacityUntil: memory.outOfCapacityUntil } : {}),
        ...(mine[0] ? { lastDecision: decisionRow(mine[0]) } : {}),
      };
    });
    return {
      pools,
      ...(cluster.lastScaleUpAt ? { lastScaleUpAt: cluster.lastScaleUpAt } : {}),
      ...(decisions[0] ? { lastDecision: decisionRow(decisions[0]) } : {}),
      degradedProviders: cluster.providers.filter((p) => p.degraded).map((p) => p.provider),
    };
  } finally {
    client.destroy();
  }
}

interface AuditItem {
  at: string;
  event: string;
  detail: Record<string, unknown>;
}

/** ScaleBuffer's audit entries of the days of these times, newest first. */
async function recentDecisions(doc: DynamoDBDocumentClient, table: string, times: (string | undefined)[]): Promise<AuditItem[]> {
  const items: AuditItem[] = [];
  for (const day of new Set(times.flatMap((t) => (t ? [t.slice(0, 10)] : [])))) {
    const pk = `AUDIT#${day}`;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'begins_with(#e, :buffer)',
          ExpressionAttributeNames: { '#e': 'event' },
          ExpressionAttributeValues: { ':pk': pk, ':buffer': 'buffer-' },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        items.push({ at: String(item.sk).split('#')[0], event: String(item.event), detail: (item.detail as Record<string, unknown>) ?? {} });
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function decisionRow(d: AuditItem): BufferDecisionRow {
  return { at: d.at, event: d.event, ...(typeof d.detail.trigger === 'string' ? { trigger: d.detail.trigger } : {}), summary: summarize(d) };
}

/** A few words for each kind of entry records.ts writes. */
function summarize({ event, detail }: AuditItem): string {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  switch (event) {
    case 'buffer-scaled-up':
      return `added ${n(detail.added)} of ${n(detail.requested)} to ${detail.pool}`;
    case 'buffer-scale-up-failed':
      return `${n(detail.failed)} of ${n(detail.requested)} failed in ${detail.pool}${detail.outOfCapacity ? ' (out of capacity)' : ''}`;
    case 'buffer-scale-up-skipped':
      return `nothing added: ${(detail.unplaceable as unknown[] | undefined)?.length ?? 0} pod(s) unplaceable, ${(detail.waiting as unknown[] | undefined)?.length ?? 0} waiting`;
    case 'buffer-scaled-down':
      return `removed ${detail.nodeName} from ${detail.pool}`;
    case 'buffer-scale-down-failed':
      return `could not remove ${detail.nodeName}`;
    case 'buffer-node-kept':
      return `kept ${detail.nodeName}: ${detail.why}`;
    default:
      return event;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The BUFFER POOLS section of `shepherd status` (nothing without a `buffers` section). */
export function bufferSection(b: BufferStatus | null, unread?: string): string {
  if (unread) return `\n\nBUFFER POOLS\n${unread}`;
  if (!b) return '';
  const table = textTable(
    ['POOL', 'NODES', 'MIN', 'MAX', 'HOLDING FOR', 'BACKOFF', 'OUT OF CAPACITY', 'LAST DECISION'],
    b.pools.map((p) => [
      p.pool,
      p.nodes === null ? '?' : `${p.nodes} (${p.ready} Ready)`,
      p.min,
      p.max,
      holdingFor(p),
      p.backoff ? `until ${p.backoff.until} (${p.backoff.failures} failure(s)${p.backoff.why ? `: ${p.backoff.why}` : ''})` : undefined,
      p.outOfCapacityUntil ? `until ${p.outOfCapacityUntil}` : undefined,
      p.lastDecision ? `${p.lastDecision.at} ${p.lastDecision.summary}` : undefined,
    ]),
  );
  const lines = [
    `Last decision: ${b.lastDecision ? `${b.lastDecision.at} ${b.lastDecision.summary}${b.lastDecision.trigger ? ` (${b.lastDecision.trigger})` : ''}` : 'none recorded'}`,
    `Last scale-up: ${b.lastScaleUpAt ?? 'none'}; degraded providers: ${b.degradedProviders.length > 0 ? b.degradedProviders.join(', ') : 'none'}`,
  ];
  return `\n\nBUFFER POOLS\n${table}\n${lines.join('\n')}`;
}

function holdingFor(p: BufferPoolRow): string | undefined {
  const held = p.hold ? [`held at ${p.hold.size} until ${p.hold.until}${p.hold.reason ? ` (${p.hold.reason})` : ''}`] : [];
  if (p.nodes === 0) return held[0];
  const parts = [
    ...held,
    ...(p.standingInFor.length > 0 ? [`standing in for ${p.standingInFor.join(', ')}`] : []),
    ...(p.pendingPods.length > 0 ? [`${p.pendingPods.length} pending pod(s)`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}
