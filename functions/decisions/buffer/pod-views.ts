import { cpuMillis, memoryBytes } from './quantity.js';
import type { BoundPod } from './scale-down.js';
import type { NodeSelectorTerm, PodSpecView, Resources, Toleration } from './types.js';

type Requests = { cpu?: string; memory?: string };

/** The fields of a Pod (core/v1) the buffer decisions read. */
export interface KubePodForScheduling {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; controller?: boolean }[];
  };
  spec?: {
    containers?: { resources?: { requests?: Requests } }[];
    initContainers?: { resources?: { requests?: Requests }; restartPolicy?: string }[];
    overhead?: Requests;
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
    tolerations?: Toleration[];
    volumes?: { emptyDir?: unknown; hostPath?: unknown }[];
  };
}

/** Cluster Autoscaler's per-pod switch (FAQ: "What types of pods can prevent CA from removing a node?"). */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
/** The kubelet's annotation on a static pod's mirror (k8s.io/api core/v1 MirrorPodAnnotationKey). */
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * The pod as scheduling sees it. Its effective request is what the scheduler counts
 * (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers): the larger
 * of the app containers' sum (with sidecars, init containers that keep running) and the largest plain init container
 * (with the sidecars too: an upper bound, Kubernetes counts only the sidecars declared before it), plus the pod overhead.
 */
export function podSpecView(pod: KubePodForScheduling): PodSpecView {
  const spec = pod.spec ?? {};
  const sum = (list: { resources?: { requests?: Requests } }[]) => list.map((c) => requestsOf(c.resources?.requests)).reduce(add, zero());
  const inits = spec.initContainers ?? [];
  const sidecars = sum(inits.filter((c) => c.restartPolicy === 'Always'));
  const apps = add(sum(spec.containers ?? []), sidecars);
  const largestInit = inits
    .filter((c) => c.restartPolicy !== 'Always')
    .reduce((max, c) => maxOf(max, add(requestsOf(c.resources?.requests), sidecars)), zero());
  const requests = add(maxOf(apps, largestInit), requestsOf(spec.overhead));
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    requests,
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    ...(terms ? { requiredNodeAffinity: terms } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
  };
}

/** A pod bound to a node, with what decides whether it may move; undefined for DaemonSet and mirror pods, which never do. */
export function boundPod(pod: KubePodForScheduling): BoundPod | undefined {
  const meta = pod.metadata ?? {};
  const controller = meta.ownerReferences?.find((o) => o.controller)?.kind;
  if (controller === 'DaemonSet' || meta.annotations?.[MIRROR_ANNOTATION] !== undefined) return undefined;
  const safe = meta.annotations?.[SAFE_TO_EVICT_ANNOTATION];
  return {
    ...podSpecView(pod),
    labels: meta.labels ?? {},
    ...(controller ? { controller } : {}),
    ...((pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined || v.hostPath !== undefined) ? { localStorage: true } : {}),
    ...(safe === 'true' ? { safeToEvict: true } : safe === 'false' ? { safeToEvict: false } : {}),
  };
}

function requestsOf(r: Requests | undefined): Resources {
  return { cpuMillis: cpuMillis(r?.cpu) ?? 0, memoryBytes: memoryBytes(r?.memory) ?? 0 };
}

function zero(): Resources {
  return { cpuMillis: 0, memoryBytes: 0 };
}

function add(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}

function maxOf(a: Resources, b: Resources): Resources {
  return { cpuMillis: Math.max(a.cpuMillis, b.cpuMillis), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) };
}
