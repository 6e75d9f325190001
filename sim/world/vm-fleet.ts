import { findType, regionOfZone } from './catalog.js';
import { UnknownResourceError } from './errors.js';
import type { LaunchRequest, ProviderName, Vm, VmState } from './types.js';
import { defaultVmName, IpAllocator, newVmId, privateNetworkOf } from './vm-identity.js';
import type { World } from './world.js';
import type { EmitWorldEvent, WorldTimings } from './world-context.js';

/** Every provider's VMs and their lifecycle: launch, boot, stop, start, terminate, spot notices. */
export class VmFleet {
  private readonly vms = new Map<string, Vm>();
  private readonly ips: IpAllocator;

  constructor(
    private readonly world: World,
    private readonly emit: EmitWorldEvent,
    private readonly timings: WorldTimings,
  ) {
    this.ips = new IpAllocator(world.unkindness.has('overlapping-private-ips'));
  }

  /**
   * Starts a VM. Throws UnknownResourceError for a zone or type the provider does not have, and
   * InsufficientCapacityError when a capacity limit for it is used up.
   */
  launch(req: LaunchRequest): Vm {
    const { catalog, clock, random, faults } = this.world;
    const region = regionOfZone(catalog, req.provider, req.zone);
    if (!region) throw new UnknownResourceError('zone', `${req.provider}/${req.zone}`);
    const type = findType(catalog, req.provider, req.type);
    if (!type) throw new UnknownResourceError('instance type', `${req.provider}/${req.type}`);
    faults.takeCapacity(req.provider, req.zone, req.type);
    const awsSubnet = [...this.world.awsSubnets.values()].find((s) => s.zone === req.zone);
    const privateIp = this.ips.nextPrivate(privateNetworkOf(req.provider, region, req.zone, awsSubnet?.cidr));
    const now = clock.now();
    const id = newVmId(random, req.provider, req.name);
    const vm: Vm = {
      id,
      name: req.name ?? defaultVmName(req.provider, privateIp, region, id),
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
      ...(req.spot && req.spotAction ? { spotAction: req.spotAction } : {}),
      privateIp,
      publicIp: this.ips.nextPublic(),
      launchedAt: now,
      stateChangedAt: now,
      project: req.project,
      poolId: req.poolId,
      ...(req.poolNodeId ? { poolNodeId: req.poolNodeId } : {}),
      autoJoin: req.autoJoin ?? false,
      ...(req.nodeLabels ? { nodeLabels: { ...req.nodeLabels } } : {}),
      neverJoins: faults.neverJoins(req.provider, req.zone, type.name),
      extra: { ...req.extra },
    };
    this.vms.set(vm.id, vm);
    this.world.record('vm.launched', `${vm.provider} VM ${vm.id} (${vm.type}, ${vm.arch}) launched in ${vm.zone}`, vm.id);
    this.emit('vm-state', { vm: { ...vm }, previous: undefined });
    clock.setTimer(this.timings.bootDelayMs[vm.provider], () => this.boot(vm.id), `boot ${vm.id}`);
    return { ...vm };
  }

  get(id: string): Vm | undefined {
    const vm = this.vms.get(id);
    return vm ? { ...vm, tags: { ...vm.tags } } : undefined;
  }

  list(provider?: ProviderName): Vm[] {
    return [...this.vms.values()].filter((v) => !provider || v.provider === provider).map((v) => ({ ...v, tags: { ...v.tags } }));
  }

  /** The VM a Node runs on (a copy). */
  ofNode(nodeName: string): Vm | undefined {
    for (const vm of this.vms.values()) if (vm.nodeName === nodeName) return { ...vm };
    return undefined;
  }

  /** The stored VMs themselves, for the world's parts that change them (kubelets joining); others get copies. */
  liveVms(): IterableIterator<Vm> {
    return this.vms.values();
  }

  liveVm(id: string): Vm | undefined {
    return this.vms.get(id);
  }

  /** Changes the VM's tags in place (EC2 CreateTags/DeleteTags, GCE labels). */
  setTags(id: string, tags: Record<string, string>, remove: string[] = []): Vm {
    const vm = this.mustVm(id);
    Object.assign(vm.tags, tags);
    for (const k of remove) delete vm.tags[k];
    return { ...vm };
  }

  /** Server-specific data kept on the VM. */
  setExtra(id: string, extra: Record<string, unknown>): void {
    Object.assign(this.mustVm(id).extra, extra);
  }

  terminate(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state === 'terminated' || vm.state === 'shutting-down') return { ...vm };
    this.setState(vm, 'shutting-down');
    this.world.clock.setTimer(this.timings.shutdownDelayMs, () => this.setState(vm, 'terminated'), `terminate ${id}`);
    return { ...vm };
  }

  stop(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state !== 'running' && vm.state !== 'pending') return { ...vm };
    this.setState(vm, 'stopping');
    this.world.clock.setTimer(this.timings.shutdownDelayMs, () => vm.state === 'stopping' && this.setState(vm, 'stopped'), `stop ${id}`);
    return { ...vm };
  }

  start(id: string): Vm {
    const vm = this.mustVm(id);
    if (vm.state !== 'stopped') return { ...vm };
    this.setState(vm, 'pending');
    this.world.clock.setTimer(this.timings.bootDelayMs[vm.provider], () => this.boot(vm.id), `boot ${id}`);
    return { ...vm };
  }

  /**
   * Spot reclaim: the warning now, then the VM stopped or terminated (its spotAction) after the notice. Only spot
   * VMs are reclaimed; false (and nothing happens) for an on-demand one.
   */
  reclaimSpot(id: string, noticeMs: number): boolean {
    const vm = this.mustVm(id);
    if (!vm.spot) return false;
    const actionAt = this.world.clock.now() + noticeMs;
    this.world.record('vm.spot-interruption', `spot VM ${id} will be reclaimed at ${new Date(actionAt).toISOString()}`, id);
    this.emit('spot-interruption', { vm: { ...vm }, actionAt });
    this.world.clock.setTimer(noticeMs, () => (vm.spotAction === 'stop' ? this.stop(id) : this.terminate(id)), `reclaim ${id}`);
    return true;
  }

  recommendRebalance(id: string): void {
    const vm = this.mustVm(id);
    this.world.record('vm.rebalance-recommendation', `rebalance recommended for spot VM ${id}`, id);
    this.emit('rebalance-recommendation', { vm: { ...vm } });
  }

  private boot(id: string): void {
    const vm = this.vms.get(id);
    if (vm?.state !== 'pending') return;
    this.setState(vm, 'running');
    this.world.kubelets.booted(vm);
  }

  private setState(vm: Vm, state: VmState): void {
    const previous = vm.state;
    if (previous === state) return;
    vm.state = state;
    vm.stateChangedAt = this.world.clock.now();
    this.world.record(`vm.${state}`, `${vm.provider} VM ${vm.id} ${previous} -> ${state}`, vm.id);
    this.emit('vm-state', { vm: { ...vm }, previous });
    this.world.kubelets.afterReachabilityChange(vm);
    if (vm.poolId) this.world.scalewayPools.refresh();
  }

  private mustVm(id: string): Vm {
    const vm = this.vms.get(id);
    if (!vm) throw new UnknownResourceError('vm', id);
    return vm;
  }
}
