import { decodeUserData, type JoinSpec, parseJoinScript } from './join.js';
import type { Vm } from './types.js';
import type { World } from './world.js';
import type { WorldTimings } from './world-context.js';

/**
 * The kubelet on each VM: runs the join script from the user data once the VM is running (and checks
 * it as the real agents would) and registers the Node. A Node deleted while its kubelet runs stays
 * deleted: the kubelet registers only when it starts (kubernetes/kubernetes#71398), so only a kubelet
 * restart (`restart`, or the VM booting again) brings it back.
 */
export class Kubelets {
  constructor(
    private readonly world: World,
    private readonly timings: WorldTimings,
  ) {}

  /** The VM has just turned running: a restart brings its Node back, a new VM joins if its user data says how. */
  booted(vm: Vm): void {
    const { clock, random } = this.world;
    if (vm.nodeName) {
      // The VM booted again: its kubelet starts and registers the same Node (again, if it was deleted).
      this.restart(vm);
      return;
    }
    const join = this.joinPlan(vm);
    if (join.error) {
      vm.joinError = join.error;
      this.world.record('vm.join-failed', `VM ${vm.id} did not join: ${join.error}`, vm.id);
      return;
    }
    if (!join.joins) return;
    const delay = vm.autoJoin && vm.provider === 'home' ? 5_000 : this.timings.joinDelayMs + random.int(0, this.timings.joinJitterMs);
    clock.setTimer(delay, () => this.join(vm.id, join.spec), `join ${vm.id}`);
  }

  /**
   * Power came back to the VM's site: the machine boots again and its kubelet starts. A kubelet registers its Node at
   * start (--register-node, default true: https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/,
   * https://kubernetes.io/docs/concepts/architecture/nodes/#self-registration-of-nodes), so a Node deleted while the
   * machine was dark comes back, NotReady then Ready as at first boot, with its --node-labels. A Node still there
   * simply turns Ready again.
   */
  poweredOn(vm: Vm): void {
    if (vm.nodeName && !this.world.kube.get('nodes', undefined, vm.nodeName)) this.restart(vm);
    else this.afterReachabilityChange(vm);
  }

  /** The VM's reachability or state changed: its Node follows (a deleted Node does not come back). */
  afterReachabilityChange(vm: Vm): void {
    if (vm.nodeName && this.world.kube.get('nodes', undefined, vm.nodeName)) this.world.cluster.refreshNode(vm.nodeName);
  }

  /**
   * The kubelet on a running VM restarts (systemctl restart kubelet): it registers its Node at start, so a
   * Node deleted meanwhile comes back. Returns whether the kubelet registered (it needs a joined, running,
   * reachable VM).
   */
  restart(vm: Vm): boolean {
    if (!vm.nodeName || vm.state !== 'running' || !this.world.faults.vmReachable(vm)) return false;
    this.world.record('kubelet.restarted', `kubelet on ${vm.provider} VM ${vm.id} restarted`, vm.id);
    this.world.cluster.registerNode(vm, this.poolLabels(vm), this.providerIdFor(vm));
    return true;
  }

  private joinPlan(vm: Vm): { joins: boolean; error?: string; spec?: JoinSpec } {
    if (vm.autoJoin) return { joins: !vm.neverJoins };
    const script = decodeUserData(vm.userData);
    const spec = parseJoinScript(script);
    if (!spec) return { joins: false };
    if (vm.neverJoins) return { joins: false };
    if (spec.arch !== 'auto' && spec.arch !== vm.arch) {
      return { joins: false, error: `join script fetched ${spec.arch} binaries on an ${vm.arch} VM: exec format error` };
    }
    if (spec.method === 'kubeadm') {
      if (spec.token !== this.world.joinToken) return { joins: false, error: 'kubeadm join: bootstrap token is invalid or expired (401)' };
      const apiServer = this.world.apiServerEndpoint;
      if (apiServer && spec.endpoint.replace(/^https?:\/\//, '') !== apiServer) {
        return { joins: false, error: `kubeadm join: cannot reach API server ${spec.endpoint}` };
      }
      return { joins: true, spec };
    }
    const pool = this.world.scalewayPools.get(spec.poolId);
    if (!pool || pool.region !== spec.region) return { joins: false, error: `node agent: pool ${spec.poolId} not found in ${spec.region}` };
    if (pool.nodeType !== 'external') return { joins: false, error: `node agent: pool ${spec.poolId} is not an external pool` };
    if (spec.secretKey !== this.world.scalewaySecretKey) return { joins: false, error: 'node agent: secret key rejected (403 permission denied)' };
    return { joins: true, spec };
  }

  private join(id: string, spec: JoinSpec | undefined): void {
    const vm = this.world.fleet.liveVm(id);
    if (vm?.state !== 'running' || vm.nodeName || !this.world.faults.vmReachable(vm)) {
      if (vm && vm.state === 'running' && !vm.nodeName) {
        // Could not reach the control plane: the join script retries.
        this.world.clock.setTimer(30_000, () => this.join(id, spec), `join retry ${id}`);
      }
      return;
    }
    vm.nodeName = vm.name;
    if (spec?.method === 'kosmos') {
      // The node agent creates the external node (createExternalNode) and registers the kubelet under its name.
      const node = this.world.scalewayPools.newNodeIdentity(spec.poolId);
      vm.poolId = spec.poolId;
      vm.poolNodeId = node.id;
      if (this.world.unkindness.has('kosmos-node-identity')) vm.nodeName = node.name;
    }
    this.world.cluster.registerNode(vm, this.poolLabels(vm), this.providerIdFor(vm));
  }

  /**
   * Labels Scaleway puts on a pool's Nodes, at first registration and when a kubelet registers again:
   * external (Kosmos) nodes are marked as such; managed pool nodes also get type and topology from the CCM.
   */
  private poolLabels(vm: Vm): Record<string, string> {
    const pool = vm.poolId ? this.world.scalewayPools.get(vm.poolId) : undefined;
    // A machine that joins by itself registers with its kubelet's --node-labels.
    if (!pool) return { ...vm.nodeLabels };
    const labels: Record<string, string> = { 'k8s.scaleway.com/pool-name': pool.name, 'k8s.scaleway.com/pool': pool.id };
    if (pool.nodeType === 'external') return { ...labels, 'k8s.scaleway.com/external-node': 'true' };
    return {
      ...labels,
      'k8s.scaleway.com/managed': 'true',
      'node.kubernetes.io/instance-type': vm.type,
      'topology.kubernetes.io/region': vm.region,
      'topology.kubernetes.io/zone': vm.zone,
    };
  }

  /** The providerID the Node registers with. */
  private providerIdFor(vm: Vm): string | undefined {
    return this.world.providerIdOf(vm);
  }
}
