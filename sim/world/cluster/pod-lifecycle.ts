import { isoSeconds, matchesLabelSelector } from '../kube-store.js';
import type { KubeObject, Toleration } from '../types.js';
import type { ClusterControllers, ClusterEnv } from './context.js';
import { checkEviction, pdbStatus } from './disruption-budgets.js';
import { KeyedTimers } from './keyed-timers.js';
import { podKey, podReady } from './status.js';
import { NOT_READY, UNREACHABLE } from './taints.js';

/**
 * Pods from admission to removal: default tolerations, graceful deletion confirmed by the kubelet,
 * the eviction API with PodDisruptionBudgets, and the taint manager's NoExecute evictions.
 */
export class PodLifecycle {
  private readonly evictionTimers: KeyedTimers;
  private readonly deletionTimers: KeyedTimers;

  constructor(
    private readonly env: ClusterEnv,
    private readonly controllers: ClusterControllers,
  ) {
    this.evictionTimers = new KeyedTimers(env.clock);
    this.deletionTimers = new KeyedTimers(env.clock);
  }

  /** Creates a pod with the defaults admission adds (not-ready/unreachable tolerations for 300 s). */
  create(pod: KubeObject): KubeObject {
    const { store, options } = this.env;
    const p = structuredClone(pod);
    p.spec = p.spec ?? {};
    p.spec.containers = p.spec.containers ?? [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }];
    const tolerations: Toleration[] = p.spec.tolerations ?? [];
    for (const key of [NOT_READY, UNREACHABLE]) {
      if (!tolerations.some((t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'))) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: options.defaultTolerationSeconds });
      }
    }
    p.spec.tolerations = tolerations;
    p.spec.restartPolicy = p.spec.restartPolicy ?? 'Always';
    p.spec.terminationGracePeriodSeconds = p.spec.terminationGracePeriodSeconds ?? 30;
    p.status = { phase: 'Pending', conditions: [] };
    const created = store.create('pods', p);
    if (created.spec.nodeName) this.controllers.scheduler.bind(created, created.spec.nodeName);
    else this.controllers.scheduler.scheduleSoon();
    return store.mustGet('pods', created.metadata.namespace, created.metadata.name);
  }

  /**
   * Deletes a pod the way the API server and kubelet do: it turns Terminating at once and is
   * removed when its kubelet confirms, which an unreachable kubelet never does; gracePeriodSeconds
   * 0 forces removal.
   */
  delete(namespace: string, name: string, gracePeriodSeconds?: number): KubeObject {
    const { store, clock, machines } = this.env;
    const pod = store.mustGet('pods', namespace, name);
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (grace === 0 || !pod.spec.nodeName) {
      this.remove(pod, 'deleted');
      return pod;
    }
    if (pod.metadata.deletionTimestamp) return pod;
    const updated = store.mutate('pods', namespace, name, (p) => {
      p.metadata.deletionTimestamp = isoSeconds(clock.now() + grace * 1000);
      p.metadata.deletionGracePeriodSeconds = grace;
    }) as KubeObject;
    if (machines.reachable(pod.spec.nodeName)) this.finishDeletionSoon(updated);
    this.controllers.workloads.reconcileSoon();
    return updated;
  }

  /** The eviction subresource: refuses with 429 when a PodDisruptionBudget forbids it (disruption-budgets.ts says when). */
  evict(namespace: string, name: string, gracePeriodSeconds?: number): void {
    const { store, machines, options } = this.env;
    const pod = store.mustGet('pods', namespace, name);
    if (pod.metadata.deletionTimestamp) return;
    const budgets = store
      .list('poddisruptionbudgets', { namespace })
      .filter((pdb) => matchesLabelSelector(pod.metadata.labels ?? {}, pdb.spec?.selector))
      .map((pdb) => ({ pdb, status: pdbStatus(store, pdb) }));
    checkEviction(pod, podReady(pod), budgets, options.unhealthyPodsNeedHealthyBudget);
    machines.record('pod.evicted', `pod ${namespace}/${name} evicted from ${pod.spec.nodeName ?? '(unscheduled)'}`, `${namespace}/${name}`);
    this.delete(namespace, name, gracePeriodSeconds);
  }

  onNode(name: string): KubeObject[] {
    return this.env.store.list('pods', { fieldSelector: `spec.nodeName=${name}` });
  }

  /** Its node is Ready again: a pending eviction is off, a Terminating pod finishes, the others turn Ready. */
  nodeBack(pod: KubeObject): void {
    this.evictionTimers.cancel(podKey(pod));
    if (pod.metadata.deletionTimestamp) this.finishDeletionSoon(pod);
    else this.setReady(pod, true);
  }

  /** Its node went Unknown: the pod is not Ready and the taint manager counts down its toleration. */
  nodeLost(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return;
    this.setReady(pod, false);
    this.scheduleTaintEviction(pod);
  }

  remove(pod: KubeObject, _why: string): void {
    const k = podKey(pod);
    this.evictionTimers.cancel(k);
    this.deletionTimers.cancel(k);
    this.env.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
  }

  private finishDeletionSoon(pod: KubeObject): void {
    const { store, clock } = this.env;
    const k = podKey(pod);
    if (this.deletionTimers.has(k)) return;
    const grace = Math.min(pod.metadata.deletionGracePeriodSeconds ?? 30, 2);
    this.deletionTimers.set(
      k,
      clock.setTimer(
        grace * 1000,
        () => {
          this.deletionTimers.delete(k);
          const current = store.get('pods', pod.metadata.namespace, pod.metadata.name);
          if (current && current.metadata.uid === pod.metadata.uid) this.remove(current, 'terminated');
        },
        `delete ${k}`,
      ),
    );
  }

  private scheduleTaintEviction(pod: KubeObject): void {
    const { store, clock, machines } = this.env;
    const tol = (pod.spec.tolerations as Toleration[] | undefined)?.find(
      (t) => (t.key === UNREACHABLE || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'),
    );
    const k = podKey(pod);
    const evict = () => {
      this.evictionTimers.delete(k);
      const current = store.get('pods', pod.metadata.namespace, pod.metadata.name);
      if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp) return;
      machines.record('pod.evicted', `pod ${k} evicted from unreachable node ${pod.spec.nodeName} (taint manager)`, k);
      this.delete(current.metadata.namespace as string, current.metadata.name);
    };
    if (!tol) {
      evict();
      return;
    }
    if (tol.tolerationSeconds === undefined) return;
    this.evictionTimers.set(k, clock.setTimer(Math.max(0, tol.tolerationSeconds) * 1000, evict, `evict ${k}`));
  }

  private setReady(pod: KubeObject, ready: boolean): void {
    this.env.store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      const status = ready ? 'True' : 'False';
      for (const c of p.status.conditions ?? []) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = status;
    });
  }
}
