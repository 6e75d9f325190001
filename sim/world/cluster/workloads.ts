import { createHash } from 'node:crypto';
import type { Timer } from '../../clock.js';
import type { KubeObject, Taint } from '../types.js';
import type { ClusterControllers, ClusterEnv } from './context.js';
import { pdbStatus } from './disruption-budgets.js';
import { podReady } from './status.js';
import { daemonTolerations, tolerates } from './taints.js';

/** The Deployment, ReplicaSet and DaemonSet controllers and the disruption controller's PDB status. */
export class WorkloadControllers {
  private timer?: Timer;
  /** True while a pass runs: the pass's own pod changes must not schedule another. */
  reconciling = false;

  constructor(
    private readonly env: ClusterEnv,
    private readonly controllers: ClusterControllers,
  ) {}

  reconcileSoon(): void {
    if (this.timer && !this.timer.cancelled) return;
    this.timer = this.env.clock.setTimer(500, () => this.reconcile(), 'workloads');
  }

  /** Deployments keep one ReplicaSet of their template; ReplicaSets keep `replicas` live pods; DaemonSets one pod per eligible node; PDB status. */
  reconcile(): void {
    const { store } = this.env;
    this.reconciling = true;
    try {
      for (const d of store.list('deployments')) this.rollOut(d);
      for (const rs of store.list('replicasets')) this.reconcileReplicaSet(rs);
      for (const d of store.list('deployments')) this.deploymentStatus(d);
      for (const ds of store.list('daemonsets')) this.reconcileDaemonSet(ds);
      for (const pdb of store.list('poddisruptionbudgets')) {
        const s = pdbStatus(store, pdb);
        store.mutate('poddisruptionbudgets', pdb.metadata.namespace, pdb.metadata.name, (o) => {
          o.status = { ...s, observedGeneration: o.metadata.generation ?? 1 };
        });
      }
    } finally {
      this.reconciling = false;
    }
  }

  private ownedPods(owner: KubeObject): KubeObject[] {
    return this.owned('pods', owner);
  }

  private owned(resource: string, owner: KubeObject): KubeObject[] {
    return this.env.store
      .list(resource, { namespace: owner.metadata.namespace })
      .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
  }

  /**
   * The Deployment controller, reduced to what `kubectl get deploy` shows: one ReplicaSet per template, named
   * `<deployment>-<pod-template-hash>` with that label on it, its selector and its pods; a changed template
   * replaces the old ReplicaSet at once (no rolling surge).
   */
  private rollOut(d: KubeObject): void {
    const { store } = this.env;
    const hash = templateHash(JSON.stringify(d.spec?.template ?? {}));
    const name = `${d.metadata.name}-${hash}`;
    const replicas = d.spec?.replicas ?? 1;
    for (const old of this.owned('replicasets', d).filter((rs) => rs.metadata.name !== name)) {
      for (const pod of this.ownedPods(old)) this.controllers.pods.delete(pod.metadata.namespace as string, pod.metadata.name);
      store.remove('replicasets', old.metadata.namespace, old.metadata.name);
    }
    const current = store.get('replicasets', d.metadata.namespace, name);
    if (current) {
      if ((current.spec?.replicas ?? 1) !== replicas) {
        store.mutate('replicasets', d.metadata.namespace, name, (rs) => {
          rs.spec.replicas = replicas;
        });
      }
      return;
    }
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } };
    store.create('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid as string, controller: true }],
      },
      spec: {
        replicas,
        selector: { ...d.spec?.selector, matchLabels: { ...d.spec?.selector?.matchLabels, 'pod-template-hash': hash } },
        template,
      },
    });
  }

  private deploymentStatus(d: KubeObject): void {
    const sets = this.owned('replicasets', d);
    const sum = (field: string) => sets.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);
    const available = sum('availableReplicas');
    const want = d.spec?.replicas ?? 1;
    this.env.store.mutate('deployments', d.metadata.namespace, d.metadata.name, (o) => {
      o.status = {
        observedGeneration: o.metadata.generation ?? 1,
        replicas: sum('replicas'),
        updatedReplicas: sum('replicas'),
        readyReplicas: sum('readyReplicas'),
        availableReplicas: available,
        ...(want - available > 0 ? { unavailableReplicas: want - available } : {}),
      };
    });
  }

  private reconcileReplicaSet(rs: KubeObject): void {
    const { pods } = this.controllers;
    const want = rs.spec?.replicas ?? 1;
    const live = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase));
    for (let i = live.length; i < want; i++) pods.create(this.podFromTemplate(rs, 'ReplicaSet'));
    const extra = live
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
      .slice(0, Math.max(0, live.length - want));
    for (const p of extra) pods.delete(p.metadata.namespace as string, p.metadata.name);
    const now = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp);
    this.env.store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (o) => {
      o.status = {
        replicas: now.length,
        readyReplicas: now.filter(podReady).length,
        availableReplicas: now.filter(podReady).length,
        observedGeneration: o.metadata.generation ?? 1,
      };
    });
  }

  private reconcileDaemonSet(ds: KubeObject): void {
    const pods = this.ownedPods(ds);
    const eligible = this.env.store.list('nodes').filter((n) => {
      const sel: Record<string, string> = ds.spec?.template?.spec?.nodeSelector ?? {};
      if (Object.entries(sel).some(([k, v]) => n.metadata.labels?.[k] !== v)) return false;
      const probe = { spec: { tolerations: daemonTolerations(ds.spec?.template?.spec?.tolerations) } } as KubeObject;
      return !(n.spec?.taints as Taint[] | undefined)?.some((t) => t.effect !== 'PreferNoSchedule' && !tolerates(probe, t));
    });
    for (const node of eligible) {
      if (pods.some((p) => p.spec.nodeName === node.metadata.name && !p.metadata.deletionTimestamp)) continue;
      const pod = this.podFromTemplate(ds, 'DaemonSet');
      pod.spec.nodeName = node.metadata.name;
      pod.spec.tolerations = daemonTolerations(pod.spec.tolerations);
      this.controllers.pods.create(pod);
    }
    const current = this.ownedPods(ds).filter((p) => !p.metadata.deletionTimestamp);
    this.env.store.mutate('daemonsets', ds.metadata.namespace, ds.metadata.name, (o) => {
      o.status = {
        desiredNumberScheduled: eligible.length,
        currentNumberScheduled: current.length,
        numberReady: current.filter(podReady).length,
        numberMisscheduled: 0,
        observedGeneration: o.metadata.generation ?? 1,
      };
    });
  }

  private podFromTemplate(owner: KubeObject, kind: string): KubeObject {
    const template = owner.spec?.template ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${owner.metadata.name}-${this.env.random.hex(5)}`,
        namespace: owner.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid as string, controller: true }],
      },
      spec: structuredClone(template.spec ?? {}),
    };
  }
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A short hash of a pod template, in the characters the API server uses for generated names (as pod-template-hash). */
function templateHash(text: string): string {
  return [...createHash('sha256').update(text).digest().subarray(0, 10)].map((b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}
