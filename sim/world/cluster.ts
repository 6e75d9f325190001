import type { Clock, Timer } from '../clock.js';
import type { Random } from '../random.js';
import { isoSeconds, KubeStatusError, type KubeStore, matchesLabelSelector, notFound } from './kube-store.js';
import type { KubeObject, Taint, Toleration, Vm } from './types.js';

/** What the cluster needs to know about the machines under its nodes. */
export interface MachineView {
  /** Whether the kubelet on this node can reach the control plane. */
  reachable(nodeName: string): boolean;
  /** The VM behind a node, if any. */
  vmOfNode(nodeName: string): Vm | undefined;
  record(type: string, message: string, subject?: string): void;
}

export interface ClusterOptions {
  /** Node-monitor grace period: Ready goes Unknown this long after the kubelet stops reporting. */
  nodeMonitorGracePeriodMs: number;
  /** Default tolerationSeconds for not-ready/unreachable added to every pod. */
  defaultTolerationSeconds: number;
  /** Delete a Node whose VM is gone (the cloud node-lifecycle controller). Kosmos external nodes have none. */
  cloudLifecycleController: boolean;
  /** Time from registration to Ready (CNI and kubelet warm-up). */
  nodeReadyDelayMs: number;
}

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/**
 * The control plane's own controllers, as far as the simulation needs them: node lifecycle
 * (heartbeats, Unknown after the grace period, NoExecute taints and eviction), the scheduler,
 * ReplicaSets, DaemonSets, PodDisruptionBudgets, pod garbage collection and graceful deletion.
 */
export class Cluster {
  private readonly unknownTimers = new Map<string, Timer>();
  private readonly evictionTimers = new Map<string, Timer>();
  private readonly deletionTimers = new Map<string, Timer>();
  private scheduleTimer?: Timer;
  private workloadTimer?: Timer;
  private reconciling = false;

  constructor(
    readonly store: KubeStore,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly machines: MachineView,
    readonly options: ClusterOptions,
  ) {
    store.onChange((resource, type, obj) => this.onChange(resource, type, obj));
  }

  // ---- nodes ----------------------------------------------------------------------------------

  /** The kubelet on `vm` registers its Node (NotReady), which turns Ready after nodeReadyDelayMs. */
  registerNode(vm: Vm, labels: Record<string, string>, providerID: string | undefined): KubeObject {
    const name = vm.nodeName ?? vm.name;
    const cpuMilli = vm.cpu * 1000;
    const memKi = vm.memoryMiB * 1024;
    const now = isoSeconds(this.clock.now());
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/arch': vm.arch,
          'kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': vm.arch,
          'beta.kubernetes.io/os': 'linux',
          ...labels,
        },
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: {
        ...(providerID ? { providerID } : {}),
        taints: [{ key: NOT_READY, effect: 'NoSchedule' }],
      },
      status: {
        capacity: { cpu: String(vm.cpu), memory: `${memKi}Ki`, pods: '110', 'ephemeral-storage': '41152812Ki' },
        allocatable: {
          cpu: `${cpuMilli - 100}m`,
          memory: `${memKi - 256 * 1024}Ki`,
          pods: '110',
          'ephemeral-storage': '37926431477',
        },
        addresses: [
          { type: 'InternalIP', address: vm.privateIp },
          { type: 'ExternalIP', address: vm.publicIp },
          { type: 'Hostname', address: name },
        ],
        conditions: conditions('False', 'KubeletNotReady', 'container runtime network not ready: NetworkReady=false', now),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: vm.arch,
          operatingSystem: 'linux',
          osImage: 'Ubuntu 24.04.1 LTS',
          kernelVersion: vm.arch === 'arm64' ? '6.8.0-1018-aws' : '6.8.0-1018-generic',
          kubeletVersion: 'v1.31.2',
          kubeProxyVersion: 'v1.31.2',
          containerRuntimeVersion: 'containerd://1.7.22',
          machineID: this.random.hex(32),
          systemUUID: this.random.uuid(),
          bootID: this.random.uuid(),
        },
      },
    };
    const existing = this.store.get('nodes', undefined, name);
    const created = existing ? existing : this.store.create('nodes', node);
    if (!existing) this.machines.record('node.registered', `node ${name} registered (NotReady)`, name);
    this.clock.setTimer(this.options.nodeReadyDelayMs, () => this.refreshNode(name), `ready ${name}`);
    return created;
  }

  /**
   * Brings a node's status in line with whether its kubelet is reachable: Ready when it is
   * (after registration warm-up), Unknown plus NoExecute taints once the grace period passes
   * when it is not.
   */
  refreshNode(name: string): void {
    const node = this.store.get('nodes', undefined, name);
    if (!node) return;
    const reachable = this.machines.reachable(name);
    const ready = readyStatus(node);
    if (reachable) {
      this.cancel(this.unknownTimers, name);
      if (ready !== 'True') this.markReady(name, ready === 'Unknown');
      return;
    }
    if (ready === 'Unknown' || this.unknownTimers.has(name)) return;
    this.unknownTimers.set(
      name,
      this.clock.setTimer(this.options.nodeMonitorGracePeriodMs, () => this.markUnknown(name), `grace ${name}`),
    );
  }

  private markReady(name: string, recovered: boolean): void {
    const now = isoSeconds(this.clock.now());
    this.store.mutate('nodes', undefined, name, (n) => {
      n.status.conditions = conditions('True', 'KubeletReady', 'kubelet is posting ready status', now);
      n.spec.taints = (n.spec.taints ?? []).filter((t: Taint) => t.key !== NOT_READY && t.key !== UNREACHABLE);
      if (n.spec.taints.length === 0) delete n.spec.taints;
    });
    this.machines.record('node.ready', `node ${name} is Ready${recovered ? ' again' : ''}`, name);
    for (const pod of this.podsOnNode(name)) {
      this.cancel(this.evictionTimers, podKey(pod));
      if (pod.metadata.deletionTimestamp) this.finishDeletionSoon(pod);
      else this.setPodReady(pod, true);
    }
    this.scheduleSoon();
    this.reconcileWorkloadsSoon();
  }

  private markUnknown(name: string): void {
    this.unknownTimers.delete(name);
    const node = this.store.get('nodes', undefined, name);
    if (!node || this.machines.reachable(name)) return;
    const now = isoSeconds(this.clock.now());
    this.store.mutate('nodes', undefined, name, (n) => {
      n.status.conditions = conditions('Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', now);
      const taints: Taint[] = (n.spec.taints ?? []).filter((t: Taint) => t.key !== NOT_READY && t.key !== UNREACHABLE);
      taints.push({ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: now });
      n.spec.taints = taints;
    });
    this.machines.record('node.unknown', `node ${name} Ready=Unknown: kubelet stopped posting node status`, name);
    for (const pod of this.podsOnNode(name)) {
      if (pod.metadata.deletionTimestamp) continue;
      this.setPodReady(pod, false);
      this.scheduleTaintEviction(pod);
    }
    if (this.options.cloudLifecycleController) {
      const vm = this.machines.vmOfNode(name);
      if (!vm || vm.state === 'terminated') this.deleteNode(name, 'cloud node-lifecycle controller: instance is gone');
    }
    this.reconcileWorkloadsSoon();
  }

  /** Deletes a Node; its pods are garbage-collected at once. */
  deleteNode(name: string, why = 'deleted through the API'): KubeObject {
    const node = this.store.get('nodes', undefined, name);
    if (!node) throw notFound('nodes', name);
    this.store.remove('nodes', undefined, name);
    this.cancel(this.unknownTimers, name);
    this.machines.record('node.deleted', `node ${name} deleted (${why})`, name);
    for (const pod of this.podsOnNode(name)) this.removePod(pod, 'pod GC: node deleted');
    return node;
  }

  // ---- pods -----------------------------------------------------------------------------------

  /** Creates a pod with the defaults admission adds (not-ready/unreachable tolerations for 300 s). */
  createPod(pod: KubeObject): KubeObject {
    const p = structuredClone(pod);
    p.spec = p.spec ?? {};
    p.spec.containers = p.spec.containers ?? [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }];
    const tolerations: Toleration[] = p.spec.tolerations ?? [];
    for (const key of [NOT_READY, UNREACHABLE]) {
      if (!tolerations.some((t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'))) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.options.defaultTolerationSeconds });
      }
    }
    p.spec.tolerations = tolerations;
    p.spec.restartPolicy = p.spec.restartPolicy ?? 'Always';
    p.spec.terminationGracePeriodSeconds = p.spec.terminationGracePeriodSeconds ?? 30;
    p.status = { phase: 'Pending', conditions: [] };
    const created = this.store.create('pods', p);
    if (created.spec.nodeName) this.bindPod(created, created.spec.nodeName);
    else this.scheduleSoon();
    return this.store.mustGet('pods', created.metadata.namespace, created.metadata.name);
  }

  /**
   * Deletes a pod the way the API server and kubelet do: it turns Terminating at once and is
   * removed when its kubelet confirms, which an unreachable kubelet never does; gracePeriodSeconds
   * 0 forces removal.
   */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): KubeObject {
    const pod = this.store.mustGet('pods', namespace, name);
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (grace === 0 || !pod.spec.nodeName) {
      this.removePod(pod, 'deleted');
      return pod;
    }
    if (pod.metadata.deletionTimestamp) return pod;
    const updated = this.store.mutate('pods', namespace, name, (p) => {
      p.metadata.deletionTimestamp = isoSeconds(this.clock.now() + grace * 1000);
      p.metadata.deletionGracePeriodSeconds = grace;
    }) as KubeObject;
    if (this.machines.reachable(pod.spec.nodeName)) this.finishDeletionSoon(updated);
    this.reconcileWorkloadsSoon();
    return updated;
  }

  /** The eviction subresource: refuses with 429 when a PodDisruptionBudget would be violated. */
  evictPod(namespace: string, name: string, gracePeriodSeconds?: number): void {
    const pod = this.store.mustGet('pods', namespace, name);
    if (pod.metadata.deletionTimestamp) return;
    if (podReady(pod)) {
      for (const pdb of this.store.list('poddisruptionbudgets', { namespace })) {
        if (!matchesLabelSelector(pod.metadata.labels ?? {}, pdb.spec?.selector)) continue;
        const s = this.pdbStatus(pdb);
        if (s.disruptionsAllowed < 1) {
          throw new KubeStatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`,
              },
            ],
          });
        }
      }
    }
    this.machines.record('pod.evicted', `pod ${namespace}/${name} evicted from ${pod.spec.nodeName ?? '(unscheduled)'}`, `${namespace}/${name}`);
    this.deletePod(namespace, name, gracePeriodSeconds);
  }

  pdbStatus(pdb: KubeObject): { currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number; expectedPods: number } {
    const pods = this.store
      .list('pods', { namespace: pdb.metadata.namespace })
      .filter((p) => matchesLabelSelector(p.metadata.labels ?? {}, pdb.spec?.selector) && !p.metadata.deletionTimestamp);
    const expectedPods = this.expectedPodsFor(pods);
    const currentHealthy = pods.filter(podReady).length;
    let desiredHealthy: number;
    if (pdb.spec?.minAvailable !== undefined) desiredHealthy = resolveIntOrPercent(pdb.spec.minAvailable, expectedPods, true);
    else if (pdb.spec?.maxUnavailable !== undefined)
      desiredHealthy = Math.max(0, expectedPods - resolveIntOrPercent(pdb.spec.maxUnavailable, expectedPods, true));
    else desiredHealthy = expectedPods;
    return { currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy), expectedPods };
  }

  /** Pods a PDB expects: its owners' replica counts where known, else the pods it sees. */
  private expectedPodsFor(pods: KubeObject[]): number {
    const owners = new Map<string, number>();
    let loose = 0;
    for (const p of pods) {
      const ref = p.metadata.ownerReferences?.find((r) => r.controller);
      if (ref?.kind === 'ReplicaSet') {
        const rs = this.store.get('replicasets', p.metadata.namespace, ref.name);
        if (rs) {
          owners.set(ref.uid, rs.spec?.replicas ?? 1);
          continue;
        }
      }
      loose++;
    }
    return loose + [...owners.values()].reduce((a, b) => a + b, 0);
  }

  private finishDeletionSoon(pod: KubeObject): void {
    const k = podKey(pod);
    if (this.deletionTimers.has(k)) return;
    const grace = Math.min(pod.metadata.deletionGracePeriodSeconds ?? 30, 2);
    this.deletionTimers.set(
      k,
      this.clock.setTimer(
        grace * 1000,
        () => {
          this.deletionTimers.delete(k);
          const current = this.store.get('pods', pod.metadata.namespace, pod.metadata.name);
          if (current && current.metadata.uid === pod.metadata.uid) this.removePod(current, 'terminated');
        },
        `delete ${k}`,
      ),
    );
  }

  private removePod(pod: KubeObject, _why: string): void {
    const k = podKey(pod);
    this.cancel(this.evictionTimers, k);
    this.cancel(this.deletionTimers, k);
    this.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
  }

  private scheduleTaintEviction(pod: KubeObject): void {
    const tol = (pod.spec.tolerations as Toleration[] | undefined)?.find(
      (t) => (t.key === UNREACHABLE || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'),
    );
    const k = podKey(pod);
    const evict = () => {
      this.evictionTimers.delete(k);
      const current = this.store.get('pods', pod.metadata.namespace, pod.metadata.name);
      if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp) return;
      this.machines.record('pod.evicted', `pod ${k} evicted from unreachable node ${pod.spec.nodeName} (taint manager)`, k);
      this.deletePod(current.metadata.namespace as string, current.metadata.name);
    };
    if (!tol) {
      evict();
      return;
    }
    if (tol.tolerationSeconds === undefined) return;
    this.evictionTimers.set(k, this.clock.setTimer(Math.max(0, tol.tolerationSeconds) * 1000, evict, `evict ${k}`));
  }

  private setPodReady(pod: KubeObject, ready: boolean): void {
    this.store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      const status = ready ? 'True' : 'False';
      for (const c of p.status.conditions ?? []) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = status;
    });
  }

  podsOnNode(name: string): KubeObject[] {
    return this.store.list('pods', { fieldSelector: `spec.nodeName=${name}` });
  }

  // ---- scheduler ------------------------------------------------------------------------------

  scheduleSoon(): void {
    if (this.scheduleTimer && !this.scheduleTimer.cancelled) return;
    this.scheduleTimer = this.clock.setTimer(500, () => this.schedulePending(), 'scheduler');
  }

  /** One scheduling pass over pending pods, oldest first. */
  schedulePending(): void {
    const pending = this.store
      .list('pods')
      .filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    if (pending.length === 0) return;
    const nodes = this.store.list('nodes');
    const used = new Map<string, { cpu: number; mem: number; pods: number }>();
    for (const p of this.store.list('pods')) {
      if (!p.spec.nodeName || ['Succeeded', 'Failed'].includes(p.status?.phase)) continue;
      const u = used.get(p.spec.nodeName) ?? { cpu: 0, mem: 0, pods: 0 };
      const r = podRequests(p);
      u.cpu += r.cpu;
      u.mem += r.mem;
      u.pods++;
      used.set(p.spec.nodeName, u);
    }
    for (const pod of pending) {
      const req = podRequests(pod);
      const reasons = new Map<string, number>();
      const note = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
      let best: { name: string; free: number } | undefined;
      for (const node of nodes) {
        if (readyStatus(node) !== 'True') {
          note(`node(s) had untolerated taint {${readyStatus(node) === 'Unknown' ? UNREACHABLE : NOT_READY}: }`);
          continue;
        }
        if (node.spec?.unschedulable && !tolerates(pod, { key: UNSCHEDULABLE, effect: 'NoSchedule' })) {
          note('node(s) were unschedulable');
          continue;
        }
        const selector: Record<string, string> = pod.spec.nodeSelector ?? {};
        if (Object.entries(selector).some(([k, v]) => node.metadata.labels?.[k] !== v)) {
          note("node(s) didn't match Pod's node affinity/selector");
          continue;
        }
        const taint = (node.spec?.taints as Taint[] | undefined)?.find((t) => t.effect !== 'PreferNoSchedule' && !tolerates(pod, t));
        if (taint) {
          note(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
          continue;
        }
        const alloc = nodeAllocatable(node);
        const u = used.get(node.metadata.name) ?? { cpu: 0, mem: 0, pods: 0 };
        if (u.cpu + req.cpu > alloc.cpu) {
          note('Insufficient cpu');
          continue;
        }
        if (u.mem + req.mem > alloc.mem) {
          note('Insufficient memory');
          continue;
        }
        if (u.pods + 1 > alloc.pods) {
          note('Too many pods');
          continue;
        }
        const free = (alloc.cpu - u.cpu - req.cpu) / Math.max(1, alloc.cpu);
        if (!best || free > best.free) best = { name: node.metadata.name, free };
      }
      if (best) {
        const u = used.get(best.name) ?? { cpu: 0, mem: 0, pods: 0 };
        used.set(best.name, { cpu: u.cpu + req.cpu, mem: u.mem + req.mem, pods: u.pods + 1 });
        this.bindPod(pod, best.name);
      } else {
        const parts = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`);
        const message = `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`;
        this.markUnschedulable(pod, message);
      }
    }
  }

  private bindPod(pod: KubeObject, nodeName: string): void {
    const now = isoSeconds(this.clock.now());
    const node = this.store.get('nodes', undefined, nodeName);
    const ready = node ? readyStatus(node) === 'True' && this.machines.reachable(nodeName) : false;
    this.store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec.nodeName = nodeName;
      p.status = {
        phase: ready ? 'Running' : 'Pending',
        hostIP: node?.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address,
        podIP: `10.244.${this.random.int(0, 255)}.${this.random.int(2, 254)}`,
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
        ],
      };
    });
  }

  private markUnschedulable(pod: KubeObject, message: string): void {
    const prev = pod.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
    if (prev?.reason === 'Unschedulable' && prev.message === message) return;
    const now = isoSeconds(this.clock.now());
    this.store.mutate('pods', pod.metadata.namespace, pod.metadata.name, (p) => {
      p.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: now }],
      };
    });
    if (!prev) this.machines.record('pod.unschedulable', `pod ${podKey(pod)} Pending: ${message}`, podKey(pod));
  }

  // ---- workloads ------------------------------------------------------------------------------

  reconcileWorkloadsSoon(): void {
    if (this.workloadTimer && !this.workloadTimer.cancelled) return;
    this.workloadTimer = this.clock.setTimer(500, () => this.reconcileWorkloads(), 'workloads');
  }

  /** ReplicaSets keep `replicas` live pods; DaemonSets one pod per eligible node; PDB status. */
  reconcileWorkloads(): void {
    this.reconciling = true;
    try {
      for (const rs of this.store.list('replicasets')) this.reconcileReplicaSet(rs);
      for (const ds of this.store.list('daemonsets')) this.reconcileDaemonSet(ds);
      for (const pdb of this.store.list('poddisruptionbudgets')) {
        const s = this.pdbStatus(pdb);
        this.store.mutate('poddisruptionbudgets', pdb.metadata.namespace, pdb.metadata.name, (o) => {
          o.status = { ...s, observedGeneration: o.metadata.generation ?? 1 };
        });
      }
    } finally {
      this.reconciling = false;
    }
  }

  private ownedPods(owner: KubeObject): KubeObject[] {
    return this.store
      .list('pods', { namespace: owner.metadata.namespace })
      .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
  }

  private reconcileReplicaSet(rs: KubeObject): void {
    const want = rs.spec?.replicas ?? 1;
    const live = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase));
    for (let i = live.length; i < want; i++) this.createPod(this.podFromTemplate(rs, 'ReplicaSet'));
    const extra = live
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
      .slice(0, Math.max(0, live.length - want));
    for (const p of extra) this.deletePod(p.metadata.namespace as string, p.metadata.name);
    const now = this.ownedPods(rs).filter((p) => !p.metadata.deletionTimestamp);
    this.store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (o) => {
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
    const eligible = this.store.list('nodes').filter((n) => {
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
      this.createPod(pod);
    }
    const current = this.ownedPods(ds).filter((p) => !p.metadata.deletionTimestamp);
    this.store.mutate('daemonsets', ds.metadata.namespace, ds.metadata.name, (o) => {
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
        name: `${owner.metadata.name}-${this.random.hex(5)}`,
        namespace: owner.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind, name: owner.metadata.name, uid: owner.metadata.uid as string, controller: true }],
      },
      spec: structuredClone(template.spec ?? {}),
    };
  }

  // ---- change feed ----------------------------------------------------------------------------

  private onChange(resource: string, type: string, obj: KubeObject): void {
    if (this.reconciling && resource !== 'nodes') return;
    if (resource === 'nodes') {
      this.scheduleSoon();
      this.reconcileWorkloadsSoon();
    } else if (resource === 'pods') {
      if (type === 'DELETED' || obj.metadata.deletionTimestamp) this.scheduleSoon();
      this.reconcileWorkloadsSoon();
    } else if (resource === 'replicasets' || resource === 'daemonsets' || resource === 'poddisruptionbudgets') {
      this.reconcileWorkloadsSoon();
    }
  }

  private cancel(map: Map<string, Timer>, key: string): void {
    const t = map.get(key);
    if (t) this.clock.cancel(t);
    map.delete(key);
  }
}

function conditions(ready: 'True' | 'False' | 'Unknown', reason: string, message: string, now: string) {
  const pressure = ready === 'Unknown' ? 'Unknown' : 'False';
  const pReason = ready === 'Unknown' ? 'NodeStatusUnknown' : undefined;
  const pMessage = ready === 'Unknown' ? 'Kubelet stopped posting node status.' : undefined;
  const c = (type: string, ok: string) => ({
    type,
    status: pressure,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason: pReason ?? `KubeletHas${ok}`,
    message:
      pMessage ??
      `kubelet has ${ok
        .replace(/([A-Z])/g, ' $1')
        .trim()
        .toLowerCase()}`,
  });
  return [
    c('MemoryPressure', 'SufficientMemory'),
    c('DiskPressure', 'NoDiskPressure'),
    c('PIDPressure', 'SufficientPID'),
    { type: 'Ready', status: ready, lastHeartbeatTime: now, lastTransitionTime: now, reason, message },
  ];
}

export function readyStatus(node: KubeObject): 'True' | 'False' | 'Unknown' {
  return node.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status ?? 'Unknown';
}

export function podReady(pod: KubeObject): boolean {
  return pod.status?.phase === 'Running' && pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function tolerates(pod: KubeObject, taint: Taint): boolean {
  return ((pod.spec?.tolerations as Toleration[] | undefined) ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function daemonTolerations(existing: Toleration[] | undefined): Toleration[] {
  const out = [...(existing ?? [])];
  for (const [key, effect] of [
    [NOT_READY, 'NoExecute'],
    [UNREACHABLE, 'NoExecute'],
    [UNSCHEDULABLE, 'NoSchedule'],
    ['node.kubernetes.io/disk-pressure', 'NoSchedule'],
    ['node.kubernetes.io/memory-pressure', 'NoSchedule'],
  ]) {
    if (!out.some((t) => t.key === key && t.effect === effect)) out.push({ key, operator: 'Exists', effect });
  }
  return out;
}

function resolveIntOrPercent(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** CPU in millicores, memory in bytes, summed over a pod's containers' requests. */
export function podRequests(pod: KubeObject): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += parseCpu(c.resources?.requests?.cpu);
    mem += parseQuantity(c.resources?.requests?.memory);
  }
  return { cpu, mem };
}

function nodeAllocatable(node: KubeObject): { cpu: number; mem: number; pods: number } {
  const a = node.status?.allocatable ?? {};
  return { cpu: parseCpu(a.cpu), mem: parseQuantity(a.memory), pods: Number(a.pods ?? 110) };
}

export function parseCpu(v: string | number | undefined): number {
  if (v === undefined) return 0;
  const s = String(v);
  if (s.endsWith('m')) return Number(s.slice(0, -1));
  return Math.round(Number(s) * 1000);
}

const SUFFIX: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  m: 1e-3,
};

export function parseQuantity(v: string | number | undefined): number {
  if (v === undefined) return 0;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(v));
  if (!m) return 0;
  return Number(m[1]) * (m[2] ? (SUFFIX[m[2]] ?? 1) : 1);
}
