import { PROVIDER_LABEL } from './cluster-view.js';
import { placementMismatch, podKey, resourcesMismatch } from './scheduling.js';
import type { NodeView, PodSpecView } from './types.js';

/** A pod bound to a buffer node, with what decides whether it may move (DaemonSet and mirror pods left out). */
export interface BoundPod extends PodSpecView {
  labels?: Record<string, string>;
  /** The kind of its controller owner; absent for a bare pod, which nothing would recreate. */
  controller?: string;
  /** It uses an emptyDir or hostPath volume: its data would be lost. */
  localStorage?: boolean;
  /** The annotation cluster-autoscaler.kubernetes.io/safe-to-evict, when set. */
  safeToEvict?: boolean;
}

export interface BufferNode extends NodeView {
  pool: string;
  pods: BoundPod[];
  /** Providers whose outage the node was added for. */
  standingInFor?: string[];
}

export interface DisruptionBudget {
  namespace: string;
  name: string;
  /** spec.selector.matchLabels (a selector with expressions is read by the adapter into the pods it covers). */
  matchLabels: Record<string, string>;
  /** status.disruptionsAllowed. */
  disruptionsAllowed: number;
}

export interface ProviderHealth {
  provider: string;
  degraded: boolean;
  /** When it was last reported recovered (ISO 8601). */
  recoveredAt?: string;
}

export interface ScaleDownPolicy {
  /** scaling.scaleDownUnneededSeconds (Cluster Autoscaler scale-down-unneeded-time, 10 min). */
  scaleDownUnneededSeconds: number;
  /** scaling.scaleDownUtilizationThreshold (Cluster Autoscaler scale-down-utilization-threshold, 0.5). */
  scaleDownUtilizationThreshold: number;
  /** scaling.scaleDownDelayAfterScaleUpSeconds (Cluster Autoscaler scale-down-delay-after-add, 10 min). */
  scaleDownDelayAfterScaleUpSeconds: number;
  /** buffers.recoveryPeriodSeconds. */
  recoveryPeriodSeconds: number;
}

export interface ScaleDownInput {
  now: string;
  bufferNodes: BufferNode[];
  /** Nodes the pods may move to besides the buffer nodes: Ready ones, with what their pods use. */
  otherNodes: NodeView[];
  /**
   * Each buffer pool's min and current size; `heldUntil` when the min is a manual target's floor (holdMinutes), so
   * a node kept for it says until when.
   */
  pools: { pool: string; min: number; size: number; heldUntil?: string }[];
  /** The previous run's memory: since when each node has been unneeded. */
  unneededSince: Record<string, string>;
  lastScaleUpAt?: string;
  providers: ProviderHealth[];
  budgets: DisruptionBudget[];
  policy: ScaleDownPolicy;
}

export interface ScaleDownPlan {
  remove: { node: string; pool: string; reason: string }[];
  /** The memory for the next run: nodes unneeded now, since when. */
  unneededSince: Record<string, string>;
  /**
   * Buffer nodes that stay, each with why (the audit's "why not"); `blocked` when only its pods keep it (they cannot
   * move: a PodDisruptionBudget, no controller, local storage, no room elsewhere), which the audit records every run.
   */
  kept: { node: string; reason: string; blocked?: true }[];
}

/**
 * Which buffer nodes to remove, calmly, as Cluster Autoscaler's scale-down
 * (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#how-does-scale-down-work): a node
 * is unneeded when its pods request less than the utilization threshold of it and every one of them can move (it has
 * a controller, no local storage, is not marked safe-to-evict=false, its PodDisruptionBudget allows the disruption)
 * (a node that stood in for providers now all back is unneeded whatever its use, once its pods fit elsewhere)
 * and fits on another node, counting what earlier candidates' pods already took there. It is removed once unneeded
 * for scale-down-unneeded-time, not within scale-down-delay-after-add of a scale-up, only when the providers it stood
 * in for have been back for the recovery period, and never below its pool's min. Empty nodes go together; at most
 * one node with pods goes per run, as Cluster Autoscaler drains one non-empty node at a time.
 */
export function planScaleDown(input: ScaleDownInput): ScaleDownPlan {
  const { now, policy } = input;
  const nowMs = Date.parse(now);
  const plan: ScaleDownPlan = { remove: [], unneededSince: {}, kept: [] };
  const budgets = new Map(input.budgets.map((b) => [`${b.namespace}/${b.name}`, b.disruptionsAllowed]));
  const destinations = new Map<string, NodeView>();
  for (const node of [...input.otherNodes, ...input.bufferNodes]) destinations.set(node.name, { ...node, used: { ...node.used } });
  const removedFrom = new Set<string>();
  const sizes = new Map(input.pools.map((p) => [p.pool, p.size]));
  const recentScaleUp = input.lastScaleUpAt && nowMs - Date.parse(input.lastScaleUpAt) < policy.scaleDownDelayAfterScaleUpSeconds * 1000;
  let nonEmptyRemoved = false;
  // Providers that buffer nodes still stand in for. A node of such a provider in a buffer pool (a worker pool listed in
  // `buffers`) is the capacity that came back, emptied by the outage: it is not a candidate while the stand-ins are
  // there, or the scale-down would remove the recovered nodes and keep the stand-ins. The stand-ins go first.
  const stoodInFor = new Set(input.bufferNodes.flatMap((n) => n.standingInFor ?? []));

  for (const node of [...input.bufferNodes].sort((a, b) => utilization(a) - utilization(b) || a.name.localeCompare(b.name))) {
    const keep = (reason: string) => plan.kept.push({ node: node.name, reason });
    const provider = node.labels[PROVIDER_LABEL];
    if (!node.standingInFor?.length && provider && stoodInFor.has(provider)) {
      keep(`its provider ${provider} came back from an outage that stand-in nodes still cover: the stand-ins go first`);
      continue;
    }
    const use = utilization(node);
    // Capacity lent to a provider that is back: its pods go back there however full the node is (the threshold
    // would keep a well-packed stand-in forever); the cooldown, recovery period and every safety rule still apply.
    const lent = (node.standingInFor?.length ?? 0) > 0 && (node.standingInFor ?? []).every((p) => input.providers.some((h) => h.provider === p && !h.degraded));
    if (!lent && use >= policy.scaleDownUtilizationThreshold) {
      keep(`in use: its pods request ${Math.round(use * 100)} % of it (threshold ${Math.round(policy.scaleDownUtilizationThreshold * 100)} %)`);
      continue;
    }
    const stuck = node.pods.map((p) => cannotMove(p, input.budgets, budgets)).find((r) => r !== undefined);
    if (stuck) {
      plan.kept.push({ node: node.name, reason: stuck, blocked: true });
      continue;
    }
    const moves = placeElsewhere(node, destinations, removedFrom);
    if (typeof moves === 'string') {
      plan.kept.push({ node: node.name, reason: moves, blocked: true });
      continue;
    }
    // Unneeded: its pods' places elsewhere are taken, so the next candidate cannot count on the same room.
    for (const [target, pod] of moves) {
      const d = destinations.get(target) as NodeView;
      d.used = { cpuMillis: d.used.cpuMillis + pod.requests.cpuMillis, memoryBytes: d.used.memoryBytes + pod.requests.memoryBytes, pods: d.used.pods + 1 };
    }
    for (const pod of node.pods) for (const key of budgetsCovering(pod, input.budgets)) budgets.set(key, (budgets.get(key) ?? 0) - 1);
    removedFrom.add(node.name);
    const since = input.unneededSince[node.name] ?? now;
    plan.unneededSince[node.name] = since;

    const unneededFor = (nowMs - Date.parse(since)) / 1000;
    if (unneededFor < policy.scaleDownUnneededSeconds) {
      keep(`unneeded for ${Math.floor(unneededFor)} s of the ${policy.scaleDownUnneededSeconds} s before removal`);
      continue;
    }
    if (recentScaleUp) {
      keep(`a scale-up happened at ${input.lastScaleUpAt}, less than ${policy.scaleDownDelayAfterScaleUpSeconds} s ago`);
      continue;
    }
    const notBack = (node.standingInFor ?? []).map((p) => notRecovered(p, input.providers, nowMs, policy.recoveryPeriodSeconds)).find(Boolean);
    if (notBack) {
      keep(notBack);
      continue;
    }
    const pool = input.pools.find((p) => p.pool === node.pool);
    const size = sizes.get(node.pool) ?? 0;
    if (!pool || size <= pool.min) {
      keep(
        pool?.heldUntil
          ? `pool ${node.pool} is held at ${pool.min} node(s) by a manual target until ${pool.heldUntil}`
          : `pool ${node.pool} is at its min (${pool?.min ?? 0})`,
      );
      continue;
    }
    const empty = node.pods.length === 0;
    if (!empty && nonEmptyRemoved) {
      keep('another node with pods is being removed in this run; one at a time');
      continue;
    }
    nonEmptyRemoved ||= !empty;
    sizes.set(node.pool, size - 1);
    plan.remove.push({
      node: node.name,
      pool: node.pool,
      reason: `unneeded since ${since} (${Math.round(use * 100)} % requested${empty ? ', empty' : `, ${node.pods.length} pod(s) fit elsewhere`})`,
    });
  }
  return plan;
}

/**
 * The pools whose stand-in memory ends: a pool back at its min stands in for nothing any more (the nodes added for an
 * outage are gone), so a node added to it later, for pending pods, is an ordinary node and not "lent" to a provider.
 */
export function standInsEnded(pools: { pool: string; size: number; min: number; standingInFor?: string[] }[]): string[] {
  return pools.filter((p) => (p.standingInFor?.length ?? 0) > 0 && p.size <= p.min).map((p) => p.pool);
}

/** The larger of the CPU and memory shares its pods request (Cluster Autoscaler's utilization). */
export function utilization(node: NodeView): number {
  const cpu = node.allocatable.cpuMillis > 0 ? node.used.cpuMillis / node.allocatable.cpuMillis : 1;
  const mem = node.allocatable.memoryBytes > 0 ? node.used.memoryBytes / node.allocatable.memoryBytes : 1;
  return Math.max(cpu, mem);
}

/** Why a pod blocks its node's removal (Cluster Autoscaler's "What types of pods can prevent CA from removing a node?"). */
function cannotMove(pod: BoundPod, all: DisruptionBudget[], remaining: Map<string, number>): string | undefined {
  const key = podKey(pod);
  if (pod.safeToEvict === false) return `pod ${key} is annotated cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`;
  if (!pod.controller) return `pod ${key} has no controller: nothing would recreate it elsewhere`;
  if (pod.localStorage && pod.safeToEvict !== true) return `pod ${key} keeps data in local storage (emptyDir or hostPath)`;
  const blocked = budgetsCovering(pod, all).find((b) => (remaining.get(b) ?? 0) < 1);
  return blocked ? `PodDisruptionBudget ${blocked} allows no disruption of pod ${key} now` : undefined;
}

function budgetsCovering(pod: BoundPod, all: DisruptionBudget[]): string[] {
  return all
    .filter((b) => b.namespace === pod.namespace && Object.entries(b.matchLabels).every(([k, v]) => pod.labels?.[k] === v))
    .map((b) => `${b.namespace}/${b.name}`);
}

/** Where each pod would go (first fit, largest first), or why one fits nowhere. */
function placeElsewhere(node: BufferNode, destinations: Map<string, NodeView>, gone: Set<string>): [string, PodSpecView][] | string {
  const free = new Map<string, NodeView>();
  for (const d of destinations.values()) if (d.name !== node.name && !gone.has(d.name) && !d.unschedulable) free.set(d.name, { ...d, used: { ...d.used } });
  const moves: [string, PodSpecView][] = [];
  const pods = [...node.pods].sort((a, b) => b.requests.cpuMillis - a.requests.cpuMillis || b.requests.memoryBytes - a.requests.memoryBytes);
  for (const pod of pods) {
    const target = [...free.values()].find(
      (d) =>
        !placementMismatch(pod, d.labels, d.taints) &&
        !resourcesMismatch(pod.requests, {
          cpuMillis: d.allocatable.cpuMillis - d.used.cpuMillis,
          memoryBytes: d.allocatable.memoryBytes - d.used.memoryBytes,
          pods: d.allocatable.pods - d.used.pods,
        }),
    );
    if (!target) return `pod ${podKey(pod)} fits on no other node`;
    target.used = {
      cpuMillis: target.used.cpuMillis + pod.requests.cpuMillis,
      memoryBytes: target.used.memoryBytes + pod.requests.memoryBytes,
      pods: target.used.pods + 1,
    };
    moves.push([target.name, pod]);
  }
  return moves;
}

function notRecovered(provider: string, providers: ProviderHealth[], nowMs: number, recoverySeconds: number): string | undefined {
  const health = providers.find((p) => p.provider === provider);
  if (!health || health.degraded) return `it stands in for ${provider}, which is still degraded`;
  if (health.recoveredAt && nowMs - Date.parse(health.recoveredAt) < recoverySeconds * 1000)
    return `it stands in for ${provider}, back only since ${health.recoveredAt} (recovery period ${recoverySeconds} s)`;
  return undefined;
}
