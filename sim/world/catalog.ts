import type { ProviderName, RegionSpec, VmType } from './types.js';

/** What each simulated provider offers: regions, zones and VM types. */
export interface Catalog {
  regions: Record<ProviderName, RegionSpec[]>;
  types: VmType[];
}

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
    { provider: 'aws', name: 't3.medium', cpu: 2, memoryMiB: 4096, arch: 'amd64' },
    { provider: 'aws', name: 't3.large', cpu: 2, memoryMiB: 8192, arch: 'amd64' },
    { provider: 'aws', name: 'm5.large', cpu: 2, memoryMiB: 8192, arch: 'amd64' },
    { provider: 'aws', name: 'c5.xlarge', cpu: 4, memoryMiB: 8192, arch: 'amd64' },
    { provider: 'aws', name: 't4g.medium', cpu: 2, memoryMiB: 4096, arch: 'arm64' },
    { provider: 'aws', name: 'm6g.large', cpu: 2, memoryMiB: 8192, arch: 'arm64' },
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
};

export function regionOfZone(catalog: Catalog, provider: ProviderName, zone: string): string | undefined {
  return catalog.regions[provider].find((r) => r.zones.includes(zone))?.name;
}

export function findType(catalog: Catalog, provider: ProviderName, name: string): VmType | undefined {
  return catalog.types.find((t) => t.provider === provider && t.name === name);
}

/** Whether the type is offered in the zone (a type that names no zones is offered in all of its provider's). */
export function offeredIn(type: VmType, zone: string): boolean {
  return !type.zones || type.zones.includes(zone);
}
