import type { Random } from '../random.js';
import type { ProviderName, Vm } from './types.js';

/** An instance id in each provider's format (a home machine is known by its name). */
export function newVmId(random: Random, provider: ProviderName, name?: string): string {
  switch (provider) {
    case 'aws':
      return `i-0${random.hex(16)}`;
    case 'gcp':
      return random.digits(19);
    case 'scaleway':
      return random.uuid();
    case 'home':
      return name ?? `home-${random.hex(6)}`;
  }
}

/** The name a VM gets when the launch names none, as each provider names its machines. */
export function defaultVmName(random: Random, clusterName: string, provider: ProviderName, ip: string, region: string, id: string): string {
  if (provider === 'aws') return `ip-${ip.replaceAll('.', '-')}.${region}.compute.internal`;
  if (provider === 'gcp') return `vm-${id.slice(-8)}`;
  if (provider === 'scaleway') return `scw-${clusterName}-${random.hex(20)}`;
  return id;
}

/** The `spec.providerID` each cloud's kubelet/CCM sets. */
export function providerIdOf(vm: Vm): string | undefined {
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

/** Private addresses in 10.0.0.0/8, one per VM, and a public one from the same sequence. */
export class IpAllocator {
  private seq = 0;

  nextPrivate(): string {
    const n = ++this.seq;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** Public addresses come from 198.18.0.0/15 (reserved for benchmarking): never routable. */
  nextPublic(): string {
    const n = this.seq;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
  }
}
