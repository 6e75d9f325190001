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

/**
 * The name a VM gets when the launch names none, as each provider names its machines. Scaleway machines come from
 * pools, which name them (scaleway/node-identity.ts).
 */
export function defaultVmName(provider: ProviderName, ip: string, region: string, id: string): string {
  if (provider === 'aws') return `ip-${ip.replaceAll('.', '-')}.${region}.compute.internal`;
  if (provider === 'gcp') return `vm-${id.slice(-8)}`;
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

/** A private network VMs take addresses from: one per EC2 subnet, GCE region, Scaleway region or home lab. */
export interface PrivateNetwork {
  /** Which network (addresses are unique within it, not across networks). */
  key: string;
  /** The network address, IPv4 dotted quad; the range is the /16 (AWS) or /20 (GCE, Scaleway) or /24 (home) above it. */
  base: string;
  /** The first address handed out: AWS keeps the first four of a subnet, GCE and Scaleway the first two. */
  firstHost: number;
}

/**
 * Where a new VM's private address comes from. Sites reuse the same RFC 1918 ranges, as home labs, AWS and
 * GCP often do: the first EC2 subnet (10.0.0.0/16), a GCE custom-mode subnet per region (10.0.0.0/20) and
 * the home lab (10.0.0.0/24) all start handing out 10.0.0.x, so a home machine and a new EC2 or GCE VM
 * can carry the same InternalIP. `awsSubnetCidr` is the EC2 subnet of the VM's zone.
 * Reserved addresses: AWS VPC user guide, "Subnet CIDR blocks" (first four and last of each subnet); GCE
 * VPC docs, "Reserved IP addresses in a subnet" (network and gateway addresses, .0 and .1).
 */
export function privateNetworkOf(provider: ProviderName, region: string, zone: string, awsSubnetCidr: string | undefined): PrivateNetwork {
  switch (provider) {
    case 'aws':
      return { key: `aws/${zone}`, base: (awsSubnetCidr ?? '10.0.0.0/16').split('/')[0], firstHost: 4 };
    case 'gcp':
      return { key: `gcp/${region}`, base: '10.0.0.0', firstHost: 2 };
    case 'scaleway':
      return { key: `scaleway/${region}`, base: '10.0.0.0', firstHost: 2 };
    case 'home':
      return { key: `home/${zone}`, base: '10.0.0.0', firstHost: 4 };
  }
}

/**
 * Private addresses, and public ones from 198.18.0.0/15 (reserved for benchmarking: never routable), unique
 * across the world. Private addresses are handed out in order within each network when `overlapping` (the
 * unkind `overlapping-private-ips` behaviour), else from one sequence over 10.0.0.0/8 for the whole world.
 */
export class IpAllocator {
  private seq = 0;
  private readonly perNetwork = new Map<string, number>();

  constructor(private readonly overlapping: boolean) {}

  nextPrivate(network: PrivateNetwork): string {
    const n = ++this.seq;
    if (!this.overlapping) return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const host = (this.perNetwork.get(network.key) ?? network.firstHost - 1) + 1;
    this.perNetwork.set(network.key, host);
    const [a, b, c, d] = network.base.split('.').map(Number);
    const value = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d + host) >>> 0;
    return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
  }

  /** The public address of the VM whose private address was handed out last. */
  nextPublic(): string {
    const n = this.seq;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
  }
}
