import { type Catalog, findType } from '../../world/catalog.js';
import type { Arch } from '../../world/types.js';
import { invalidField, requiredField } from './errors.js';
import { absolute, link, parseMachineType } from './links.js';
import type { AttachedDiskBody, InstanceBody, InstanceRecord, MetadataItem, NetworkInterfaceBody, SchedulingBody } from './types.js';

/** What instances.insert asks for, checked as GCE checks it, ready to launch. */
export interface InsertPlan {
  name: string;
  machineType: string;
  labels: Record<string, string>;
  spot: boolean;
  /** The startup script (or cloud-init user data) the VM runs at boot. */
  userData?: string;
  record: InstanceRecord;
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;

export function planInsert(body: InstanceBody | undefined, where: { project: string; zone: string; region: string }, catalog: Catalog): InsertPlan {
  if (!body) throw requiredField('resource');
  const name = body.name ?? '';
  if (!NAME.test(name)) throw invalidField('resource.name', name, `Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  if (!body.machineType) throw requiredField('resource.machineType');
  const ref = parseMachineType(body.machineType);
  const type = ref?.zone === where.zone ? findType(catalog, 'gcp', ref.type) : undefined;
  if (!ref) throw invalidField('resource.machineType', body.machineType, 'Must be a URL to a valid Compute resource of the correct type.');
  if (!type) throw invalidField('resource.machineType', body.machineType, `Machine type with name '${ref.type}' does not exist in zone '${where.zone}'.`);
  const labels = body.labels ?? {};
  checkLabels(labels, 'resource.labels');
  const spot = body.scheduling?.provisioningModel === 'SPOT' || body.scheduling?.preemptible === true;
  return {
    name,
    machineType: type.name,
    labels,
    spot,
    userData: startupScript(body.metadata?.items ?? []),
    record: {
      description: body.description,
      disks: disks(body.disks ?? [], name, type.arch, where),
      networkInterfaces: networkInterfaces(body.networkInterfaces ?? [], where),
      metadataItems: body.metadata?.items ?? [],
      networkTags: body.tags?.items ?? [],
      scheduling: scheduling(body.scheduling ?? {}, spot),
      serviceAccounts: (body.serviceAccounts ?? []).map((sa) => ({ email: sa.email ?? 'default', scopes: sa.scopes ?? [] })),
    },
  };
}

/** Label rules from the labels reference: lowercase keys and values, at most 63 characters, 64 labels. */
export function checkLabels(labels: Record<string, string>, field: string): void {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw invalidField(field, '', `Resource can have at most ${MAX_LABELS} labels.`);
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      throw invalidField(
        field,
        '',
        `Label key '${key}' violates format constraints. The key must start with a lowercase character, can only contain lowercase letters, numeric characters, underscores and dashes. The key can be at most 63 characters long.`,
      );
    }
    if (!LABEL_VALUE.test(value)) {
      throw invalidField(
        field,
        '',
        `Label value '${value}' violates format constraints. The value can only contain lowercase letters, numeric characters, underscores and dashes. The value can be at most 63 characters long.`,
      );
    }
  }
}

/** GCE's guest agent runs `startup-script`; cloud-init images read `user-data`. */
function startupScript(items: MetadataItem[]): string | undefined {
  return items.find((i) => i.key === 'startup-script')?.value ?? items.find((i) => i.key === 'user-data')?.value;
}

function disks(input: AttachedDiskBody[], name: string, arch: Arch, where: { project: string; zone: string }): Array<Record<string, unknown>> {
  const bootIndex = input.findIndex((d) => d.boot);
  if (bootIndex < 0) throw invalidField('resource.disks', '', 'Boot disk must be specified.');
  return input.map((d, index) => {
    if (!d.source && !d.initializeParams?.sourceImage) {
      throw invalidField(`resource.disks[${index}].initializeParams.sourceImage`, '', 'Source image must be specified.');
    }
    const diskName = d.initializeParams?.diskName ?? (index === bootIndex ? name : `${name}-${index}`);
    return {
      kind: 'compute#attachedDisk',
      type: 'PERSISTENT',
      mode: 'READ_WRITE',
      source: d.source ? absolute(where.project, d.source) : link(`projects/${where.project}/zones/${where.zone}/disks/${diskName}`),
      deviceName: d.deviceName ?? diskName,
      index,
      boot: index === bootIndex,
      autoDelete: d.autoDelete ?? false,
      interface: 'SCSI',
      diskSizeGb: d.initializeParams?.diskSizeGb ?? '10',
      architecture: arch === 'arm64' ? 'ARM64' : 'X86_64',
    };
  });
}

export function networkInterfaces(input: NetworkInterfaceBody[], where: { project: string; region: string }): Array<Record<string, unknown>> {
  if (input.length === 0) throw invalidField('resource.networkInterfaces', '', 'At least one network interface is required.');
  return input.map((nic) => ({
    network: absolute(where.project, nic.network ?? 'global/networks/default'),
    subnetwork: absolute(where.project, nic.subnetwork ?? `regions/${where.region}/subnetworks/default`),
    stackType: 'IPV4_ONLY',
    accessConfigs: (nic.accessConfigs ?? []).map((ac) => ({
      kind: 'compute#accessConfig',
      type: ac.type ?? 'ONE_TO_ONE_NAT',
      name: ac.name ?? 'External NAT',
      networkTier: ac.networkTier ?? 'PREMIUM',
    })),
  }));
}

/** Spot VMs cannot restart on their own or live-migrate; GCE fills those in for SPOT. */
export function scheduling(input: SchedulingBody, spot: boolean): Record<string, unknown> {
  if (!spot) {
    return {
      onHostMaintenance: input.onHostMaintenance ?? 'MIGRATE',
      automaticRestart: input.automaticRestart ?? true,
      preemptible: false,
      provisioningModel: 'STANDARD',
    };
  }
  return {
    onHostMaintenance: input.onHostMaintenance ?? 'TERMINATE',
    automaticRestart: input.automaticRestart ?? false,
    preemptible: true,
    provisioningModel: 'SPOT',
    instanceTerminationAction: input.instanceTerminationAction ?? 'STOP',
  };
}
