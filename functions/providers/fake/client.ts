import { createHash } from 'node:crypto';
import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { KubeClient } from '../../adapters/kube/client.js';
import { isKubeApiError } from '../../adapters/kube/errors.js';
import { parseKubeconfig } from '../../adapters/kube/kubeconfig.js';
import { launchToken } from '../../decisions/launch-token.js';
import type { VmRef } from '../../decisions/provision.js';
import { InsufficientCapacityError, ProviderRequestError, TransientError } from '../../runtime/errors.js';
import type { CloudProvider, Interruption, LaunchSpec, Page, TerminateOutcome, VmState } from '../types.js';

interface FakeVm {
  ref: VmRef;
  claimId: string;
  state: 'running' | 'gone';
}

/** What the fake's VMs boot into: the Kubernetes API, as a kubelet sees it. */
export interface FakeKubelet {
  register(node: { name: string; providerID: string; labels: Record<string, string>; internalIp: string }): Promise<void>;
}

/**
 * An in-memory cloud. VMs live in this object, so in a warm Lambda they last as long as its execution
 * environment (a cold start forgets them: describe then says 'unknown', which is honest). Booting a VM does
 * what a kubelet does at start: it registers the VM's Node and posts a Ready status once; no heartbeats follow.
 * `capacity` and `announce` let tests create capacity errors and interruptions.
 */
export class FakeProvider implements CloudProvider {
  private readonly vms = new Map<string, FakeVm>();
  private readonly notices: Interruption[] = [];
  /** Per instance type: how many more launches succeed (absent: unlimited). */
  readonly capacity = new Map<string, number>();

  constructor(
    private readonly config: ShepherdConfig,
    private readonly kubelet: FakeKubelet,
  ) {
    if (!config.providers.fake) throw new ProviderRequestError('providers.fake is missing from the config');
  }

  async launch(spec: LaunchSpec): Promise<VmRef> {
    const token = launchToken(spec.claimId, spec.owner, spec.offering);
    const id = `fake-${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
    const existing = this.vms.get(id);
    if (existing) return existing.ref;
    const left = this.capacity.get(spec.offering.type);
    if (left !== undefined) {
      if (left <= 0) throw new InsufficientCapacityError(`fake: no ${spec.offering.type} left in ${spec.offering.zone}`);
      this.capacity.set(spec.offering.type, left - 1);
    }
    const region = this.config.providers.fake!.region;
    const octet = (this.vms.size % 250) + 2;
    const ref: VmRef = {
      provider: 'fake',
      id,
      name: id,
      zone: spec.offering.zone,
      region,
      type: spec.offering.type,
      privateIp: `10.99.0.${octet}`,
      providerID: `fake://${spec.clusterName}/${spec.offering.zone}/${id}`,
    };
    this.vms.set(id, { ref, claimId: spec.claimId, state: 'running' });
    await this.kubelet.register({
      name: id,
      providerID: ref.providerID!,
      internalIp: ref.privateIp!,
      labels: { 'kubernetes.io/arch': spec.pool.arch, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': id },
    });
    return ref;
  }

  async findByClaim(claimId: string): Promise<VmRef[]> {
    return [...this.vms.values()].filter((v) => v.claimId === claimId && v.state === 'running').map((v) => v.ref);
  }

  /** Pages of 50, in launch order. */
  async listOwned(pageToken?: string): Promise<Page<VmRef>> {
    const live = [...this.vms.values()].filter((v) => v.state === 'running').map((v) => v.ref);
    const start = pageToken ? Number(pageToken) : 0;
    const items = live.slice(start, start + 50);
    return { items, ...(start + 50 < live.length ? { next: String(start + 50) } : {}) };
  }

  async describe(vm: VmRef): Promise<VmState> {
    const known = this.vms.get(vm.id);
    if (!known) return 'unknown';
    return known.state;
  }

  async terminate(vm: VmRef, _pool: PoolConfig): Promise<TerminateOutcome> {
    const known = this.vms.get(vm.id);
    if (!known || known.state === 'gone') return 'already-gone';
    known.state = 'gone';
    return 'terminated';
  }

  async interruptions(): Promise<Interruption[]> {
    return this.notices.filter((n) => this.vms.get(n.vmId)?.state === 'running');
  }

  /** Test hook: the fake cloud announces that it will take `vmId` away. */
  announce(vmId: string, description = 'fake preemption'): void {
    this.notices.push({ vmId, kind: 'preempted', noticeId: `notice-${this.notices.length + 1}`, description });
  }
}

/** The kubelet of a fake VM: registers the Node, then posts its Ready status (two calls, as a kubelet makes). */
export class KubeApiKubelet implements FakeKubelet {
  private kube?: Promise<KubeClient>;

  /** `kubeconfig` yields the kubeconfig text (in the Lambda: the cluster's kubeconfig secret), `origin` names it in errors. */
  constructor(
    private readonly kubeconfig: () => Promise<string>,
    private readonly origin = 'of the fake kubelet',
  ) {}

  async register(node: { name: string; providerID: string; labels: Record<string, string>; internalIp: string }): Promise<void> {
    this.kube ??= this.kubeconfig().then((text) => new KubeClient(parseKubeconfig(text, this.origin)));
    const kube = await this.kube;
    try {
      await kube.create('/api/v1/nodes', { metadata: { name: node.name, labels: node.labels }, spec: { providerID: node.providerID } });
    } catch (err) {
      // 409: registered by an earlier attempt of the same launch.
      if (!isKubeApiError(err) || err.status !== 409) throw new TransientError(`fake kubelet: could not register node ${node.name}: ${(err as Error).message}`);
    }
    const now = new Date().toISOString();
    const status = {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      addresses: [
        { type: 'InternalIP', address: node.internalIp },
        { type: 'Hostname', address: node.name },
      ],
    };
    try {
      await kube.patch(`/api/v1/nodes/${encodeURIComponent(node.name)}/status`, { status }, 'merge');
    } catch (err) {
      throw new TransientError(`fake kubelet: could not post the status of node ${node.name}: ${(err as Error).message}`);
    }
  }
}
