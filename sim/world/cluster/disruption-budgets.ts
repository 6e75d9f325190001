import { type KubeStore, matchesLabelSelector } from '../kube-store.js';
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
