import type { BufferClusterRead, BufferKubeNode, BufferKubePod } from './kube-types.js';
import type { LostNode } from './outage.js';
import { boundPod, podSpecView } from './pod-views.js';
import type { BufferPoolState } from './pool-views.js';
import { cpuMillis, memoryBytes, parseQuantity } from './quantity.js';
import type { BufferNode } from './scale-down.js';
import type { NodeView, PodSpecView } from './types.js';

export const POOL_LABEL = 'shepherd.io/pool';
export const PROVIDER_LABEL = 'shepherd.io/provider';

/** The pods the scheduler reported it could not place (PodScheduled False, reason Unschedulable), not yet bound. */
export function unschedulablePods(read: BufferClusterRead): PodSpecView[] {
  return read.pods.filter(isUnschedulable).map(podSpecView);
}

/**
 * When each unschedulable pod became so (its PodScheduled=False condition's lastTransitionTime, which stays while the
 * pod stays unschedulable, whatever the scheduler's message says next): the batch window reads bursts from them.
 */
export function unschedulableSince(read: BufferClusterRead): string[] {
  return read.pods.filter(isUnschedulable).flatMap((pod) => {
    const time = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
    return time ? [time] : [];
  });
}

function isUnschedulable(pod: BufferKubePod): boolean {
  if (pod.spec?.nodeName || pod.status?.phase !== 'Pending') return false;
  return (pod.status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

export function isReady(node: BufferKubeNode): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Each Node as scheduling sees it, with what the pods bound to it request. */
export function nodeViews(read: BufferClusterRead): NodeView[] {
  const bound = podsByNode(read);
  return read.nodes.map((node) => {
    const name = node.metadata?.name ?? '';
    const pods = (bound.get(name) ?? []).map(podSpecView);
    const a = node.status?.allocatable ?? {};
    return {
      name,
      labels: node.metadata?.labels ?? {},
      taints: node.spec?.taints ?? [],
      allocatable: { cpuMillis: cpuMillis(a.cpu) ?? 0, memoryBytes: memoryBytes(a.memory) ?? 0, pods: parseQuantity(a.pods) ?? 110 },
      used: {
        cpuMillis: pods.reduce((s, p) => s + p.requests.cpuMillis, 0),
        memoryBytes: pods.reduce((s, p) => s + p.requests.memoryBytes, 0),
        pods: pods.length,
      },
      ...(node.spec?.unschedulable ? { unschedulable: true } : {}),
    };
  });
}

/**
 * Each buffer pool's size and upcoming nodes: its Nodes, or its active claims when more (a claim whose Node has not
 * registered is a node coming up), and those of them not Ready yet. The stored backoff and capacity memory ride along.
 */
export function poolStates(
  read: BufferClusterRead,
  pools: string[],
  activeClaims: Record<string, number>,
  memory: Record<string, Pick<BufferPoolState, 'backedOffUntil' | 'outOfCapacityUntil'>>,
): Record<string, BufferPoolState> {
  return Object.fromEntries(
    pools.map((pool) => {
      const nodes = read.nodes.filter((n) => n.metadata?.labels?.[POOL_LABEL] === pool);
      const ready = nodes.filter(isReady).length;
      const size = Math.max(nodes.length, activeClaims[pool] ?? 0);
      return [pool, { size, upcoming: size - ready, ...memory[pool] }];
    }),
  );
}

/** The buffer pools' Ready Nodes with the pods that would have to move (DaemonSet and mirror pods left out). */
export function bufferNodes(read: BufferClusterRead, pools: string[], standingInFor: Record<string, string[]>): BufferNode[] {
  const views = new Map(nodeViews(read).map((v) => [v.name, v]));
  const bound = podsByNode(read);
  return read.nodes
    .filter((n) => pools.includes(n.metadata?.labels?.[POOL_LABEL] ?? '') && isReady(n))
    .map((n) => {
      const name = n.metadata?.name ?? '';
      const pool = n.metadata?.labels?.[POOL_LABEL] ?? '';
      const pods = (bound.get(name) ?? []).map(boundPod).filter((p) => p !== undefined);
      return { ...(views.get(name) as NodeView), pool, pods, ...(standingInFor[pool]?.length ? { standingInFor: standingInFor[pool] } : {}) };
    });
}

/** Ready Nodes outside the buffer pools: where a buffer node's pods may go. */
export function otherNodes(read: BufferClusterRead, pools: string[]): NodeView[] {
  const ready = new Set(read.nodes.filter(isReady).map((n) => n.metadata?.name));
  return nodeViews(read).filter((v) => ready.has(v.name) && !pools.includes(v.labels[POOL_LABEL] ?? ''));
}

/** The Nodes of a provider with the pods bound to them that would move when it is lost. */
export function nodesOfProvider(read: BufferClusterRead, provider: string): LostNode[] {
  const bound = podsByNode(read);
  return read.nodes
    .filter((n) => n.metadata?.labels?.[PROVIDER_LABEL] === provider)
    .map((n) => {
      const name = n.metadata?.name ?? '';
      const region = n.metadata?.labels?.['topology.kubernetes.io/region'];
      const pods = (bound.get(name) ?? []).map(boundPod).filter((p) => p !== undefined);
      return { name, provider, ...(region ? { region } : {}), pods };
    });
}

function podsByNode(read: BufferClusterRead): Map<string, BufferKubePod[]> {
  const out = new Map<string, BufferKubePod[]>();
  for (const pod of read.pods) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    out.set(node, [...(out.get(node) ?? []), pod]);
  }
  return out;
}
