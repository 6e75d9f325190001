import { createHash } from 'node:crypto';
import type { Vm } from '../../world/types.js';
import { networkInterfaces, scheduling } from './instance-input.js';
import { instancePath, link, machineTypeLink, zonePath } from './links.js';
import type { InstanceRecord } from './types.js';

/** A booting VM shows PROVISIONING (resources being allocated) this long, then STAGING. */
const PROVISIONING_MS = 10_000;

/**
 * GCE's status word for a world VM state; undefined once the VM is gone (a deleted instance
 * is not found). GCE calls a stopped instance TERMINATED.
 */
export function instanceStatus(vm: Vm, now: number): string | undefined {
  switch (vm.state) {
    case 'pending':
      return now - vm.stateChangedAt < PROVISIONING_MS ? 'PROVISIONING' : 'STAGING';
    case 'running':
      return 'RUNNING';
    case 'stopping':
    case 'shutting-down':
      return 'STOPPING';
    case 'stopped':
      return 'TERMINATED';
    case 'terminated':
      return undefined;
  }
}

/** GCE fingerprints are 8 opaque bytes, base64: here a hash of what they guard. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest().subarray(0, 8).toString('base64');
}

export function labelFingerprint(labels: Record<string, string>): string {
  return fingerprint(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** What insert stored; a GCP VM put in the world some other way (a scenario) gets GCE's defaults. */
export function gceRecord(vm: Vm): InstanceRecord {
  const stored = vm.extra.gce as InstanceRecord | undefined;
  if (stored) return stored;
  const project = vm.project ?? '';
  return {
    disks: [],
    networkInterfaces: networkInterfaces([{ accessConfigs: [{}] }], { project, region: vm.region }),
    metadataItems: vm.userData ? [{ key: 'startup-script', value: vm.userData }] : [],
    networkTags: [],
    scheduling: scheduling({}, vm.spot),
    serviceAccounts: [],
  };
}

/** The Instance resource as instances.get returns it. */
export function instanceJson(vm: Vm, status: string, iso: (ms: number) => string): Record<string, unknown> {
  const project = vm.project ?? '';
  const record = gceRecord(vm);
  // The world gives a VM one private and one public address: the first NIC and its NAT carry them.
  const networkInterfaces = record.networkInterfaces.map((nic, i) => ({
    kind: 'compute#networkInterface',
    ...nic,
    name: `nic${i}`,
    networkIP: i === 0 ? vm.privateIp : undefined,
    accessConfigs: (nic.accessConfigs as Array<Record<string, unknown>>).map((ac) => ({ ...ac, natIP: i === 0 ? vm.publicIp : undefined })),
    fingerprint: fingerprint([vm.id, i]),
  }));
  const out: Record<string, unknown> = {
    kind: 'compute#instance',
    id: vm.id,
    creationTimestamp: iso(vm.launchedAt),
    name: vm.name,
    description: record.description,
    tags: { items: record.networkTags, fingerprint: fingerprint(record.networkTags) },
    machineType: machineTypeLink(project, vm.zone, vm.type),
    status,
    zone: link(zonePath(project, vm.zone)),
    canIpForward: false,
    networkInterfaces,
    disks: record.disks,
    metadata: { kind: 'compute#metadata', fingerprint: fingerprint(record.metadataItems), items: record.metadataItems },
    serviceAccounts: record.serviceAccounts,
    selfLink: link(instancePath(project, vm.zone, vm.name)),
    scheduling: record.scheduling,
    cpuPlatform: status !== 'RUNNING' ? 'Unknown CPU Platform' : vm.arch === 'arm64' ? 'Ampere Altra' : 'Intel Broadwell',
    labels: vm.tags,
    labelFingerprint: labelFingerprint(vm.tags),
    startRestricted: false,
    deletionProtection: false,
    fingerprint: fingerprint([vm.id, status]),
  };
  if (vm.state === 'running') out.lastStartTimestamp = iso(vm.stateChangedAt);
  if (vm.state === 'stopped') out.lastStopTimestamp = iso(vm.stateChangedAt);
  return out;
}
