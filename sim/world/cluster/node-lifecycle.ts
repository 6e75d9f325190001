import { isoSeconds, notFound } from '../kube-store.js';
import type { KubeObject, Taint, Vm } from '../types.js';
import type { ClusterControllers, ClusterEnv } from './context.js';
import { KeyedTimers } from './keyed-timers.js';
import { NodeLeases } from './node-leases.js';
import { nodeConditions, readyStatus } from './status.js';
import { NOT_READY, UNREACHABLE } from './taints.js';

/**
 * Node registration by the kubelet and the node-lifecycle controller: heartbeats, Ready=Unknown after
 * the grace period with NoExecute taints, and (optionally) the cloud controller deleting Nodes whose VM is gone.
 */
export class NodeLifecycle {
  private readonly unknownTimers: KeyedTimers;
  /** The kubelets' heartbeats (Lease objects). */
  readonly leases: NodeLeases;

  constructor(
    private readonly env: ClusterEnv,
    private readonly controllers: ClusterControllers,
  ) {
    this.unknownTimers = new KeyedTimers(env.clock);
    this.leases = new NodeLeases(env);
  }

  /** The kubelet on `vm` registers its Node (NotReady), which turns Ready after nodeReadyDelayMs. */
  register(vm: Vm, labels: Record<string, string>, providerID: string | undefined): KubeObject {
    const { store, clock, random } = this.env;
    const name = vm.nodeName ?? vm.name;
    const cpuMilli = vm.cpu * 1000;
    const memKi = vm.memoryMiB * 1024;
    const now = isoSeconds(clock.now());
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
        conditions: nodeConditions('False', 'KubeletNotReady', 'container runtime network not ready: NetworkReady=false', now),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: vm.arch,
          operatingSystem: 'linux',
          osImage: 'Ubuntu 24.04.1 LTS',
          kernelVersion: vm.arch === 'arm64' ? '6.8.0-1018-aws' : '6.8.0-1018-generic',
          kubeletVersion: `v${this.env.options.kubernetesVersion}`,
          kubeProxyVersion: `v${this.env.options.kubernetesVersion}`,
          containerRuntimeVersion: 'containerd://1.7.22',
          machineID: random.hex(32),
          systemUUID: random.uuid(),
          bootID: random.uuid(),
        },
      },
    };
    const existing = store.get('nodes', undefined, name);
    const created = existing ? existing : store.create('nodes', node);
    this.kubeletEvent(name, 'Starting', 'Starting kubelet.');
    for (const condition of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
      this.kubeletEvent(name, condition, `Node ${name} status is now: ${condition}`);
    }
    if (!existing) {
      this.env.machines.record('node.registered', `node ${name} registered (NotReady)`, name);
      this.controllerEvent(created, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    this.leases.started(created);
    clock.setTimer(this.env.options.nodeReadyDelayMs, () => this.refresh(name), `ready ${name}`);
    return created;
  }

  /**
   * Brings a node's status in line with whether its kubelet is reachable: Ready when it is
   * (after registration warm-up), Unknown plus NoExecute taints once the grace period passes
   * when it is not.
   */
  refresh(name: string): void {
    const node = this.env.store.get('nodes', undefined, name);
    if (!node) return;
    const reachable = this.env.machines.reachable(name);
    this.leases.reachability(name, reachable);
    const ready = readyStatus(node);
    if (reachable) {
      this.unknownTimers.cancel(name);
      if (ready !== 'True') this.markReady(name, ready === 'Unknown');
      return;
    }
    if (ready === 'Unknown' || this.unknownTimers.has(name)) return;
    this.unknownTimers.set(
      name,
      this.env.clock.setTimer(this.env.options.nodeMonitorGracePeriodMs, () => this.markUnknown(name), `grace ${name}`),
    );
  }

  /** Deletes a Node; its pods are garbage-collected at once. */
  delete(name: string, why = 'deleted through the API'): KubeObject {
    const { store, machines } = this.env;
    const node = store.get('nodes', undefined, name);
    if (!node) throw notFound('nodes', name);
    store.remove('nodes', undefined, name);
    this.unknownTimers.cancel(name);
    this.leases.deleted(name);
    machines.record('node.deleted', `node ${name} deleted (${why})`, name);
    for (const pod of this.controllers.pods.onNode(name)) this.controllers.pods.remove(pod, 'pod GC: node deleted');
    return node;
  }

  /** The kubelet's Events about its Node name it by name, uid included (kubelet nodeRef), as kubectl describe expects. */
  private kubeletEvent(name: string, reason: string, message: string): void {
    this.env.events.record({ kind: 'Node', name, uid: name }, { reason, message, component: 'kubelet', host: name });
  }

  /** The node-lifecycle controller's Events reference the Node object (its uid). */
  private controllerEvent(node: KubeObject, reason: string, message: string): void {
    const about = { kind: 'Node', apiVersion: 'v1', name: node.metadata.name, uid: node.metadata.uid as string };
    this.env.events.record(about, { reason, message, component: 'node-controller' });
  }

  private markReady(name: string, recovered: boolean): void {
    const { pods, scheduler, workloads } = this.controllers;
    const now = isoSeconds(this.env.clock.now());
    this.env.store.mutate('nodes', undefined, name, (n) => {
      n.status.conditions = nodeConditions('True', 'KubeletReady', 'kubelet is posting ready status', now);
      n.spec.taints = (n.spec.taints ?? []).filter((t: Taint) => t.key !== NOT_READY && t.key !== UNREACHABLE);
      if (n.spec.taints.length === 0) delete n.spec.taints;
    });
    this.env.machines.record('node.ready', `node ${name} is Ready${recovered ? ' again' : ''}`, name);
    this.kubeletEvent(name, 'NodeReady', `Node ${name} status is now: NodeReady`);
    for (const pod of pods.onNode(name)) pods.nodeBack(pod);
    scheduler.scheduleSoon();
    workloads.reconcileSoon();
  }

  private markUnknown(name: string): void {
    const { store, machines, clock, options } = this.env;
    this.unknownTimers.delete(name);
    const node = store.get('nodes', undefined, name);
    if (!node || machines.reachable(name)) return;
    const now = isoSeconds(clock.now());
    store.mutate('nodes', undefined, name, (n) => {
      n.status.conditions = nodeConditions('Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', now);
      const taints: Taint[] = (n.spec.taints ?? []).filter((t: Taint) => t.key !== NOT_READY && t.key !== UNREACHABLE);
      taints.push({ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: now });
      n.spec.taints = taints;
    });
    machines.record('node.unknown', `node ${name} Ready=Unknown: kubelet stopped posting node status`, name);
    this.controllerEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    for (const pod of this.controllers.pods.onNode(name)) this.controllers.pods.nodeLost(pod);
    if (options.cloudLifecycleController) {
      const vm = machines.vmOfNode(name);
      if (!vm || vm.state === 'terminated') this.delete(name, 'cloud node-lifecycle controller: instance is gone');
    }
    this.controllers.workloads.reconcileSoon();
  }
}
