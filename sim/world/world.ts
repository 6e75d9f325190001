import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { type Catalog, DEFAULT_CATALOG } from './catalog.js';
import { Cluster } from './cluster/cluster.js';
import { defaultNodeMonitorGracePeriodMs } from './cluster/context.js';
import { DnsStore } from './dns/dns.js';
import { UnknownResourceError } from './errors.js';
import { KubeStore } from './kube-store.js';
import { Kubelets } from './kubelets.js';
import { SimNetwork } from './network/sim-network.js';
import { type CreatePoolInput, ScalewayPools } from './scaleway/pools.js';
import type { KubeObject, LaunchRequest, ProviderName, ScalewayCluster, ScalewayPool, TimelineEntry, Vm, WorldEvents } from './types.js';
import { type KindSwitches, Unkindness } from './unkindness.js';
import { VmFleet } from './vm-fleet.js';
import { providerIdOf } from './vm-identity.js';
import type { VmMatch, WorldTimings } from './world-context.js';
import { WorldFaults } from './world-faults.js';
import { worldSnapshot } from './world-snapshot.js';

export interface WorldOptions {
  clock: Clock;
  random: Random;
  catalog?: Catalog;
  clusterName?: string;
  /** kubeadm bootstrap token a generic join script must carry. */
  joinToken?: string;
  /** Scaleway secret key a Kosmos join script must carry. */
  scalewaySecretKey?: string;
  scalewayProjectId?: string;
  scalewayOrganizationId?: string;
  /** Kosmos cluster id (default: random from the seed). */
  scalewayClusterId?: string;
  /** Kubelet install + join, after the VM is running. Default 60 s plus up to 20 s jitter. */
  joinDelayMs?: number;
  joinJitterMs?: number;
  /** pending -> running per provider. */
  bootDelayMs?: Partial<Record<ProviderName, number>>;
  /** running -> stopped / terminated. Default 20 s. */
  shutdownDelayMs?: number;
  /** The Kubernetes version of the cluster (default 1.31.2); defaults such as the node-monitor grace period follow it. */
  kubernetesVersion?: string;
  /** Default: kube-controller-manager's for kubernetesVersion (40 s up to 1.31, 50 s from 1.32). */
  nodeMonitorGracePeriodMs?: number;
  defaultTolerationSeconds?: number;
  nodeReadyDelayMs?: number;
  cloudLifecycleController?: boolean;
  /** Unkind behaviours of the real services to switch off (all are on by default); see unkindness.ts. */
  kind?: KindSwitches;
}

const DEFAULT_BOOT: Record<ProviderName, number> = { aws: 20_000, gcp: 25_000, scaleway: 40_000, home: 0 };
/** How long before reclaiming a spot VM each provider warns (EC2: two minutes; GCE: 30 s). */
const SPOT_NOTICE_MS: Record<ProviderName, number> = { aws: 120_000, gcp: 30_000, scaleway: 120_000, home: 120_000 };

/**
 * The Services every cluster has from the start: the API server's, and the cluster DNS, which carries the
 * `kubernetes.io/cluster-service` label `kubectl cluster-info` lists (as kubeadm's CoreDNS Service does).
 */
const CLUSTER_SERVICES: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    status: { loadBalancer: {} },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
    status: { loadBalancer: {} },
  },
];

/**
 * The one shared model behind every simulated API: providers and their VMs, the Kubernetes
 * cluster those VMs join, Scaleway pools and DNS. Everything happens on the shared clock and
 * is written to the timeline.
 */
export class World {
  readonly clock: Clock;
  readonly random: Random;
  readonly catalog: Catalog;
  readonly kube: KubeStore;
  readonly cluster: Cluster;
  readonly dns: DnsStore;
  readonly clusterName: string;
  readonly joinToken: string;
  readonly scalewaySecretKey: string;
  readonly scalewayCluster: ScalewayCluster;
  /** host:port of the Kubernetes API, set once its server listens; a kubeadm join must name it. */
  apiServerEndpoint = '';
  readonly timeline: TimelineEntry[] = [];
  /** EC2 subnets by id (one default per AWS zone, `subnet-` + 17 hex digits of the zone's index). */
  readonly awsSubnets = new Map<string, { zone: string; cidr: string }>();
  /** EC2 AMIs by id with their architecture (EC2 refuses an AMI whose arch differs from the type's). */
  readonly awsImages = new Map<string, { arch: 'amd64' | 'arm64'; name: string }>([
    ['ami-0aa00000000000001', { arch: 'amd64', name: 'ubuntu-24.04-amd64-server' }],
    ['ami-0aa00000000000002', { arch: 'arm64', name: 'ubuntu-24.04-arm64-server' }],
  ]);
  /** EC2 security groups by id besides each region's default one (RunInstances refuses others: InvalidGroup.NotFound). */
  readonly awsSecurityGroups = new Map<string, { region: string; name: string }>();
  /** IAM instance profile ARNs RunInstances accepts (others: InvalidParameterValue, as EC2 answers). */
  readonly awsInstanceProfiles = new Set<string>();

  /** The world's parts; the methods below are their public face. */
  readonly fleet: VmFleet;
  readonly kubelets: Kubelets;
  readonly faults: WorldFaults;
  readonly scalewayPools: ScalewayPools;
  /** The public network around the VMs: what a probe from AWS to an address and port meets (network/). */
  readonly network: SimNetwork;
  /** Which of the real services' unkind behaviours this world models. */
  readonly unkindness: Unkindness;

  private readonly emitter = new EventEmitter();

  constructor(options: WorldOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.catalog = options.catalog ?? DEFAULT_CATALOG;
    this.clusterName = options.clusterName ?? 'shepherd-sim';
    this.joinToken = options.joinToken ?? `${this.random.hex(6)}.${this.random.hex(16)}`;
    this.scalewaySecretKey = options.scalewaySecretKey ?? this.random.uuid();
    this.unkindness = new Unkindness(options.kind);
    const timings: WorldTimings = {
      joinDelayMs: options.joinDelayMs ?? 60_000,
      joinJitterMs: options.joinJitterMs ?? 20_000,
      shutdownDelayMs: options.shutdownDelayMs ?? 20_000,
      bootDelayMs: { ...DEFAULT_BOOT, ...options.bootDelayMs },
    };
    this.fleet = new VmFleet(this, (event, payload) => this.emitter.emit(event, payload), timings);
    this.kubelets = new Kubelets(this, timings);
    this.faults = new WorldFaults(this);
    this.network = new SimNetwork(this);
    this.scalewayPools = new ScalewayPools(this);
    // kube-apiserver --etcd-compaction-interval default 5m0s (kube-apiserver reference).
    this.kube = new KubeStore(this.clock, this.random, { compactionIntervalMs: this.unkindness.has('etcd-compaction') ? 300_000 : 0 });
    const kubernetesVersion = options.kubernetesVersion ?? '1.31.2';
    this.cluster = new Cluster(
      this.kube,
      this.clock,
      this.random,
      {
        reachable: (n) => this.nodeReachable(n),
        vmOfNode: (n) => this.vmOfNode(n),
        record: (t, m, s) => this.record(t, m, s),
      },
      {
        kubernetesVersion,
        nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs ?? defaultNodeMonitorGracePeriodMs(kubernetesVersion),
        defaultTolerationSeconds: options.defaultTolerationSeconds ?? 300,
        cloudLifecycleController: options.cloudLifecycleController ?? false,
        nodeReadyDelayMs: options.nodeReadyDelayMs ?? 10_000,
        unhealthyPodsNeedHealthyBudget: this.unkindness.has('pdb-guards-unready-pods'),
        // kube-apiserver --event-ttl default 1h0m0s (kube-apiserver reference).
        eventTtlMs: this.unkindness.has('event-ttl') ? 3_600_000 : 0,
      },
    );
    this.kube.onChange((resource) => {
      if (resource === 'nodes') this.scalewayPools.refresh();
    });
    this.dns = new DnsStore(this.clock, this.random, (t, m, s) => this.record(t, m, s), { plans: this.unkindness.has('cloudflare-plans') });
    this.scalewayCluster = {
      id: options.scalewayClusterId ?? this.random.uuid(),
      name: this.clusterName,
      region: 'fr-par',
      type: 'multicloud',
      version: kubernetesVersion,
      organizationId: options.scalewayOrganizationId ?? this.random.uuid(),
      projectId: options.scalewayProjectId ?? this.random.uuid(),
    };
    this.catalog.regions.aws
      .flatMap((r) => r.zones)
      .forEach((zone, i) => {
        this.awsSubnets.set(`subnet-${(i + 1).toString(16).padStart(17, '0')}`, { zone, cidr: `10.${i}.0.0/16` });
      });
    for (const ns of ['default', 'kube-system', 'kube-node-lease'])
      this.kube.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Active' } });
    for (const svc of CLUSTER_SERVICES) this.kube.create('services', svc);
  }

  // ---- timeline and events --------------------------------------------------------------------

  record(type: string, message: string, subject?: string): void {
    const at = this.clock.now();
    this.timeline.push({ at, time: new Date(at).toISOString(), type, message, ...(subject ? { subject } : {}) });
  }

  on<K extends keyof WorldEvents>(event: K, listener: (e: WorldEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  // ---- VMs (vm-fleet.ts) ----------------------------------------------------------------------

  /**
   * Starts a VM. Throws UnknownResourceError for a zone or type the provider does not have, and
   * InsufficientCapacityError when a capacity limit for it is used up.
   */
  launchVm(req: LaunchRequest): Vm {
    return this.fleet.launch(req);
  }

  getVm(id: string): Vm | undefined {
    return this.fleet.get(id);
  }

  listVms(provider?: ProviderName): Vm[] {
    return this.fleet.list(provider);
  }

  /** Changes the VM's tags in place (EC2 CreateTags/DeleteTags, GCE labels). */
  setVmTags(id: string, tags: Record<string, string>, remove: string[] = []): Vm {
    return this.fleet.setTags(id, tags, remove);
  }

  /** Server-specific data kept on the VM. */
  setVmExtra(id: string, extra: Record<string, unknown>): void {
    this.fleet.setExtra(id, extra);
  }

  terminateVm(id: string): Vm {
    return this.fleet.terminate(id);
  }

  stopVm(id: string): Vm {
    return this.fleet.stop(id);
  }

  startVm(id: string): Vm {
    return this.fleet.start(id);
  }

  /**
   * Adds an always-on machine of a provider with no API (a home lab); it joins by itself, its kubelet started with
   * `--node-labels` set to `nodeLabels` (https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/).
   */
  addHomeMachine(name: string, type = 'nuc', zone = 'home-1', nodeLabels?: Record<string, string>): Vm {
    return this.launchVm({ provider: 'home', zone, type, name, autoJoin: true, ...(nodeLabels ? { nodeLabels } : {}) });
  }

  /**
   * Spot reclaim: the warning now, the VM stopped or terminated after the provider's notice (EC2 2 min; GCE 30 s,
   * https://cloud.google.com/compute/docs/instances/spot#preemption). Returns false, doing nothing, for a VM that is
   * not spot: providers reclaim only spot (GCE: provisioningModel SPOT or preemptible) VMs.
   */
  reclaimSpot(id: string, noticeMs?: number): boolean {
    return this.fleet.reclaimSpot(id, noticeMs ?? SPOT_NOTICE_MS[this.fleet.get(id)?.provider ?? 'aws']);
  }

  /**
   * Restarts the kubelet on a running VM that has joined: it registers its Node again if the Node was deleted
   * (a deleted Node otherwise stays deleted, kubernetes/kubernetes#71398). Returns whether it registered.
   */
  restartKubelet(id: string): boolean {
    const vm = this.fleet.liveVm(id);
    if (!vm) throw new UnknownResourceError('vm', id);
    return this.kubelets.restart(vm);
  }

  recommendRebalance(id: string): void {
    this.fleet.recommendRebalance(id);
  }

  /**
   * The `spec.providerID` the VM's Node gets from its kubelet or cloud controller: none for a Kosmos external node
   * in the unkind world (kosmos-node-identity; scaleway/node-identity.ts), the cloud's own otherwise.
   */
  providerIdOf(vm: Vm): string | undefined {
    if (this.unkindness.has('kosmos-node-identity') && this.scalewayPools.isExternalNode(vm)) return undefined;
    return providerIdOf(vm);
  }

  vmOfNode(nodeName: string): Vm | undefined {
    return this.fleet.ofNode(nodeName);
  }

  // ---- reachability and faults (world-faults.ts) ----------------------------------------------

  /** A whole provider, or one region of it, loses power: its VMs are unreachable until restored. */
  setProviderDark(provider: ProviderName, dark: boolean, region?: string): void {
    this.faults.setProviderDark(provider, dark, region);
  }

  /** The provider's API answers (false) or resets connections (true); its VMs are unaffected. */
  setApiDown(provider: ProviderName, down: boolean): void {
    this.faults.setApiDown(provider, down);
  }

  isApiDown(provider: ProviderName): boolean {
    return this.faults.isApiDown(provider);
  }

  /** A network partition between the control plane and these nodes (on) or its end (off). */
  setPartition(nodeNames: string[], on: boolean): void {
    this.faults.setPartition(nodeNames, on);
  }

  /** A network partition between the control plane and every node of a provider (on) or its end (off). */
  setProviderPartition(provider: ProviderName, on: boolean): void {
    this.faults.setProviderPartition(provider, on);
  }

  /** The cluster's API server is down (true: connections are refused) or back (false). */
  setClusterApiDown(down: boolean): void {
    if (down === this.faults.isClusterApiDown()) return;
    this.faults.setClusterApiDown(down);
    this.emitter.emit('cluster-api', { down });
  }

  isClusterApiDown(): boolean {
    return this.faults.isClusterApiDown();
  }

  /** VMs launched while a match is set boot but never join (undefined clears). */
  setNeverJoin(match: VmMatch | undefined): void {
    this.faults.setNeverJoin(match);
  }

  /** Limits how many more VMs may launch for a provider/zone/type (undefined = unlimited). Terminating VMs gives none back: the limit models a provider that has run out. */
  setCapacity(match: VmMatch & { provider: ProviderName }, available: number | undefined): void {
    this.faults.setCapacity(match, available);
  }

  nodeReachable(nodeName: string): boolean {
    return this.faults.nodeReachable(nodeName);
  }

  // ---- Scaleway pools (scaleway/pools.ts) -----------------------------------------------------

  createPool(input: CreatePoolInput): ScalewayPool {
    return this.scalewayPools.create(input);
  }

  listPools(): ScalewayPool[] {
    return this.scalewayPools.list();
  }

  getPool(id: string): ScalewayPool | undefined {
    return this.scalewayPools.get(id);
  }

  /** Pool nodes: VMs of the pool (managed) or joined to it (external), not yet gone. */
  poolVms(poolId: string): Vm[] {
    return this.scalewayPools.vms(poolId);
  }

  /**
   * Resizes a managed pool: status `scaling` while nodes come up or go, `ready` once the pool has
   * exactly `size` nodes and every one is Ready. External (Kosmos) pools are sized by joins.
   */
  resizePool(id: string, size: number): ScalewayPool {
    return this.scalewayPools.resize(id, size);
  }

  /**
   * Changes a pool's settings other than its size (the PATCH fields min_size, max_size, autoscaling,
   * autohealing, tags). Throws RangeError for negative or non-integer limits or min > max; the
   * caller checks the size against the new limits, since a PATCH may change both at once.
   */
  updatePool(id: string, patch: Partial<Pick<ScalewayPool, 'minSize' | 'maxSize' | 'autoscaling' | 'autohealing' | 'tags'>>): ScalewayPool {
    return this.scalewayPools.update(id, patch);
  }

  // ---- inspection -----------------------------------------------------------------------------

  snapshot() {
    return worldSnapshot(this);
  }
}
