import { KubeStatusError, type KubeStore, matchesLabelSelector } from '../kube-store.js';
import type { KubeObject } from '../types.js';
import { podReady } from './status.js';

export interface DisruptionBudgetStatus {
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  expectedPods: number;
}

/** A PodDisruptionBudget's status as the disruption controller computes it. */
export function pdbStatus(store: KubeStore, pdb: KubeObject): DisruptionBudgetStatus {
  const pods = store
    .list('pods', { namespace: pdb.metadata.namespace })
    .filter((p) => matchesLabelSelector(p.metadata.labels ?? {}, pdb.spec?.selector) && !p.metadata.deletionTimestamp);
  const expectedPods = expectedPodsFor(store, pods);
  const currentHealthy = pods.filter(podReady).length;
  let desiredHealthy: number;
  if (pdb.spec?.minAvailable !== undefined) desiredHealthy = resolveIntOrPercent(pdb.spec.minAvailable, expectedPods, true);
  else if (pdb.spec?.maxUnavailable !== undefined)
    desiredHealthy = Math.max(0, expectedPods - resolveIntOrPercent(pdb.spec.maxUnavailable, expectedPods, true));
  else desiredHealthy = expectedPods;
  return { currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy), expectedPods };
}

/** Pods a PDB expects: its owners' replica counts where known, else the pods it sees. */
function expectedPodsFor(store: KubeStore, pods: KubeObject[]): number {
  const owners = new Map<string, number>();
  let loose = 0;
  for (const p of pods) {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller);
    if (ref?.kind === 'ReplicaSet') {
      const rs = store.get('replicasets', p.metadata.namespace, ref.name);
      if (rs) {
        owners.set(ref.uid, rs.spec?.replicas ?? 1);
        continue;
      }
    }
    loose++;
  }
  return loose + [...owners.values()].reduce((a, b) => a + b, 0);
}

function resolveIntOrPercent(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** `spec.unhealthyPodEvictionPolicy` of a policy/v1 PodDisruptionBudget; absent means IfHealthyBudget. */
export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';
export const UNHEALTHY_POD_EVICTION_POLICIES: readonly UnhealthyPodEvictionPolicy[] = ['AlwaysAllow', 'IfHealthyBudget'];

/**
 * May the eviction API evict `pod`, given the PodDisruptionBudgets whose selector matches it? Throws the
 * API server's error when not; returns when it may. As kubernetes pkg/registry/core/pod/storage/eviction.go:
 * - a pod that is Succeeded, Failed, Pending or already terminating ignores budgets (canIgnorePDB);
 * - more than one budget: 500, the eviction subresource does not support it;
 * - a pod that is not Ready: evicted when the budget is healthy (currentHealthy >= desiredHealthy > 0), or
 *   always under `unhealthyPodEvictionPolicy: AlwaysAllow`; otherwise it goes through the same check as a
 *   Ready pod (with the default IfHealthyBudget, draining a dead node then answers 429);
 * - then 429 TooManyRequests with a DisruptionBudget cause when no disruption is allowed.
 * `unhealthyNeedsHealthyBudget: false` treats every budget as AlwaysAllow (a kind world).
 */
export function checkEviction(
  pod: KubeObject,
  ready: boolean,
  budgets: Array<{ pdb: KubeObject; status: DisruptionBudgetStatus }>,
  unhealthyNeedsHealthyBudget: boolean,
): void {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) return;
  if (budgets.length === 0) return;
  if (budgets.length > 1) {
    throw new KubeStatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const [{ pdb, status }] = budgets;
  if (!ready) {
    if (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return;
    const policy: UnhealthyPodEvictionPolicy = pdb.spec?.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget';
    if (policy === 'AlwaysAllow' || !unhealthyNeedsHealthyBudget) return;
  }
  if (status.disruptionsAllowed === 0) {
    throw new KubeStatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [
        {
          reason: 'DisruptionBudget',
          message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
        },
      ],
    });
  }
}
