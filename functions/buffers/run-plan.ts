import type { ShepherdConfig } from '../../config/types.js';
import type { BufferClusterMemory, BufferPoolMemory } from '../adapters/store/buffer-state.js';
import { bufferNodes, nodesOfProvider, otherNodes, poolStates, unschedulablePods } from '../decisions/buffer/cluster-view.js';
import type { BufferClusterRead } from '../decisions/buffer/kube-types.js';
import { planOutageCapacity } from '../decisions/buffer/outage.js';
import { bufferPoolViews } from '../decisions/buffer/pool-views.js';
import type { ScaleBufferRequest } from '../decisions/buffer/request.js';
import { planScaleDown, type ScaleDownPlan, standInsEnded } from '../decisions/buffer/scale-down.js';
import { planScaleUp, type ScaleUpPlan } from '../decisions/buffer/scale-up.js';
import { targetChanges } from '../decisions/buffer/targets.js';
import type { BufferPoolView } from '../decisions/buffer/types.js';
import { providerNamed } from '../providers/registry.js';

/**
 * Nodes to add: the workflow's Map starts one ProvisionNode per item. Self-managed pools get one item per node; a pool
 * whose provider launches one at a time (a Scaleway pool: each launch sets the pool's size from its claim count, and
 * two at once would race on that number) gets one item for all its nodes, which ProvisionNode then adds in turn.
 */
export interface GrowItem {
  pool: string;
  count: number;
  reason: string;
}

/** One node to remove: the workflow's Map starts one RemoveNode per item. */
export interface RemoveItem {
  nodeName: string;
  pool: string;
  reason: string;
}

/** What a ScaleBuffer run does, and why: the workflow acts on grow and remove, the records keep the rest. */
export interface BufferRunPlan {
  trigger: ScaleBufferRequest['trigger'];
  now: string;
  grow: GrowItem[];
  remove: RemoveItem[];
  scaleUp: ScaleUpPlan;
  scaleDown: Pick<ScaleDownPlan, 'remove' | 'kept'>;
  /** Pending pods the run looked at. */
  pendingPods: number;
  /** A manual start's targets, held as floors of automatic scale-down (saved in each pool's memory). */
  holds?: { pool: string; size: number; until: string; reason?: string }[];
  /** A manual start's pools already at their target: nothing to do for them, said so. */
  atTarget?: { pool: string; size: number }[];
  /** Providers the added nodes stand in for (an outage). */
  standingInFor: string[];
  /** Pools back at their min whose remembered stand-in ends (cleared from their memory when the plan is recorded). */
  standInsEnded?: string[];
  degradedProviders: string[];
  /** The cluster memory to save once the run is recorded. */
  memory: BufferClusterMemory;
}

export interface PlanInputs {
  request: ScaleBufferRequest;
  config: ShepherdConfig;
  read: BufferClusterRead;
  activeClaims: Record<string, number>;
  pools: BufferPoolMemory[];
  cluster: BufferClusterMemory;
  now: string;
  /** The pause switch (`shepherd pause`): automatic scale-down stops while it is on; scale-up and manual targets go on. */
  paused?: { paused: false } | { paused: true; by: string; since: string; reason: string };
}

const EMPTY_UP: ScaleUpPlan = { scaleUps: [], unplaceable: [], waiting: [], skipped: [], onUpcoming: [] };

/**
 * The run's decision from what was read: pending pods (scale-up), a provider gone dark (its capacity asked of the
 * other providers' pools), a provider back (its health remembered), manual targets, and on every run but a manual
 * one the scale-down check (Cluster Autoscaler's rules: nothing goes before its cooldown and recovery period).
 */
export function planRun(inputs: PlanInputs): BufferRunPlan {
  const { request, config, read, now } = inputs;
  const buffers = config.buffers;
  if (!buffers) throw new Error('ScaleBuffer runs only with a buffers section in the config');
  const names = buffers.pools.map((p) => p.pool);
  const memory = rememberProviders(inputs.cluster, request, now);
  const state = poolStates(
    read,
    names,
    inputs.activeClaims,
    Object.fromEntries(
      inputs.pools.map((p) => [
        p.pool,
        {
          ...(p.backoff ? { backedOffUntil: p.backoff.backedOffUntil } : {}),
          ...(p.outOfCapacityUntil ? { outOfCapacityUntil: p.outOfCapacityUntil } : {}),
        },
      ]),
    ),
  );
  const views = bufferPoolViews(config, state);
  const degraded = memory.providers.filter((p) => p.degraded).map((p) => p.provider);
  const pending = unschedulablePods(read);
  const ended = standInsEnded(views.map((v) => ({ ...v, standingInFor: inputs.pools.find((p) => p.pool === v.pool)?.standingInFor })));
  const pools: BufferPoolMemory[] = inputs.pools.map((p) => (ended.includes(p.pool) ? withoutStandIn(p) : p));
  const base = {
    trigger: request.trigger,
    now,
    pendingPods: pending.length,
    degradedProviders: degraded,
    memory,
    ...(ended.length > 0 ? { standInsEnded: ended } : {}),
  };

  if (request.trigger === 'manual') return manualPlan(request, views, { ...inputs, pools }, base);

  const upFor = (pools: BufferPoolView[]) => planScaleUp({ pods: pending, pools, now, maxHourlyCost: buffers.maxHourlyCost });
  let scaleUp = upFor(views.filter((v) => !degraded.includes(v.provider)));
  let standingInFor: string[] = [];
  if (request.trigger === 'provider-degraded') {
    const outage = planOutageCapacity({
      degraded: [{ provider: request.provider, ...(request.region ? { region: request.region } : {}) }],
      lostNodes: nodesOfProvider(read, request.provider),
      // The pending pods' scale-up comes first: the outage asks only for what the pools have left after it.
      pools: views.map((v) => ({ ...v, size: v.size + (scaleUp.scaleUps.find((s) => s.pool === v.pool)?.count ?? 0) })),
      now,
      maxHourlyCost: buffers.maxHourlyCost,
      alreadyPending: pending.map((p) => `${p.namespace}/${p.name}`),
    });
    // Pending pods first, then the dark provider's: the outage plan counts what the pending scale-up already adds.
    scaleUp = merge(scaleUp, outage);
    standingInFor = outage.scaleUps.length > 0 ? outage.standingInFor : [];
  }
  const grow = growItems(scaleUp, request.trigger, config);
  if (grow.length > 0) {
    return { ...base, grow, remove: [], scaleUp, scaleDown: { remove: [], kept: [] }, standingInFor, memory: { ...memory, lastScaleUpAt: now } };
  }
  const down = planScaleDown({
    now,
    bufferNodes: bufferNodes(read, names, Object.fromEntries(pools.map((p) => [p.pool, p.standingInFor ?? []]))),
    otherNodes: otherNodes(read, names),
    pools: views.map((v) => floorOf(v, pools, now)),
    unneededSince: memory.unneededSince,
    ...(memory.lastScaleUpAt ? { lastScaleUpAt: memory.lastScaleUpAt } : {}),
    providers: memory.providers,
    budgets: read.budgets,
    policy: { ...config.scaling, recoveryPeriodSeconds: buffers.recoveryPeriodSeconds },
  });
  // Paused: the nodes it would remove are kept and say why (audited as kept); capacity for an outage still grows above.
  const pause = inputs.paused?.paused ? inputs.paused : undefined;
  const removable = pause ? [] : down.remove;
  const kept = pause
    ? [
        ...down.kept,
        ...down.remove.map((r) => ({
          node: r.node,
          reason: `kept: remediation paused by ${pause.by} since ${pause.since} (${pause.reason})`,
          blocked: true as const,
        })),
      ]
    : down.kept;
  return {
    ...base,
    grow: [],
    remove: removable.map((r) => ({ nodeName: r.node, pool: r.pool, reason: r.reason })),
    scaleUp,
    scaleDown: { remove: removable, kept },
    standingInFor: [],
    memory: { ...memory, unneededSince: down.unneededSince },
  };
}

type Base = Pick<BufferRunPlan, 'trigger' | 'now' | 'pendingPods' | 'degradedProviders' | 'memory' | 'standInsEnded'>;

function withoutStandIn(memory: BufferPoolMemory): Omit<BufferPoolMemory, 'standingInFor'> {
  const { standingInFor: _ended, ...rest } = memory;
  return rest;
}

/** A manual start: each pool grows or shrinks to its target; a shrink removes only nodes whose pods can go elsewhere. */
function manualPlan(request: Extract<ScaleBufferRequest, { trigger: 'manual' }>, views: BufferPoolView[], inputs: PlanInputs, base: Base): BufferRunPlan {
  const { targets } = request;
  const changes = targetChanges(targets, views);
  const grow = changes.flatMap((c) => itemsFor(c.pool, c.delta, `manual target ${c.to} (from ${c.from})`, inputs.config));
  const shrinking = changes.filter((c) => c.delta < 0);
  const names = shrinking.map((c) => c.pool);
  const down = planScaleDown({
    now: base.now,
    bufferNodes: bufferNodes(inputs.read, names, {}),
    otherNodes: otherNodes(inputs.read, names),
    pools: views.filter((v) => names.includes(v.pool)).map((v) => ({ pool: v.pool, min: v.min, size: v.size })),
    unneededSince: {},
    providers: [],
    budgets: inputs.read.budgets,
    // An operator's target is the cooldown's answer: only the safety rules (movable pods, PDBs, min) apply.
    policy: { scaleDownUnneededSeconds: 0, scaleDownUtilizationThreshold: 1, scaleDownDelayAfterScaleUpSeconds: 0, recoveryPeriodSeconds: 0 },
  });
  const remove = shrinking.flatMap((c) =>
    down.remove
      .filter((r) => r.pool === c.pool)
      .slice(0, -c.delta)
      .map((r) => ({ nodeName: r.node, pool: r.pool, reason: `manual target ${c.to} (from ${c.from}): ${r.reason}` })),
  );
  const memory = grow.length > 0 ? { ...base.memory, lastScaleUpAt: base.now } : base.memory;
  const hourlyCost = (pool: string) => views.find((v) => v.pool === pool)?.hourlyCost ?? 0;
  const scaleUp: ScaleUpPlan = {
    ...EMPTY_UP,
    scaleUps: changes.filter((c) => c.delta > 0).map((c) => ({ pool: c.pool, count: c.delta, pods: [], addedHourlyCost: c.delta * hourlyCost(c.pool) })),
  };
  const atTarget = targets.filter((t) => views.find((v) => v.pool === t.pool)?.size === t.size).map((t) => ({ pool: t.pool, size: t.size }));
  // Each target replaces the pool's earlier hold (a person's latest word), a 0-minute hold or a target of 0 lifts it.
  const until = new Date(Date.parse(base.now) + request.holdMinutes * 60_000).toISOString();
  const holds = targets.map((t) => ({
    pool: t.pool,
    size: request.holdMinutes > 0 ? t.size : 0,
    until,
    ...(request.reason ? { reason: request.reason } : {}),
  }));
  return { ...base, grow, remove, scaleUp, scaleDown: { remove: down.remove, kept: down.kept }, standingInFor: [], atTarget, holds, memory };
}

/** A pool's floor for automatic scale-down: its min, or a manual target's hold while it lasts, whichever is higher. */
function floorOf(view: BufferPoolView, memory: BufferPoolMemory[], now: string): { pool: string; min: number; size: number; heldUntil?: string } {
  const hold = memory.find((m) => m.pool === view.pool)?.hold;
  const held = hold && Date.parse(hold.until) > Date.parse(now) && hold.size > view.min;
  return held ? { pool: view.pool, min: hold.size, size: view.size, heldUntil: hold.until } : { pool: view.pool, min: view.min, size: view.size };
}

function growItems(plan: ScaleUpPlan, trigger: string, config: ShepherdConfig): GrowItem[] {
  return plan.scaleUps.flatMap((s) => itemsFor(s.pool, s.count, `${trigger}: ${s.pods.length} pod(s) need it`, config));
}

function itemsFor(pool: string, count: number, reason: string, config: ShepherdConfig): GrowItem[] {
  if (count <= 0) return [];
  const poolConfig = config.pools.find((p) => p.name === pool);
  const oneAtATime = poolConfig ? providerNamed(poolConfig.provider).launchParallelism(poolConfig) === 1 : false;
  return oneAtATime ? [{ pool, count, reason }] : Array.from({ length: count }, () => ({ pool, count: 1, reason }));
}

function merge(a: ScaleUpPlan, b: ScaleUpPlan): ScaleUpPlan {
  const byPool = new Map(a.scaleUps.map((s) => [s.pool, { ...s }]));
  for (const s of b.scaleUps) {
    const had = byPool.get(s.pool);
    byPool.set(
      s.pool,
      had ? { ...had, count: had.count + s.count, pods: [...had.pods, ...s.pods], addedHourlyCost: had.addedHourlyCost + s.addedHourlyCost } : s,
    );
  }
  return {
    scaleUps: [...byPool.values()],
    unplaceable: [...a.unplaceable, ...b.unplaceable],
    waiting: [...a.waiting, ...b.waiting],
    skipped: [...a.skipped, ...b.skipped],
    onUpcoming: [...a.onUpcoming, ...b.onUpcoming],
  };
}

/** The providers' health after this run's trigger: degraded from its event on, recovered at the event's time. */
function rememberProviders(cluster: BufferClusterMemory, request: ScaleBufferRequest, now: string): BufferClusterMemory {
  if (request.trigger !== 'provider-degraded' && request.trigger !== 'provider-recovered') return cluster;
  const others = cluster.providers.filter((p) => p.provider !== request.provider);
  const health =
    request.trigger === 'provider-degraded'
      ? { provider: request.provider, degraded: true }
      : { provider: request.provider, degraded: false, recoveredAt: request.observedAt || now };
  return { ...cluster, providers: [...others, health] };
}
