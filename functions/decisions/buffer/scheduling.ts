import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpecView, Resources, Taint, Toleration } from './types.js';

/**
 * The kube-scheduler's filters that decide whether a pod may run on a node, as Cluster Autoscaler's simulation runs
 * them (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md, "How does scale-up work"):
 * NodeResourcesFit, NodeAffinity (nodeSelector and required node affinity, which carry architecture and topology
 * labels alike), TaintToleration. Each answers undefined when the pod passes, else why it does not, in one phrase.
 */

/** nodeSelector: every key equal (https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector). */
export function nodeSelectorMismatch(pod: PodSpecView, labels: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (labels[key] !== value) return `nodeSelector ${key}=${value} (the node has ${key in labels ? `${key}=${labels[key]}` : `no ${key}`})`;
  }
  return undefined;
}

/** Required node affinity: terms ORed, expressions ANDed; an empty term matches nothing (core/v1 NodeSelector). */
export function nodeAffinityMismatch(pod: PodSpecView, labels: Record<string, string>): string | undefined {
  const terms = pod.requiredNodeAffinity;
  if (!terms) return undefined;
  if (terms.some((term) => termMatches(term, labels))) return undefined;
  return `required node affinity ${terms.map(describeTerm).join(' or ')}`;
}

function termMatches(term: NodeSelectorTerm, labels: Record<string, string>): boolean {
  const expressions = term.matchExpressions ?? [];
  return expressions.length > 0 && expressions.every((r) => requirementMatches(r, labels));
}

function requirementMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides must parse as integers, else the requirement does not match (k8s.io/component-helpers).
      const left = Number(value);
      const right = Number(values[0]);
      if (!has || values.length !== 1 || !Number.isInteger(left) || !Number.isInteger(right)) return false;
      return r.operator === 'Gt' ? left > right : left < right;
    }
    default:
      return false;
  }
}

function describeTerm(term: NodeSelectorTerm): string {
  const expressions = term.matchExpressions ?? [];
  if (expressions.length === 0) return '(empty term)';
  return expressions.map((r) => (r.values?.length ? `${r.key} ${r.operator} ${r.values.join(',')}` : `${r.key} ${r.operator}`)).join(' and ');
}

/** Taints with NoSchedule or NoExecute the pod does not tolerate; PreferNoSchedule never blocks (TaintToleration). */
export function untoleratedTaint(pod: PodSpecView, taints: readonly Taint[]): string | undefined {
  const blocking = taints.find((t) => t.effect !== 'PreferNoSchedule' && !(pod.tolerations ?? []).some((tol) => tolerates(tol, t)));
  return blocking ? `taint ${blocking.key}${blocking.value ? `=${blocking.value}` : ''}:${blocking.effect} not tolerated` : undefined;
}

/** core/v1 Toleration.ToleratesTaint: an empty effect matches every effect; Exists with no key matches every taint. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (!tol.key && tol.operator !== 'Exists') return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

/** Whether the labels and taints let the pod run (resources aside). */
export function placementMismatch(pod: PodSpecView, labels: Record<string, string>, taints: readonly Taint[]): string | undefined {
  return nodeSelectorMismatch(pod, labels) ?? nodeAffinityMismatch(pod, labels) ?? untoleratedTaint(pod, taints);
}

/** Why the requests do not fit in `free` (NodeResourcesFit), or undefined. */
export function resourcesMismatch(requests: Resources, free: Resources & { pods: number }): string | undefined {
  if (free.pods < 1) return 'no room for another pod';
  if (requests.cpuMillis > free.cpuMillis) return `cpu ${requests.cpuMillis}m requested, ${free.cpuMillis}m free`;
  if (requests.memoryBytes > free.memoryBytes) return `memory ${mib(requests.memoryBytes)} requested, ${mib(free.memoryBytes)} free`;
  return undefined;
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}
