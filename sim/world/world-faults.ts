import { InsufficientCapacityError } from './errors.js';
import type { ProviderName, Vm } from './types.js';
import type { World } from './world.js';
import { matchesVm, type VmMatch } from './world-context.js';

/** What can go wrong in the world: power loss, API outages, partitions, VMs that never join, capacity running out. */
export class WorldFaults {
  private readonly dark = new Set<string>();
  private readonly apiDown = new Set<ProviderName>();
  private readonly partitioned = new Set<string>();
  private neverJoin: VmMatch[] = [];
  private readonly capacity = new Map<string, number>();

  constructor(private readonly world: World) {}

  /** A whole provider, or one region of it, loses power: its VMs are unreachable until restored. */
  setProviderDark(provider: ProviderName, dark: boolean, region?: string): void {
    const key = region ? `${provider}/${region}` : provider;
    if (dark) this.dark.add(key);
    else this.dark.delete(key);
    this.world.record(dark ? 'provider.dark' : 'provider.restored', `${key} ${dark ? 'went dark' : 'is back'}`, key);
    for (const vm of this.world.fleet.liveVms()) {
      if (vm.provider === provider && (!region || vm.region === region)) this.world.kubelets.afterReachabilityChange(vm);
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

  /** One launch's worth of every limit that applies; InsufficientCapacityError when one is used up. */
  takeCapacity(provider: ProviderName, zone: string, type: string): void {
    for (const key of [`${provider}/${zone}/${type}`, `${provider}/${zone}/*`, `${provider}/*/${type}`, `${provider}/*/*`]) {
      const left = this.capacity.get(key);
      if (left !== undefined && left <= 0) throw new InsufficientCapacityError(provider, zone, type);
    }
    for (const key of [`${provider}/${zone}/${type}`, `${provider}/${zone}/*`, `${provider}/*/${type}`, `${provider}/*/*`]) {
      const left = this.capacity.get(key);
      if (left !== undefined) this.capacity.set(key, left - 1);
    }
  }

  nodeReachable(nodeName: string): boolean {
    if (this.partitioned.has(nodeName)) return false;
    const vm = [...this.world.fleet.liveVms()].find((v) => v.nodeName === nodeName);
    return vm ? this.vmReachable(vm) : false;
  }

  vmReachable(vm: Vm): boolean {
    return vm.state === 'running' && !this.dark.has(vm.provider) && !this.dark.has(`${vm.provider}/${vm.region}`);
  }
}
