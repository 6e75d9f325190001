import type { Clock } from '../../clock.js';
import type { Random } from '../../random.js';
import type { KubeStore } from '../kube-store.js';
import type { KubeObject, Vm } from '../types.js';
import type { ClusterControllers, ClusterEnv, ClusterOptions, MachineView } from './context.js';
import { type DisruptionBudgetStatus, pdbStatus } from './disruption-budgets.js';
import { ClusterEvents } from './events.js';
import { NodeLifecycle } from './node-lifecycle.js';
import { PodLifecycle } from './pod-lifecycle.js';
import { Scheduler } from './scheduler.js';
import { WorkloadControllers } from './workloads.js';

/**
 * The control plane's own controllers, as far as the simulation needs them: node lifecycle
 * (heartbeats, Unknown after the grace period, NoExecute taints and eviction), the scheduler,
 * ReplicaSets, DaemonSets, PodDisruptionBudgets, pod garbage collection and graceful deletion.
 * Each lives in its own module; this class wires them to the store's change feed.
 */
export class Cluster implements ClusterControllers {
  readonly nodes: NodeLifecycle;
  readonly pods: PodLifecycle;
  readonly scheduler: Scheduler;
  readonly workloads: WorkloadControllers;
  readonly events: ClusterEvents;

  constructor(
    readonly store: KubeStore,
    clock: Clock,
    random: Random,
    machines: MachineView,
    readonly options: ClusterOptions,
  ) {
    this.events = new ClusterEvents(store, clock, options.eventTtlMs);
    const env: ClusterEnv = { store, clock, random, machines, options, events: this.events };
    this.nodes = new NodeLifecycle(env, this);
    this.pods = new PodLifecycle(env, this);
    this.scheduler = new Scheduler(env);
    this.workloads = new WorkloadControllers(env, this);
    store.onChange((resource, type, obj) => this.onChange(resource, type, obj));
  }

  /** The kubelet on `vm` registers its Node (NotReady), which turns Ready after nodeReadyDelayMs. */
  registerNode(vm: Vm, labels: Record<string, string>, providerID: string | undefined): KubeObject {
    return this.nodes.register(vm, labels, providerID);
  }

  /** Brings a node's status in line with whether its kubelet is reachable. */
  refreshNode(name: string): void {
    this.nodes.refresh(name);
  }

  /** Deletes a Node; its pods are garbage-collected at once. */
  deleteNode(name: string, why?: string): KubeObject {
    return this.nodes.delete(name, why);
  }

  /** Creates a pod with the defaults admission adds (not-ready/unreachable tolerations for 300 s). */
  createPod(pod: KubeObject): KubeObject {
    return this.pods.create(pod);
  }

  /** Deletes a pod gracefully (Terminating until its kubelet confirms); gracePeriodSeconds 0 forces removal. */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): KubeObject {
    return this.pods.delete(namespace, name, gracePeriodSeconds);
  }

  /** The eviction subresource: refuses with 429 when a PodDisruptionBudget would be violated. */
  evictPod(namespace: string, name: string, gracePeriodSeconds?: number): void {
    this.pods.evict(namespace, name, gracePeriodSeconds);
  }

  podsOnNode(name: string): KubeObject[] {
    return this.pods.onNode(name);
  }

  pdbStatus(pdb: KubeObject): DisruptionBudgetStatus {
    return pdbStatus(this.store, pdb);
  }

  scheduleSoon(): void {
    this.scheduler.scheduleSoon();
  }

  /** One scheduling pass over pending pods, oldest first. */
  schedulePending(): void {
    this.scheduler.schedulePending();
  }

  reconcileWorkloadsSoon(): void {
    this.workloads.reconcileSoon();
  }

  /** ReplicaSets keep `replicas` live pods; DaemonSets one pod per eligible node; PDB status. */
  reconcileWorkloads(): void {
    this.workloads.reconcile();
  }

  private onChange(resource: string, type: string, obj: KubeObject): void {
    if (this.workloads.reconciling && resource !== 'nodes') return;
    if (resource === 'nodes') {
      this.scheduler.scheduleSoon();
      this.workloads.reconcileSoon();
    } else if (resource === 'pods') {
      if (type === 'DELETED' || obj.metadata.deletionTimestamp) this.scheduler.scheduleSoon();
      this.workloads.reconcileSoon();
    } else if (resource === 'replicasets' || resource === 'daemonsets' || resource === 'poddisruptionbudgets' || resource === 'deployments') {
      this.workloads.reconcileSoon();
    }
  }
}
