import { createHash } from 'node:crypto';
import type { Arch, Vm, VmState } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { Ec2Error } from './errors.js';
import { defaultSecurityGroupId, defaultSubnetOfZone, defaultVpcId } from './network.js';
import type { Ec2Context, Ec2InstanceData, Ec2MetadataOptions } from './types.js';
import type { XmlObject } from './xml.js';

/** EC2 keeps terminated instances visible for about an hour, then they are gone from every call. */
export const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;

const STATE_CODES: Record<VmState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

export function stateCode(state: VmState): number {
  return STATE_CODES[state];
}

export function instanceState(state: VmState): XmlObject {
  return { code: STATE_CODES[state], name: state };
}

export function ec2Arch(arch: Arch): 'x86_64' | 'arm64' {
  return arch === 'amd64' ? 'x86_64' : 'arm64';
}

/**
 * The region's instances the API shows, in launch order (the world's order): not those RunInstances created too
 * recently to have propagated (consistency.ts), nor those terminated more than an hour ago.
 */
export function visibleInstances(ctx: Ec2Context): Vm[] {
  const now = ctx.env.clock.now();
  const world = ctx.env.world;
  return world
    .listVms('aws')
    .filter(
      (vm) =>
        vm.region === ctx.region &&
        (ec2Data(world, vm).visibleAt ?? 0) <= now &&
        !(vm.state === 'terminated' && now - vm.stateChangedAt > TERMINATED_VISIBLE_MS),
    );
}

/**
 * The paging key of instances: their launch rank among every AWS VM the world ever had. The
 * world never forgets a VM, so a rank stays valid across pages even when instances vanish.
 */
export function instanceSortKey(ctx: Ec2Context): (vm: Vm) => string {
  const rank = new Map(ctx.env.world.listVms('aws').map((vm, i) => [vm.id, i]));
  return (vm) => String(rank.get(vm.id) ?? 0).padStart(10, '0');
}

/** The named instances in launch order, or InvalidInstanceID.Malformed / .NotFound naming every bad id. */
export function requireInstances(ctx: Ec2Context, ids: string[]): Vm[] {
  const malformed = ids.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
  if (malformed) throw Ec2Error.malformedId('InvalidInstanceID.Malformed', malformed, 'i');
  const visible = visibleInstances(ctx);
  const missing = ids.filter((id) => !visible.some((vm) => vm.id === id));
  if (missing.length > 0) throw Ec2Error.instancesNotFound([...new Set(missing)]);
  return visible.filter((vm) => ids.includes(vm.id));
}

export function ec2Data(world: World, vm: Vm): Ec2InstanceData {
  const stored = vm.extra.ec2 as Ec2InstanceData | undefined;
  if (stored) return stored;
  const image = [...world.awsImages].find(([, img]) => img.arch === vm.arch);
  return {
    reservationId: `r-${vm.id.slice(2)}`,
    imageId: image?.[0] ?? '',
    subnetId: defaultSubnetOfZone(world, vm.zone) ?? '',
    securityGroupIds: [defaultSecurityGroupId(world, vm.region)],
    launchIndex: 0,
  };
}

export function updateEc2Data(world: World, vm: Vm, patch: Partial<Ec2InstanceData>): void {
  world.setVmExtra(vm.id, { ec2: { ...ec2Data(world, vm), ...patch } });
}

/** Records why an instance is stopping or terminating, as DescribeInstances reports it afterwards. */
export function recordUserShutdown(world: World, vm: Vm, now: number): void {
  const at = new Date(now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' GMT');
  updateEc2Data(world, vm, {
    transitionReason: `User initiated (${at})`,
    stateReason: { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' },
  });
}

export function recordSpotInterruption(world: World, vm: Vm): void {
  updateEc2Data(world, vm, {
    transitionReason: 'Service initiated',
    stateReason: { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' },
  });
}

/** One `instancesSet` item, with the members the SDK's Instance shape reads. */
export function renderInstance(ctx: Ec2Context, vm: Vm): XmlObject {
  const world = ctx.env.world;
  const data = ec2Data(world, vm);
  const hasPublicIp = vm.state !== 'stopped' && vm.state !== 'terminated';
  const gone = vm.state === 'terminated';
  return {
    instanceId: vm.id,
    imageId: data.imageId,
    instanceState: instanceState(vm.state),
    privateDnsName: gone ? '' : vm.name,
    dnsName: hasPublicIp ? publicDnsName(vm) : '',
    reason: data.transitionReason ?? '',
    amiLaunchIndex: data.launchIndex,
    productCodes: [],
    instanceType: vm.type,
    launchTime: new Date(vm.launchedAt).toISOString(),
    placement: { availabilityZone: vm.zone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: gone ? undefined : data.subnetId,
    vpcId: gone ? undefined : defaultVpcId(world, vm.region),
    privateIpAddress: gone ? undefined : vm.privateIp,
    ipAddress: hasPublicIp ? vm.publicIp : undefined,
    sourceDestCheck: true,
    groupSet: data.securityGroupIds.map((groupId) => ({ groupId })),
    stateReason: data.stateReason && (vm.state === 'stopped' || vm.state === 'stopping' || vm.state === 'shutting-down' || gone) ? data.stateReason : undefined,
    architecture: ec2Arch(vm.arch),
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/sda1',
    virtualizationType: 'hvm',
    clientToken: data.clientToken ?? '',
    tagSet: Object.entries(vm.tags).map(([key, value]) => ({ key, value })),
    hypervisor: 'xen',
    instanceLifecycle: vm.spot ? 'spot' : undefined,
    spotInstanceRequestId: data.spotInstanceRequestId,
    platformDetails: 'Linux/UNIX',
    bootMode: vm.arch === 'arm64' ? 'uefi' : 'legacy-bios',
    iamInstanceProfile: data.iamInstanceProfileArn ? { arn: data.iamInstanceProfileArn, id: instanceProfileId(data.iamInstanceProfileArn) } : undefined,
    metadataOptions: { state: vm.state === 'pending' ? 'pending' : 'applied', ...(data.metadataOptions ?? DEFAULT_METADATA_OPTIONS) },
  };
}

/** EC2's defaults for MetadataOptions left out of RunInstances (an AMI or account default may set HttpTokens). */
export const DEFAULT_METADATA_OPTIONS: Ec2MetadataOptions = {
  httpTokens: 'optional',
  httpPutResponseHopLimit: 1,
  httpEndpoint: 'enabled',
  httpProtocolIpv6: 'disabled',
  instanceMetadataTags: 'disabled',
};

/** IAM's unique id of an instance profile: `AIPA` and 17 characters, stable per ARN here. */
function instanceProfileId(arn: string): string {
  return `AIPA${createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
}

/** `ec2-198-18-0-1.eu-west-3.compute.amazonaws.com`; us-east-1 names its domain `compute-1`. */
function publicDnsName(vm: Vm): string {
  const host = `ec2-${vm.publicIp.replaceAll('.', '-')}`;
  return vm.region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${vm.region}.compute.amazonaws.com`;
}
