/** The drain shared by RemoveNode and HealNode (workflows/node-teardown.ts): its deadline and which pods it evicts. */

/** How the drain polls: a pass every `retrySeconds`, at most `maxPasses` passes (the drain deadline). */
export interface DrainPolicy {
  deadlineSeconds: number;
  retrySeconds: number;
  maxPasses: number;
}

/** One pass at once, then one every `retrySeconds` until `deadlineSeconds` have passed. */
export function drainPolicy(deadlineSeconds: number, retrySeconds: number): DrainPolicy {
  const retry = Math.max(1, retrySeconds);
  return { deadlineSeconds, retrySeconds: retry, maxPasses: 1 + Math.ceil(deadlineSeconds / retry) };
}

/** The fields of a Pod (core/v1) a drain reads. */
export interface DrainPod {
  namespace: string;
  name: string;
  /** Kind of its controller owner reference (DaemonSet, ReplicaSet, ...). */
  controllerKind?: string;
  /** Set for a static pod's mirror (annotation kubernetes.io/config.mirror). */
  mirror: boolean;
  terminating: boolean;
  phase?: string;
}

/** What one drain pass does with the pods on a node. */
export interface DrainSelection {
  /** Pods to evict (or, on the force path, delete). */
  evict: DrainPod[];
  /** Pods already going: the drain waits for them, as kubectl drain does. */
  terminating: DrainPod[];
  /** DaemonSet and mirror pods: left alone, as kubectl drain --ignore-daemonsets and Cluster Autoscaler do. */
  skipped: DrainPod[];
}

/**
 * kubectl drain's filters (k8s.io/kubectl/pkg/drain/filters.go): DaemonSet pods are skipped (their controller would
 * recreate them on the cordoned node anyway, it tolerates unschedulable), mirror pods are skipped (the kubelet owns
 * them; deleting the mirror does nothing). Finished pods (Succeeded, Failed) are evicted too: they ignore budgets.
 */
export function selectPodsToDrain(pods: DrainPod[]): DrainSelection {
  const out: DrainSelection = { evict: [], terminating: [], skipped: [] };
  for (const p of pods) {
    if (p.mirror || p.controllerKind === 'DaemonSet') out.skipped.push(p);
    else if (p.terminating) out.terminating.push(p);
    else out.evict.push(p);
  }
  return out;
}
