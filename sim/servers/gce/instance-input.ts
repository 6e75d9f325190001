import { type Catalog, findType, typeOfferedIn } from '../../world/catalog.js';
import type { Arch, SpotAction } from '../../world/types.js';
import { GceApiError, invalidField, requiredField } from './errors.js';
import { absolute, link, parseMachineType } from './links.js';
import type { AttachedDiskBody, InstanceBody, InstanceRecord, MetadataItem, NetworkInterfaceBody, SchedulingBody } from './types.js';

/** What instances.insert asks for, checked as GCE checks it, ready to launch. */
export interface InsertPlan {
  name: string;
  machineType: string;
  labels: Record<string, string>;
  spot: boolean;
  /** What a preemption does: `scheduling.instanceTerminationAction` (STOP unless DELETE). */
  spotAction: SpotAction;
  /** The startup script (or cloud-init user data) the VM runs at boot. */
  userData?: string;
  record: InstanceRecord;
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;

/** Which of GCE's refusals the world models (unkindness.ts); off, every type is offered everywhere and any image boots. */
export interface InsertRules {
  zonalMachineTypes: boolean;
  imageArchitecture: boolean;
}

export function planInsert(
  body: InstanceBody | undefined,
  where: { project: string; zone: string; region: string },
  catalog: Catalog,
  rules: InsertRules = { zonalMachineTypes: true, imageArchitecture: true },
): InsertPlan {
  if (!body) throw requiredField('resource');
  const name = body.name ?? '';
  if (!NAME.test(name)) throw invalidField('resource.name', name, `Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  if (!body.machineType) throw requiredField('resource.machineType');
  const ref = parseMachineType(body.machineType);
  const known = ref?.zone === where.zone ? findType(catalog, 'gcp', ref.type) : undefined;
  // GCE has no machine type resource for a series a zone lacks: the same answer as for a name that does not exist.
  const type = known && (!rules.zonalMachineTypes || typeOfferedIn(known, where.zone)) ? known : undefined;
  if (!ref) throw invalidField('resource.machineType', body.machineType, 'Must be a URL to a valid Compute resource of the correct type.');
  if (!type) throw invalidField('resource.machineType', body.machineType, `Machine type with name '${ref.type}' does not exist in zone '${where.zone}'.`);
  const labels = body.labels ?? {};
  checkLabels(labels, 'resource.labels');
  const spot = body.scheduling?.provisioningModel === 'SPOT' || body.scheduling?.preemptible === true;
  if (rules.imageArchitecture) checkBootImageArch(body.disks ?? [], type.arch);
  const schedule = scheduling(body.scheduling ?? {}, spot);
  return {
    name,
    machineType: type.name,
    labels,
    spot,
    spotAction: schedule.instanceTerminationAction === 'DELETE' ? 'terminate' : 'stop',
    userData: startupScript(body.metadata?.items ?? []),
    record: {
      description: body.description,
      disks: disks(body.disks ?? [], name, type.arch, where),
      networkInterfaces: networkInterfaces(body.networkInterfaces ?? [], where),
      metadataItems: body.metadata?.items ?? [],
      networkTags: body.tags?.items ?? [],
      scheduling: schedule,
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

/**
 * Public images name their architecture (ubuntu-2404-lts-amd64, debian-12-arm64); GCE refuses a boot disk whose
 * image's architecture differs from the machine type's with 400 invalidResourceUsage, as reported in
 * kubermatic/machine-controller#1520 and related-sciences/gce-github-runner#46.
 */
export function imageArch(sourceImage: string): Arch {
  return /arm64|aarch64/i.test(sourceImage) ? 'arm64' : 'amd64';
}

function checkBootImageArch(input: AttachedDiskBody[], machineArch: Arch): void {
  const image = input.find((d) => d.boot)?.initializeParams?.sourceImage;
  if (!image || imageArch(image) === machineArch) return;
  const word = (a: Arch) => (a === 'arm64' ? 'ARM64' : 'X86_64');
  throw new GceApiError(
    400,
    'invalidResourceUsage',
    `Invalid resource usage: 'Requested boot disk architecture (${word(imageArch(image))}) is not compatible with machine type architecture (${word(machineArch)}).'.`,
  );
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
export function scheduling(input: SchedulingBody, spot: boolean): Record<string, unknown> & { instanceTerminationAction?: string } {
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
