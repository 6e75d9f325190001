import { placementMismatch, podKey, resourcesMismatch } from './scheduling.js';
import type { BufferPoolView, PodSpecView, Resources } from './types.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface ScaleUpInput {
  /** The batch of pending pods (one decision per batch, as Karpenter batches). */
  pods: PodSpecView[];
  /** Buffer pools in priority order (buffers.pools). */
  pools: BufferPoolView[];
  now: string;
  /** buffers.maxHourlyCost; absent: no cap. */
  maxHourlyCost?: number;
}

export interface PoolScaleUp {
  pool: string;
  /** New nodes to add. */
  count: number;
  /** The pods the new nodes (and the pool's upcoming ones) are for. */
  pods: string[];
  /** What the new nodes add to the hourly cost. */
  addedHourlyCost: number;
}

export interface ScaleUpPlan {
  scaleUps: PoolScaleUp[];
  /** Pods no buffer pool could ever place, with each pool's reason: reported, no scale-up for them. */
  unplaceable: { pod: string; reasons: Record<string, string> }[];
  /** Pods some pool could place but none can now (at max, backed off, out of capacity, cost cap), each with why. */
  waiting: { pod: string; reason: string }[];
  /** Pools passed over for pods that fit them, and why (the fallback's trace). */
  skipped: { pool: string; reason: string }[];
  /** Pods that will land on nodes already being added: no new node for them. */
  onUpcoming: string[];
}

interface Bin {
  labels: Record<string, string>;
  used: Resources & { pods: number };
  upcoming: boolean;
}

/**
 * Which buffer pools to grow, by how many nodes, for a batch of pending pods. As Cluster Autoscaler's scale-up
 * (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#how-does-scale-up-work): each pod
 * is tried against the node a pool would add (its labels, zone, taints, allocatable); pods go first onto the pool's
 * upcoming nodes, then first-fit-decreasing onto new ones, as its binpacking estimator does. Pools are taken in
 * priority order (its priority expander; Karpenter's NodePool weights): a pool at its max, backed off, or whose
 * offerings are out of capacity is passed over and the next one takes the pods. The cost cap stops the growth.
 */
export function planScaleUp(input: ScaleUpInput): ScaleUpPlan {
  const { pools, now } = input;
  const nowMs = Date.parse(now);
  const plan: ScaleUpPlan = { scaleUps: [], unplaceable: [], waiting: [], skipped: [], onUpcoming: [] };
  const placeable: PodSpecView[] = [];
  for (const pod of input.pods) {
    const reasons: Record<string, string> = {};
    for (const pool of pools) {
      const why = neverFits(pod, pool);
      if (!why) break;
      reasons[pool.pool] = why;
    }
    if (Object.keys(reasons).length === pools.length) plan.unplaceable.push({ pod: podKey(pod), reasons });
    else placeable.push(pod);
  }
  let remaining = placeable.sort(largestFirst);
  const currentCost = pools.reduce((sum, p) => sum + p.size * p.hourlyCost, 0);
  let budget = input.maxHourlyCost === undefined ? Number.POSITIVE_INFINITY : input.maxHourlyCost - currentCost;
  const lastReason = new Map<string, string>();
  for (const pool of pools) {
    const fitting = remaining.filter((pod) => !neverFits(pod, pool));
    if (fitting.length === 0) continue;
    const unavailable = unavailability(pool, nowMs);
    if (unavailable) {
      plan.skipped.push({ pool: pool.pool, reason: unavailable });
      for (const pod of fitting) lastReason.set(podKey(pod), unavailable);
      continue;
    }
    const affordable = pool.hourlyCost > 0 ? Math.floor(budget / pool.hourlyCost + 1e-9) : Number.POSITIVE_INFINITY;
    const limit = Math.max(0, Math.min(pool.maxNodes - pool.size, affordable));
    const bins: Bin[] = [];
    const placed = new Set<PodSpecView>();
    const onUpcoming: string[] = [];
    for (const pod of fitting) {
      let bin = bins.find((b) => fitsBin(pod, b, pool));
      if (!bin && bins.length < pool.upcoming + limit) {
        const labels = zoneVariants(pool).find((l) => !placementMismatch(pod, l, pool.taints));
        if (labels) {
          bin = { labels, used: { cpuMillis: 0, memoryBytes: 0, pods: 0 }, upcoming: bins.length < pool.upcoming };
          bins.push(bin);
        }
      }
      if (!bin) continue;
      bin.used = {
        cpuMillis: bin.used.cpuMillis + pod.requests.cpuMillis,
        memoryBytes: bin.used.memoryBytes + pod.requests.memoryBytes,
        pods: bin.used.pods + 1,
      };
      placed.add(pod);
      if (bin.upcoming) onUpcoming.push(podKey(pod));
    }
    const count = bins.filter((b) => !b.upcoming).length;
    plan.onUpcoming.push(...onUpcoming);
    if (count > 0) {
      const pods = fitting.filter((p) => placed.has(p)).map(podKey);
      plan.scaleUps.push({ pool: pool.pool, count, pods: pods.filter((p) => !onUpcoming.includes(p)), addedHourlyCost: round(count * pool.hourlyCost) });
      budget -= count * pool.hourlyCost;
    }
    if (placed.size < fitting.length) {
      const reason =
        affordable < pool.maxNodes - pool.size
          ? `the cost cap (${input.maxHourlyCost} an hour) is reached`
          : `pool ${pool.pool} is at its max (${pool.maxNodes} nodes)`;
      plan.skipped.push({ pool: pool.pool, reason });
      for (const pod of fitting) if (!placed.has(pod)) lastReason.set(podKey(pod), reason);
    }
    remaining = remaining.filter((p) => !placed.has(p));
  }
  plan.waiting = remaining.map((pod) => ({ pod: podKey(pod), reason: lastReason.get(podKey(pod)) ?? 'no buffer pool can take it now' }));
  return plan;
}

/** Why a new node of the pool could never take the pod (whatever the pool's size, backoff or the cost), or undefined. */
export function neverFits(pod: PodSpecView, pool: BufferPoolView): string | undefined {
  if (pool.maxNodes === 0) return `pool ${pool.pool} may have no nodes (maxNodes 0)`;
  const variants = zoneVariants(pool);
  const mismatches = variants.map((labels) => placementMismatch(pod, labels, pool.taints));
  if (mismatches.every((m) => m !== undefined)) return mismatches[0];
  const tooBig = resourcesMismatch(pod.requests, pool.allocatable);
  return tooBig ? `a node of pool ${pool.pool} is too small: ${tooBig}` : undefined;
}

function unavailability(pool: BufferPoolView, nowMs: number): string | undefined {
  if (pool.backedOffUntil && Date.parse(pool.backedOffUntil) > nowMs)
    return `pool ${pool.pool} is backed off until ${pool.backedOffUntil} after a failed scale-up`;
  if (pool.outOfCapacityUntil && Date.parse(pool.outOfCapacityUntil) > nowMs)
    return `pool ${pool.pool}'s offerings had no capacity; skipped until ${pool.outOfCapacityUntil}`;
  if (pool.size >= pool.maxNodes && pool.upcoming === 0) return `pool ${pool.pool} is at its max (${pool.maxNodes} nodes)`;
  return undefined;
}

function fitsBin(pod: PodSpecView, bin: Bin, pool: BufferPoolView): boolean {
  const free = {
    cpuMillis: pool.allocatable.cpuMillis - bin.used.cpuMillis,
    memoryBytes: pool.allocatable.memoryBytes - bin.used.memoryBytes,
    pods: pool.allocatable.pods - bin.used.pods,
  };
  return !placementMismatch(pod, bin.labels, pool.taints) && !resourcesMismatch(pod.requests, free);
}

/** The labels of a new node in each zone the pool may use (one set when its zones are not known). */
export function zoneVariants(pool: BufferPoolView): Record<string, string>[] {
  return pool.zones.length === 0 ? [pool.labels] : pool.zones.map((zone) => ({ ...pool.labels, [ZONE_LABEL]: zone }));
}

function largestFirst(a: PodSpecView, b: PodSpecView): number {
  return b.requests.cpuMillis - a.requests.cpuMillis || b.requests.memoryBytes - a.requests.memoryBytes || podKey(a).localeCompare(podKey(b));
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
