import type { Arch, ProviderName, RegionSpec, VmType } from './types.js';

/** What each simulated provider offers: regions, zones and VM types. */
export interface Catalog {
  regions: Record<ProviderName, RegionSpec[]>;
  types: VmType[];
  /** Types some zones do not offer; every other type is offered in every zone of its provider. */
  gaps?: ZoneGap[];
}

/**
 * A zone that does not offer some families (`t4g` covers every t4g size). Real regions do this: a new family, most
 * often Graviton, reaches some zones late. EC2 then answers RunInstances with `Unsupported` ("Your requested instance
 * type (...) is not supported in your requested Availability Zone (...)"), and DescribeInstanceTypeOfferings with
 * location type availability-zone lists what each zone has (EC2 API reference, DescribeInstanceTypeOfferings;
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html).
 */
export interface ZoneGap {
  provider: ProviderName;
  zone: string;
  families: string[];
}

/** One EC2 family: its sizes as [size, vCPU, memory GiB], from the published instance type specifications. */
function ec2Family(family: string, arch: Arch, sizes: Array<[string, number, number]>): VmType[] {
  return sizes.map(([size, cpu, gib]) => ({ provider: 'aws', name: `${family}.${size}`, cpu, memoryMiB: gib * 1024, arch }));
}

/** Burstable families share their sizes (vCPU, GiB). */
const BURSTABLE: Array<[string, number, number]> = [
  ['nano', 2, 0.5],
  ['micro', 2, 1],
  ['small', 2, 2],
  ['medium', 2, 4],
  ['large', 2, 8],
  ['xlarge', 4, 16],
  ['2xlarge', 8, 32],
];

/** Sizes from large up, at `gibPerCpu` GiB per vCPU (general purpose 4, compute 2, memory 8). */
function sized(gibPerCpu: number, cpus: Array<[string, number]>): Array<[string, number, number]> {
  return cpus.map(([size, cpu]) => [size, cpu, cpu * gibPerCpu]);
}

const INTEL_6I: Array<[string, number]> = [
  ['large', 2],
  ['xlarge', 4],
  ['2xlarge', 8],
  ['4xlarge', 16],
  ['8xlarge', 32],
  ['12xlarge', 48],
  ['16xlarge', 64],
  ['24xlarge', 96],
  ['32xlarge', 128],
];
const INTEL_7I: Array<[string, number]> = [...INTEL_6I.slice(0, 8), ['48xlarge', 192]];
const GRAVITON_3: Array<[string, number]> = [['medium', 1], ...INTEL_6I.slice(0, 7)];

/** EC2's current common families (t3/t3a/t4g, m6i/m7i/m7g, c6i/c7g, r6i) and the older ones configs still name. */
const EC2_TYPES: VmType[] = [
  ...ec2Family('t3', 'amd64', BURSTABLE),
  ...ec2Family('t3a', 'amd64', BURSTABLE),
  ...ec2Family('t4g', 'arm64', BURSTABLE),
  ...ec2Family('m6i', 'amd64', sized(4, INTEL_6I)),
  ...ec2Family('m7i', 'amd64', sized(4, INTEL_7I)),
  ...ec2Family('m7g', 'arm64', sized(4, GRAVITON_3)),
  ...ec2Family('c6i', 'amd64', sized(2, INTEL_6I)),
  ...ec2Family('c7g', 'arm64', sized(2, GRAVITON_3)),
  ...ec2Family('r6i', 'amd64', sized(8, INTEL_6I)),
  ...ec2Family('m5', 'amd64', [['large', 2, 8]]),
  ...ec2Family('c5', 'amd64', [['xlarge', 4, 8]]),
  ...ec2Family('m6g', 'arm64', [['large', 2, 8]]),
];

export const DEFAULT_CATALOG: Catalog = {
  regions: {
    aws: [
      { name: 'eu-west-3', zones: ['eu-west-3a', 'eu-west-3b', 'eu-west-3c'] },
      { name: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] },
    ],
    gcp: [
      { name: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] },
      { name: 'us-central1', zones: ['us-central1-a', 'us-central1-b'] },
    ],
    scaleway: [
      { name: 'fr-par', zones: ['fr-par-1', 'fr-par-2', 'fr-par-3'] },
      { name: 'nl-ams', zones: ['nl-ams-1', 'nl-ams-2'] },
    ],
    home: [{ name: 'home', zones: ['home-1'] }],
  },
  types: [
    ...EC2_TYPES,
    { provider: 'gcp', name: 'e2-standard-2', cpu: 2, memoryMiB: 8192, arch: 'amd64' },
    { provider: 'gcp', name: 'e2-standard-4', cpu: 4, memoryMiB: 16384, arch: 'amd64' },
    { provider: 'gcp', name: 'n2-standard-2', cpu: 2, memoryMiB: 8192, arch: 'amd64' },
    // Tau T2A (Arm) is offered in few zones: none in europe-west1, some in us-central1
    // (https://cloud.google.com/compute/docs/regions-zones#available).
    { provider: 'gcp', name: 't2a-standard-2', cpu: 2, memoryMiB: 8192, arch: 'arm64', zones: ['us-central1-a', 'us-central1-b'] },
    { provider: 'scaleway', name: 'DEV1-M', cpu: 3, memoryMiB: 4096, arch: 'amd64' },
    { provider: 'scaleway', name: 'GP1-XS', cpu: 4, memoryMiB: 16384, arch: 'amd64' },
    { provider: 'scaleway', name: 'PLAY2-MICRO', cpu: 4, memoryMiB: 8192, arch: 'amd64' },
    { provider: 'scaleway', name: 'COPARM1-2C-8G', cpu: 2, memoryMiB: 8192, arch: 'arm64' },
    { provider: 'home', name: 'nuc', cpu: 4, memoryMiB: 16384, arch: 'amd64' },
    { provider: 'home', name: 'rpi5', cpu: 4, memoryMiB: 8192, arch: 'arm64' },
  ],
  gaps: [
    // Graviton families missing from one zone of each region (the shipped config's subnets are in eu-west-3a/b).
    { provider: 'aws', zone: 'eu-west-3c', families: ['t4g', 'm7g', 'c7g'] },
    { provider: 'aws', zone: 'us-east-1b', families: ['m7g', 'c7g', 'm7i'] },
  ],
};

export function regionOfZone(catalog: Catalog, provider: ProviderName, zone: string): string | undefined {
  return catalog.regions[provider].find((r) => r.zones.includes(zone))?.name;
}

export function findType(catalog: Catalog, provider: ProviderName, name: string): VmType | undefined {
  return catalog.types.find((t) => t.provider === provider && t.name === name);
}

/** Whether the zone offers the type (its family is not in one of the zone's gaps). */
export function offeredIn(catalog: Catalog, provider: ProviderName, type: string, zone: string): boolean {
  const family = type.split('.')[0];
  return !(catalog.gaps ?? []).some((g) => g.provider === provider && g.zone === zone && g.families.includes(family));
}

/** Whether the type is offered in the zone (a type that names no zones is offered in all of its provider's). */
export function typeOfferedIn(type: VmType, zone: string): boolean {
  return !type.zones || type.zones.includes(zone);
}
