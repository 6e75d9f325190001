import { InsufficientCapacityError } from './errors.js';
import type { ProviderName, Vm } from './types.js';
import type { World } from './world.js';
import { matchesVm, type VmMatch } from './world-context.js';

/** What can go wrong in the world: power loss, API outages, partitions, VMs that never join, capacity running out. */
export class WorldFaults {
  private readonly dark = new Set<string>();
  private readonly apiDown = new Set<ProviderName>();
  private readonly partitioned = new Set<string>();
  private readonly partitionedProviders = new Set<ProviderName>();
  private clusterApiDown = false;
  private neverJoin: VmMatch[] = [];
  private readonly capacity = new Map<string, number>();

  constructor(private readonly world: World) {}

  /** A whole provider, or one region of it, loses power: its VMs are unreachable until restored. */
  setProviderDark(provider: ProviderName, dark: boolean, region?: string): void {
    const key = region ? `${provider}/${region}` : provider;
    const poweredOn = !dark && this.dark.has(key);
    if (dark) this.dark.add(key);
    else this.dark.delete(key);
    this.world.record(dark ? 'provider.dark' : 'provider.restored', `${key} ${dark ? 'went dark' : 'is back'}`, key);
    for (const vm of this.world.fleet.liveVms()) {
      if (vm.provider !== provider || (region && vm.region !== region)) continue;
      if (poweredOn) this.world.kubelets.poweredOn(vm);
      else this.world.kubelets.afterReachabilityChange(vm);
    }
  }

  /** The provider's API answers (false) or resets connections (true); its VMs are unaffected. */
  setApiDown(provider: ProviderName, down: boolean): void {
    if (down) this.apiDown.add(provider);
    else this.apiDown.delete(provider);
    this.world.record(down ? 'api.down' : 'api.up', `${provider} API ${down ? 'down' : 'up'}`, provider);
  }

  isApiDown(provider: ProviderName): boolean {
    return this.apiDown.has(provider);
  }

  /** A network partition between the control plane and these nodes (on) or its end (off). */
  setPartition(nodeNames: string[], on: boolean): void {
    for (const n of nodeNames) {
      if (on) this.partitioned.add(n);
      else this.partitioned.delete(n);
      this.world.cluster.refreshNode(n);
    }
    this.world.record(on ? 'network.partition' : 'network.healed', `${on ? 'partitioned' : 'reconnected'}: ${nodeNames.join(', ')}`);
  }

  /**
   * A network partition between the control plane and every node of a provider (on) or its end (off): the VMs run
   * and their cloud API answers, but their kubelets cannot reach the API server, so the node lifecycle controller
   * marks their Nodes Unknown after the grace period (https://kubernetes.io/docs/concepts/architecture/nodes/#condition).
   */
  setProviderPartition(provider: ProviderName, on: boolean): void {
    if (on) this.partitionedProviders.add(provider);
    else this.partitionedProviders.delete(provider);
    this.world.record(on ? 'network.partition' : 'network.healed', `${on ? 'partitioned' : 'reconnected'}: every ${provider} node`, provider);
    for (const vm of this.world.fleet.liveVms()) if (vm.provider === provider) this.world.kubelets.afterReachabilityChange(vm);
  }

  /**
   * The cluster's API server is down (true) or back (false): connections to it are refused. Nodes keep their
   * conditions meanwhile: the node lifecycle controller talks to the API server too, so it marks nothing while it
   * is gone (https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller).
   */
  setClusterApiDown(down: boolean): void {
    if (this.clusterApiDown === down) return;
    this.clusterApiDown = down;
    this.world.record(down ? 'cluster-api.down' : 'cluster-api.up', `cluster API server ${down ? 'down' : 'up'}`);
  }

  isClusterApiDown(): boolean {
    return this.clusterApiDown;
  }

  /** VMs launched while a match is set boot but never join (undefined clears). */
  setNeverJoin(match: VmMatch | undefined): void {
    this.neverJoin = match ? [...this.neverJoin, match] : [];
  }

  neverJoins(provider: ProviderName, zone: string, type: string): boolean {
    return this.neverJoin.some((m) => matchesVm(m, provider, zone, type));
  }

  /** Limits how many more VMs may launch for a provider/zone/type (undefined = unlimited). Terminating VMs gives none back: the limit models a provider that has run out. */
  setCapacity(match: VmMatch & { provider: ProviderName }, available: number | undefined): void {
    const key = `${match.provider}/${match.zone ?? '*'}/${match.type ?? '*'}`;
    if (available === undefined) this.capacity.delete(key);
    else this.capacity.set(key, available);
  }

  /** How many more VMs of this provider/zone/type may launch under every limit that applies (Infinity: no limit). */
  capacityLeft(provider: ProviderName, zone: string, type: string): number {
    return Math.min(...capacityKeys(provider, zone, type).map((key) => this.capacity.get(key) ?? Number.POSITIVE_INFINITY));
  }

  /** One launch's worth of every limit that applies; InsufficientCapacityError when one is used up. */
  takeCapacity(provider: ProviderName, zone: string, type: string): void {
    if (this.capacityLeft(provider, zone, type) <= 0) throw new InsufficientCapacityError(provider, zone, type);
    for (const key of capacityKeys(provider, zone, type)) {
      const left = this.capacity.get(key);
      if (left !== undefined) this.capacity.set(key, left - 1);
    }
  }

  nodeReachable(nodeName: string): boolean {
    if (this.partitioned.has(nodeName)) return false;
    const vm = [...this.world.fleet.liveVms()].find((v) => v.nodeName === nodeName);
    return vm ? this.vmReachable(vm) && !this.partitionedProviders.has(vm.provider) : false;
  }

  vmReachable(vm: Vm): boolean {
    return vm.state === 'running' && !this.dark.has(vm.provider) && !this.dark.has(`${vm.provider}/${vm.region}`);
  }
}

/** The capacity limits that apply to a launch: the exact offering, its zone, its type, the whole provider. */
function capacityKeys(provider: ProviderName, zone: string, type: string): string[] {
  return [`${provider}/${zone}/${type}`, `${provider}/${zone}/*`, `${provider}/*/${type}`, `${provider}/*/*`];
}
