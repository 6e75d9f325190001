import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { type Catalog, DEFAULT_CATALOG, findType, regionOfZone } from './catalog.js';
import { Cluster, readyStatus } from './cluster.js';
import { DnsStore } from './dns.js';
import { InsufficientCapacityError, UnknownResourceError } from './errors.js';
import { decodeUserData, type JoinSpec, parseJoinScript } from './join.js';
import { KubeStore } from './kube-store.js';
import type { KubeObject, LaunchRequest, ProviderName, ScalewayCluster, ScalewayPool, TimelineEntry, Vm, VmState, WorldEvents } from './types.js';

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
  nodeMonitorGracePeriodMs?: number;
  defaultTolerationSeconds?: number;
  nodeReadyDelayMs?: number;
  cloudLifecycleController?: boolean;
  /** A Node deleted while its kubelet still runs comes back after this long (kubelet re-registers). */
  reregisterDelayMs?: number;
}

interface Match {
  provider?: ProviderName;
  zone?: string;
  type?: string;
}

const DEFAULT_BOOT: Record<ProviderName, number> = { aws: 20_000, gcp: 25_000, scaleway: 40_000, home: 0 };

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

  private readonly vms = new Map<string, Vm>();
  private readonly pools = new Map<string, ScalewayPool>();
  private readonly emitter = new EventEmitter();
  private readonly dark = new Set<string>();
  private readonly apiDown = new Set<ProviderName>();
  private readonly partitioned = new Set<string>();
  private neverJoin: Match[] = [];
  private readonly capacity = new Map<string, number>();
  private ipSeq = 0;
  private readonly opts: Required<Pick<WorldOptions, 'joinDelayMs' | 'joinJitterMs' | 'shutdownDelayMs' | 'reregisterDelayMs'>> & {
    bootDelayMs: Record<ProviderName, number>;
  };

  constructor(options: WorldOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.catalog = options.catalog ?? DEFAULT_CATALOG;
    this.clusterName = options.clusterName ?? 'shepherd-sim';
    this.joinToken = options.joinToken ?? `${this.random.hex(6)}.${this.random.hex(16)}`;
    this.scalewaySecretKey = options.scalewaySecretKey ?? this.random.uuid();
    this.opts = {
      joinDelayMs: options.joinDelayMs ?? 60_000,
      joinJitterMs: options.joinJitterMs ?? 20_000,
      shutdownDelayMs: options.shutdownDelayMs ?? 20_000,
      reregisterDelayMs: options.reregisterDelayMs ?? 10_000,
      bootDelayMs: { ...DEFAULT_BOOT, ...options.bootDelayMs },
    };
    this.kube = new KubeStore(this.clock, this.random);
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
        nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs ?? 40_000,
        defaultTolerationSeconds: options.defaultTolerationSeconds ?? 300,
        cloudLifecycleController: options.cloudLifecycleController ?? false,
        nodeReadyDelayMs: options.nodeReadyDelayMs ?? 10_000,
      },
    );
    this.kube.onChange((resource, type, obj) => {
      if (resource === 'nodes' && type === 'DELETED') this.onNodeDeleted(obj);
      if (resource === 'nodes') this.refreshPools();
    });
    this.dns = new DnsStore(this.clock, this.random, (t, m, s) => this.record(t, m, s));
    this.scalewayCluster = {
      id: options.scalewayClusterId ?? this.random.uuid(),
      name: this.clusterName,
      region: 'fr-par',
      type: 'multicloud',
      version: '1.31.2',
      organizationId: options.scalewayOrganizationId ?? this.random.uuid(),
      projectId: options.scalewayProjectId ?? this.random.uuid(),
    };
    this.catalog.regions.aws
      .flatMap((r) => r.zones)
      .forEach((zone, i) => {
        this.awsSubnets.set(`subnet-${(i + 1).toString(16).padStart(17, '0')}`, { zone, cidr: `10.${i}.0.0/16` });
      });
    for (const ns of ['default', 'kube-system'])
      this.kube.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Active' } });
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

  private emit<K extends keyof WorldEvents>(event: K, payload: WorldEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  // ---- VMs ------------------------------------------------------------------------------------

  /**
   * Starts a VM. Throws UnknownResourceError for a zone or type the provider does not have, and
   * InsufficientCapacityError when a capacity limit for it is used up.
   */
  launchVm(req: LaunchRequest): Vm {
    const region = regionOfZone(this.catalog, req.provider, req.zone);
    if (!region) throw new UnknownResourceError('zone', `${req.provider}/${req.zone}`);
    const type = findType(this.catalog, req.provider, req.type);
    if (!type) throw new UnknownResourceError('instance type', `${req.provider}/${req.type}`);
    this.takeCapacity(req.provider, req.zone, req.type);
    const privateIp = this.nextPrivateIp();
    const now = this.clock.now();
    const id = this.newVmId(req.provider, req.name);
    const vm: Vm = {
      id,
      name: req.name ?? this.defaultVmName(req.provider, privateIp, region, id),
      provider: req.provider,
      region,
      zone: req.zone,
      type: type.name,
      arch: type.arch,
      cpu: type.cpu,
      memoryMiB: type.memoryMiB,
      state: 'pending',
      tags: { ...req.tags },
      userData: req.userData,
      spot: req.spot ?? false,
      privateIp,
      publicIp: this.nextPublicIp(),
      launchedAt: now,
      stateChangedAt: now,
      project: req.project,
      poolId: req.poolId,
      autoJoin: req.autoJoin ?? false,
      neverJoins: this.neverJoin.some((m) => matches(m, req.provider, req.zone, type.name)),
      extra: { ...req.extra },
    };
    this.vms.set(vm.id, vm);
    this.record('vm.launched', `${vm.provider} VM ${vm.id} (${vm.type}, ${vm.arch}) launched in ${vm.zone}`, vm.id);
    this.emit('vm-state', { vm: { ...vm }, previous: undefined });
    this.clock.setTimer(this.opts.bootDelayMs[vm.provider], () => this.boot(vm.id), `boot ${vm.id}`);
    return { ...vm };
  }

  getVm(id: string): Vm | undefined {
    const vm = this.vms.get(id);
    return vm ? { ...vm, tags: { ...vm.tags } } : undefined;
  }

  listVms(provider?: ProviderName): Vm[] {
    return [...this.vms.values()].filter((v) => !provider || v.provider === provider).map((v) => ({ ...v, tags: { ...v.tags } }));
  }

  /** Changes the VM's tags in place (EC2 CreateTags/DeleteTags, GCE labels). */
  setVmTags(id: string, tags: Record<string, string>, remove: string[] = []): Vm {
    const vm = this.mustVm(id);
    Object.assign(vm.tags, tags);
    for (const k of remove) delete vm.tags[k];
    return { ...vm };
  }

  /** Server-specific data kept on the VM. */
  setVmExtra(id: string, extra: Record<string, unknown>): void {
    Object.assign(this.mustVm(id).extra, extra);
  }

  terminateVm(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state === 'terminated' || vm.state === 'shutting-down') return { ...vm };
    this.setState(vm, 'shutting-down');
    this.clock.setTimer(this.opts.shutdownDelayMs, () => this.setState(vm, 'terminated'), `terminate ${id}`);
    return { ...vm };
  }

  stopVm(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state !== 'running' && vm.state !== 'pending') return { ...vm };
    this.setState(vm, 'stopping');
    this.clock.setTimer(this.opts.shutdownDelayMs, () => vm.state === 'stopping' && this.setState(vm, 'stopped'), `stop ${id}`);
    return { ...vm };
  }

  startVm(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state !== 'stopped') return { ...vm };
    this.setState(vm, 'pending');
    this.clock.setTimer(this.opts.bootDelayMs[vm.provider], () => this.boot(vm.id), `boot ${id}`);
    return { ...vm };
  }

  /** Adds an always-on machine of a provider with no API (a home lab); it joins by itself. */
  addHomeMachine(name: string, type = 'nuc', zone = 'home-1'): Vm {
    return this.launchVm({ provider: 'home', zone, type, name, autoJoin: true });
  }

  /** Spot reclaim: the warning now (EventBridge), the VM terminated after the notice. */
  reclaimSpot(id: string, noticeMs = 120_000): void {
    const vm = this.mustVm(id);
    const actionAt = this.clock.now() + noticeMs;
    this.record('vm.spot-interruption', `spot VM ${id} will be reclaimed at ${new Date(actionAt).toISOString()}`, id);
    this.emit('spot-interruption', { vm: { ...vm }, actionAt });
    this.clock.setTimer(noticeMs, () => this.terminateVm(id), `reclaim ${id}`);
  }

  recommendRebalance(id: string): void {
    const vm = this.mustVm(id);
    this.record('vm.rebalance-recommendation', `rebalance recommended for spot VM ${id}`, id);
    this.emit('rebalance-recommendation', { vm: { ...vm } });
  }

  private boot(id: string): void {
    const vm = this.vms.get(id);
    if (vm?.state !== 'pending') return;
    this.setState(vm, 'running');
    if (vm.nodeName) {
      // A restart: the kubelet comes back with the same Node.
      this.afterReachabilityChange(vm);
      return;
    }
    const join = this.joinPlan(vm);
    if (join.error) {
      vm.joinError = join.error;
      this.record('vm.join-failed', `VM ${vm.id} did not join: ${join.error}`, vm.id);
      return;
    }
    if (!join.joins) return;
    const delay = vm.autoJoin && vm.provider === 'home' ? 5_000 : this.opts.joinDelayMs + this.random.int(0, this.opts.joinJitterMs);
    this.clock.setTimer(delay, () => this.join(vm.id, join.spec), `join ${vm.id}`);
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
      if (spec.token !== this.joinToken) return { joins: false, error: 'kubeadm join: bootstrap token is invalid or expired (401)' };
      if (this.apiServerEndpoint && spec.endpoint.replace(/^https?:\/\//, '') !== this.apiServerEndpoint) {
        return { joins: false, error: `kubeadm join: cannot reach API server ${spec.endpoint}` };
      }
      return { joins: true, spec };
    }
    const pool = this.pools.get(spec.poolId);
    if (!pool || pool.region !== spec.region) return { joins: false, error: `node agent: pool ${spec.poolId} not found in ${spec.region}` };
    if (pool.nodeType !== 'external') return { joins: false, error: `node agent: pool ${spec.poolId} is not an external pool` };
    if (spec.secretKey !== this.scalewaySecretKey) return { joins: false, error: 'node agent: secret key rejected (403 permission denied)' };
    return { joins: true, spec };
  }

  private join(id: string, spec: JoinSpec | undefined): void {
    const vm = this.vms.get(id);
    if (vm?.state !== 'running' || vm.nodeName || !this.vmReachable(vm)) {
      if (vm && vm.state === 'running' && !vm.nodeName) {
        // Could not reach the control plane: the join script retries.
        this.clock.setTimer(30_000, () => this.join(id, spec), `join retry ${id}`);
      }
      return;
    }
    if (spec?.method === 'kosmos') vm.poolId = spec.poolId;
    vm.nodeName = vm.name;
    this.cluster.registerNode(vm, this.poolLabels(vm), providerIdOf(vm));
  }

  /**
   * Labels Scaleway puts on a pool's Nodes, at first registration and when a kubelet registers again:
   * external (Kosmos) nodes are marked as such; managed pool nodes also get type and topology from the CCM.
   */
  private poolLabels(vm: Vm): Record<string, string> {
    const pool = vm.poolId ? this.pools.get(vm.poolId) : undefined;
    if (!pool) return {};
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

  /** The `spec.providerID` each cloud's kubelet/CCM sets. */
  providerIdOf(vm: Vm): string | undefined {
    return providerIdOf(vm);
  }

  vmOfNode(nodeName: string): Vm | undefined {
    for (const vm of this.vms.values()) if (vm.nodeName === nodeName) return { ...vm };
    return undefined;
  }

  // ---- reachability and faults ----------------------------------------------------------------

  /** A whole provider, or one region of it, loses power: its VMs are unreachable until restored. */
  setProviderDark(provider: ProviderName, dark: boolean, region?: string): void {
    const key = region ? `${provider}/${region}` : provider;
    if (dark) this.dark.add(key);
    else this.dark.delete(key);
    this.record(dark ? 'provider.dark' : 'provider.restored', `${key} ${dark ? 'went dark' : 'is back'}`, key);
    for (const vm of this.vms.values()) if (vm.provider === provider && (!region || vm.region === region)) this.afterReachabilityChange(vm);
  }

  /** The provider's API answers (false) or resets connections (true); its VMs are unaffected. */
  setApiDown(provider: ProviderName, down: boolean): void {
    if (down) this.apiDown.add(provider);
    else this.apiDown.delete(provider);
    this.record(down ? 'api.down' : 'api.up', `${provider} API ${down ? 'down' : 'up'}`, provider);
  }

  isApiDown(provider: ProviderName): boolean {
    return this.apiDown.has(provider);
  }

  /** A network partition between the control plane and these nodes (on) or its end (off). */
  setPartition(nodeNames: string[], on: boolean): void {
    for (const n of nodeNames) {
      if (on) this.partitioned.add(n);
      else this.partitioned.delete(n);
      this.cluster.refreshNode(n);
    }
    this.record(on ? 'network.partition' : 'network.healed', `${on ? 'partitioned' : 'reconnected'}: ${nodeNames.join(', ')}`);
  }

  /** VMs launched while a match is set boot but never join (undefined clears). */
  setNeverJoin(match: Match | undefined): void {
    this.neverJoin = match ? [...this.neverJoin, match] : [];
  }

  /** Limits how many more VMs may launch for a provider/zone/type (undefined = unlimited). Terminating VMs gives none back: the limit models a provider that has run out. */
  setCapacity(match: Match & { provider: ProviderName }, available: number | undefined): void {
    const key = `${match.provider}/${match.zone ?? '*'}/${match.type ?? '*'}`;
    if (available === undefined) this.capacity.delete(key);
    else this.capacity.set(key, available);
  }

  nodeReachable(nodeName: string): boolean {
    if (this.partitioned.has(nodeName)) return false;
    const vm = [...this.vms.values()].find((v) => v.nodeName === nodeName);
    return vm ? this.vmReachable(vm) : false;
  }

  private vmReachable(vm: Vm): boolean {
    return vm.state === 'running' && !this.dark.has(vm.provider) && !this.dark.has(`${vm.provider}/${vm.region}`);
  }

  private afterReachabilityChange(vm: Vm): void {
    if (vm.nodeName) {
      if (this.kube.get('nodes', undefined, vm.nodeName)) this.cluster.refreshNode(vm.nodeName);
      else if (this.vmReachable(vm)) this.scheduleReregister(vm);
    }
  }

  private onNodeDeleted(node: KubeObject): void {
    const vm = [...this.vms.values()].find((v) => v.nodeName === node.metadata.name);
    if (vm && this.vmReachable(vm)) this.scheduleReregister(vm);
  }

  /** A kubelet whose Node was deleted while it still runs registers it again. */
  private scheduleReregister(vm: Vm): void {
    this.clock.setTimer(
      this.opts.reregisterDelayMs,
      () => {
        if (!vm.nodeName || !this.vmReachable(vm) || this.kube.get('nodes', undefined, vm.nodeName)) return;
        this.cluster.registerNode(vm, this.poolLabels(vm), providerIdOf(vm));
      },
      `reregister ${vm.id}`,
    );
  }

  private setState(vm: Vm, state: VmState): void {
    const previous = vm.state;
    if (previous === state) return;
    vm.state = state;
    vm.stateChangedAt = this.clock.now();
    this.record(`vm.${state}`, `${vm.provider} VM ${vm.id} ${previous} -> ${state}`, vm.id);
    this.emit('vm-state', { vm: { ...vm }, previous });
    this.afterReachabilityChange(vm);
    if (vm.poolId) this.refreshPools();
  }

  private takeCapacity(provider: ProviderName, zone: string, type: string): void {
    for (const key of [`${provider}/${zone}/${type}`, `${provider}/${zone}/*`, `${provider}/*/${type}`, `${provider}/*/*`]) {
      const left = this.capacity.get(key);
      if (left !== undefined && left <= 0) throw new InsufficientCapacityError(provider, zone, type);
    }
    for (const key of [`${provider}/${zone}/${type}`, `${provider}/${zone}/*`, `${provider}/*/${type}`, `${provider}/*/*`]) {
      const left = this.capacity.get(key);
      if (left !== undefined) this.capacity.set(key, left - 1);
    }
  }

  private mustVm(id: string): Vm {
    const vm = this.vms.get(id);
    if (!vm) throw new UnknownResourceError('vm', id);
    return vm;
  }

  private newVmId(provider: ProviderName, name?: string): string {
    switch (provider) {
      case 'aws':
        return `i-0${this.random.hex(16)}`;
      case 'gcp':
        return this.random.digits(19);
      case 'scaleway':
        return this.random.uuid();
      case 'home':
        return name ?? `home-${this.random.hex(6)}`;
    }
  }

  private defaultVmName(provider: ProviderName, ip: string, region: string, id: string): string {
    if (provider === 'aws') return `ip-${ip.replaceAll('.', '-')}.${region}.compute.internal`;
    if (provider === 'gcp') return `vm-${id.slice(-8)}`;
    if (provider === 'scaleway') return `scw-${this.clusterName}-${this.random.hex(20)}`;
    return id;
  }

  private nextPrivateIp(): string {
    const n = ++this.ipSeq;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** Public addresses come from 198.18.0.0/15 (reserved for benchmarking): never routable. */
  private nextPublicIp(): string {
    const n = this.ipSeq;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
  }

  // ---- Scaleway pools -------------------------------------------------------------------------

  createPool(input: {
    id?: string;
    name: string;
    nodeType: string;
    zone?: string;
    region?: string;
    size?: number;
    minSize?: number;
    maxSize?: number;
    autoscaling?: boolean;
  }): ScalewayPool {
    const region = input.region ?? this.scalewayCluster.region;
    const zone = input.zone ?? `${region}-1`;
    if (input.nodeType !== 'external' && !findType(this.catalog, 'scaleway', input.nodeType)) throw new UnknownResourceError('node type', input.nodeType);
    const now = this.clock.now();
    const pool: ScalewayPool = {
      id: input.id ?? this.random.uuid(),
      clusterId: this.scalewayCluster.id,
      region,
      zone,
      name: input.name,
      nodeType: input.nodeType,
      size: 0,
      minSize: input.minSize ?? 0,
      maxSize: input.maxSize ?? Math.max(10, input.size ?? 0),
      autoscaling: input.autoscaling ?? false,
      autohealing: input.nodeType !== 'external',
      status: 'ready',
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
    this.pools.set(pool.id, pool);
    this.record('pool.created', `scaleway pool ${pool.name} (${pool.nodeType}) created`, pool.id);
    if (input.size) this.resizePool(pool.id, input.size);
    return { ...pool };
  }

  listPools(): ScalewayPool[] {
    return [...this.pools.values()].map((p) => ({ ...p }));
  }

  getPool(id: string): ScalewayPool | undefined {
    const p = this.pools.get(id);
    return p ? { ...p } : undefined;
  }

  /** Pool nodes: VMs of the pool (managed) or joined to it (external), not yet gone. */
  poolVms(poolId: string): Vm[] {
    return this.listVms().filter((v) => v.poolId === poolId && v.state !== 'terminated');
  }

  /**
   * Resizes a managed pool: status `scaling` while nodes come up or go, `ready` once the pool has
   * exactly `size` nodes and every one is Ready. External (Kosmos) pools are sized by joins.
   */
  resizePool(id: string, size: number): ScalewayPool {
    const pool = this.pools.get(id);
    if (!pool) throw new UnknownResourceError('pool', id);
    if (pool.nodeType === 'external') throw new RangeError('external pools are sized by the nodes that join them; their size cannot be set');
    if (!Number.isInteger(size) || size < pool.minSize || size > pool.maxSize) {
      throw new RangeError(`size must be an integer between min_size ${pool.minSize} and max_size ${pool.maxSize}`);
    }
    const current = this.poolVms(id).filter((v) => v.state !== 'shutting-down');
    pool.size = size;
    pool.updatedAt = this.clock.now();
    this.record('pool.resized', `scaleway pool ${pool.name} size ${current.length} -> ${size}`, id);
    for (let i = current.length; i < size; i++) {
      this.launchVm({
        provider: 'scaleway',
        zone: pool.zone,
        type: pool.nodeType,
        poolId: id,
        autoJoin: true,
        name: `scw-${this.clusterName}-${pool.name}-${this.random.hex(20)}`,
      });
    }
    const extra = current.sort((a, b) => b.launchedAt - a.launchedAt).slice(0, Math.max(0, current.length - size));
    for (const vm of extra) {
      if (vm.nodeName && this.kube.get('nodes', undefined, vm.nodeName)) this.cluster.deleteNode(vm.nodeName, `pool ${pool.name} scaled down`);
      this.terminateVm(vm.id);
    }
    this.refreshPools();
    return { ...pool };
  }

  /**
   * Changes a pool's settings other than its size (the PATCH fields min_size, max_size, autoscaling,
   * autohealing, tags). Throws RangeError for negative or non-integer limits or min > max; the
   * caller checks the size against the new limits, since a PATCH may change both at once.
   */
  updatePool(id: string, patch: Partial<Pick<ScalewayPool, 'minSize' | 'maxSize' | 'autoscaling' | 'autohealing' | 'tags'>>): ScalewayPool {
    const pool = this.pools.get(id);
    if (!pool) throw new UnknownResourceError('pool', id);
    const minSize = patch.minSize ?? pool.minSize;
    const maxSize = patch.maxSize ?? pool.maxSize;
    if (![minSize, maxSize].every((n) => Number.isInteger(n) && n >= 0) || minSize > maxSize) {
      throw new RangeError(`min_size ${minSize} and max_size ${maxSize} must be integers with 0 <= min_size <= max_size`);
    }
    pool.minSize = minSize;
    pool.maxSize = maxSize;
    pool.autoscaling = patch.autoscaling ?? pool.autoscaling;
    pool.autohealing = patch.autohealing ?? pool.autohealing;
    pool.tags = patch.tags ? [...patch.tags] : pool.tags;
    pool.updatedAt = this.clock.now();
    this.record('pool.updated', `scaleway pool ${pool.name} settings updated`, id);
    return { ...pool };
  }

  private refreshPools(): void {
    for (const pool of this.pools.values()) {
      if (pool.nodeType === 'external') {
        pool.size = this.poolVms(pool.id).filter((v) => v.nodeName).length;
        continue;
      }
      const vms = this.poolVms(pool.id).filter((v) => v.state !== 'shutting-down');
      const allReady = vms.every((v) => {
        const node = v.nodeName ? this.kube.get('nodes', undefined, v.nodeName) : undefined;
        return node && readyStatus(node) === 'True';
      });
      const status = vms.length === pool.size && allReady ? 'ready' : 'scaling';
      if (status !== pool.status) {
        pool.status = status;
        pool.updatedAt = this.clock.now();
        if (status === 'ready') this.record('pool.ready', `scaleway pool ${pool.name} ready at size ${pool.size}`, pool.id);
      }
    }
  }

  // ---- inspection -----------------------------------------------------------------------------

  snapshot() {
    const nodes = this.kube.list('nodes').map((n) => ({
      name: n.metadata.name,
      ready: readyStatus(n),
      unschedulable: Boolean(n.spec?.unschedulable),
      providerID: n.spec?.providerID as string | undefined,
      labels: n.metadata.labels ?? {},
      taints: n.spec?.taints ?? [],
    }));
    const pods = this.kube.list('pods').map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      node: p.spec?.nodeName as string | undefined,
      phase: p.status?.phase as string,
      terminating: Boolean(p.metadata.deletionTimestamp),
      reason: p.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled')?.reason as string | undefined,
    }));
    const vms: Record<string, Array<Pick<Vm, 'id' | 'name' | 'zone' | 'type' | 'arch' | 'state' | 'nodeName' | 'publicIp'>>> = {};
    for (const vm of this.vms.values()) {
      if (!vms[vm.provider]) vms[vm.provider] = [];
      vms[vm.provider].push({
        id: vm.id,
        name: vm.name,
        zone: vm.zone,
        type: vm.type,
        arch: vm.arch,
        state: vm.state,
        nodeName: vm.nodeName,
        publicIp: vm.publicIp,
      });
    }
    return { time: this.clock.iso(), vms, nodes, pods, pools: this.listPools(), dns: this.dns.snapshot() };
  }
}

function matches(m: Match, provider: ProviderName, zone: string, type: string): boolean {
  return (!m.provider || m.provider === provider) && (!m.zone || m.zone === zone) && (!m.type || m.type === type);
}

function providerIdOf(vm: Vm): string | undefined {
  switch (vm.provider) {
    case 'aws':
      return `aws:///${vm.zone}/${vm.id}`;
    case 'gcp':
      return `gce://${vm.project ?? 'unknown-project'}/${vm.zone}/${vm.name}`;
    case 'scaleway':
      return `scaleway://instance/${vm.zone}/${vm.id}`;
    case 'home':
      return undefined;
  }
}
