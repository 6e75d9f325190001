import { findType, regionOfZone } from '../../../world/catalog.js';
import { isInsufficientCapacityError } from '../../../world/errors.js';
import type { Vm } from '../../../world/types.js';
import type { World } from '../../../world/world.js';
import { visibleFrom } from '../consistency.js';
import { Ec2Error } from '../errors.js';
import { DEFAULT_METADATA_OPTIONS, ec2Arch, renderInstance, updateEc2Data, visibleInstances } from '../instances.js';
import { defaultSecurityGroupId, defaultSubnetOfZone, defaultVpcId, securityGroupExists, typeOffered, zonesOf } from '../network.js';
import type { QueryParams } from '../query.js';
import { parseTags } from '../tags.js';
import type { Ec2Action, Ec2Context, Ec2MetadataOptions } from '../types.js';
import type { XmlObject } from '../xml.js';

/** EC2's default when InstanceType is left out; not in the simulated catalog, so it is refused. */
const DEFAULT_INSTANCE_TYPE = 'm1.small';
const MAX_USER_DATA_BYTES = 16_384;

interface LaunchPlan {
  imageId: string;
  type: string;
  minCount: number;
  maxCount: number;
  /** Zones to try in order: the one asked for (subnet or placement), else every zone, least used first. */
  zones: string[];
  zoneRequested: boolean;
  subnetId?: string;
  securityGroupIds: string[];
  userData?: string;
  tags: Record<string, string>;
  spot: boolean;
  iamInstanceProfileArn?: string;
  metadataOptions: Ec2MetadataOptions;
}

/**
 * RunInstances: validates like EC2, launches MinCount..MaxCount VMs in one zone, and makes the
 * call idempotent on ClientToken (the SDK always sends one): the same token with the same
 * parameters returns the first reservation and launches nothing; with other parameters it is
 * IdempotentParameterMismatch.
 */
export const runInstances: Ec2Action = (ctx, params) => {
  const token = params.str('ClientToken');
  const fingerprint = params.fingerprint(['Action', 'Version', 'ClientToken']);
  const tokenKey = token ? `${ctx.region}/${token}` : undefined;
  if (token !== undefined && token.length > 64)
    throw Ec2Error.invalidValue('Value for parameter ClientToken is invalid. Client tokens must be 64 characters or less.');
  const prior = tokenKey ? ctx.state.clientTokens.get(tokenKey) : undefined;
  if (prior) {
    if (prior.fingerprint !== fingerprint) {
      throw new Ec2Error('IdempotentParameterMismatch', 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).');
    }
    const byId = new Map(ctx.env.world.listVms('aws').map((vm) => [vm.id, vm]));
    return reservation(
      ctx,
      prior.reservationId,
      prior.instanceIds.map((id) => byId.get(id)).filter((vm): vm is Vm => vm !== undefined),
    );
  }
  const plan = planLaunch(ctx, params);
  const reservationId = `r-0${ctx.state.ids.hex(16)}`;
  const launched = launch(ctx, plan).map((vm, launchIndex) => {
    updateEc2Data(ctx.env.world, vm, {
      reservationId,
      imageId: plan.imageId,
      subnetId: plan.subnetId ?? defaultSubnetOfZone(ctx.env.world, vm.zone) ?? '',
      securityGroupIds: plan.securityGroupIds,
      launchIndex,
      clientToken: token,
      spotInstanceRequestId: plan.spot ? `sir-${ctx.state.ids.hex(8)}` : undefined,
      iamInstanceProfileArn: plan.iamInstanceProfileArn,
      metadataOptions: plan.metadataOptions,
      visibleAt: visibleFrom(ctx.env.world, vm.launchedAt),
    });
    return ctx.env.world.getVm(vm.id) as Vm;
  });
  if (tokenKey) ctx.state.clientTokens.set(tokenKey, { fingerprint, reservationId, instanceIds: launched.map((vm) => vm.id) });
  return reservation(ctx, reservationId, launched);
};

function reservation(ctx: Ec2Context, reservationId: string, vms: Vm[]): XmlObject {
  return {
    reservationId,
    ownerId: ctx.env.credentials.aws.accountId,
    groupSet: [],
    instancesSet: vms.map((vm) => renderInstance(ctx, vm)),
  };
}

function planLaunch(ctx: Ec2Context, params: QueryParams): LaunchPlan {
  const world = ctx.env.world;
  const imageId = params.str('ImageId');
  if (!imageId) throw Ec2Error.missing('ImageId');
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw Ec2Error.malformedId('InvalidAMIID.Malformed', imageId, 'ami');
  const image = world.awsImages.get(imageId);
  if (!image) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);

  const typeName = params.str('InstanceType') ?? DEFAULT_INSTANCE_TYPE;
  const type = findType(world.catalog, 'aws', typeName);
  if (!type) throw Ec2Error.invalidValue(`Invalid value '${typeName}' for InstanceType.`);
  if (type.arch !== image.arch) {
    throw Ec2Error.invalidValue(
      `The architecture '${ec2Arch(type.arch)}' of the specified instance type does not match the architecture '${ec2Arch(image.arch)}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
  }

  const minCount = params.int('MinCount');
  const maxCount = params.int('MaxCount');
  if (minCount === undefined) throw Ec2Error.missing('MinCount');
  if (maxCount === undefined) throw Ec2Error.missing('MaxCount');
  if (minCount < 1) throw Ec2Error.invalidValue(`Value (${minCount}) for parameter minCount is invalid. Expecting a value greater than 0.`);
  if (maxCount < minCount)
    throw Ec2Error.invalidValue(`Value (${maxCount}) for parameter maxCount is invalid. Expecting a value greater than or equal to minCount (${minCount}).`);

  const { zones, zoneRequested, subnetId } = placement(ctx, params, type.name);
  const securityGroupIds = params.list('SecurityGroupId');
  for (const id of securityGroupIds) if (!/^sg-[0-9a-f]{8,17}$/.test(id)) throw Ec2Error.malformedId('InvalidGroupId.Malformed', id, 'sg');
  const missingGroup = securityGroupIds.find((id) => !securityGroupExists(world, ctx.region, id));
  if (missingGroup) {
    const vpc = `${subnetId ? 'VPC' : 'default VPC'} '${defaultVpcId(world, ctx.region)}'`;
    throw new Ec2Error('InvalidGroup.NotFound', `The security group '${missingGroup}' does not exist in ${vpc}`);
  }
  const iamInstanceProfileArn = instanceProfile(world, params);

  const userData = params.str('UserData');
  if (userData !== undefined) checkUserData(userData);

  const tags: Record<string, string> = {};
  for (const spec of params.items('TagSpecification')) {
    if (spec.str('ResourceType') === 'instance') Object.assign(tags, parseTags(spec.items('Tag')));
  }

  return {
    imageId,
    type: type.name,
    minCount,
    maxCount,
    zones,
    zoneRequested,
    subnetId,
    securityGroupIds: securityGroupIds.length > 0 ? securityGroupIds : [defaultSecurityGroupId(world, ctx.region)],
    userData,
    tags,
    spot: params.str('InstanceMarketOptions.MarketType') === 'spot',
    iamInstanceProfileArn,
    metadataOptions: metadataOptions(params),
  };
}

/**
 * IamInstanceProfile by Arn or Name; a profile IAM does not have is InvalidParameterValue, in EC2's words. (A profile
 * created moments ago can answer the same while IAM propagates it; the simulator's profiles exist at once.)
 */
function instanceProfile(world: World, params: QueryParams): string | undefined {
  const arn = params.str('IamInstanceProfile.Arn');
  const name = params.str('IamInstanceProfile.Name');
  if (arn !== undefined && name !== undefined) {
    throw new Ec2Error('InvalidParameterCombination', "The parameter 'iamInstanceProfile.name' may not be used in combination with 'iamInstanceProfile.arn'");
  }
  if (arn !== undefined) {
    if (!world.awsInstanceProfiles.has(arn))
      throw Ec2Error.invalidValue(`Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
    return arn;
  }
  if (name === undefined) return undefined;
  const byName = [...world.awsInstanceProfiles].find((a) => a.endsWith(`:instance-profile/${name}`) || a.endsWith(`/${name}`));
  if (!byName) throw Ec2Error.invalidValue(`Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  return byName;
}

/** MetadataOptions with EC2's defaults for what is left out; values EC2 does not accept are InvalidParameterValue. */
function metadataOptions(params: QueryParams): Ec2MetadataOptions {
  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = params.str(`MetadataOptions.${key}`);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) throw Ec2Error.invalidValue(`Invalid value '${raw}' for ${key}. Valid values: ${allowed.join(', ')}`);
    return raw as T;
  };
  const hopLimit = params.int('MetadataOptions.HttpPutResponseHopLimit') ?? DEFAULT_METADATA_OPTIONS.httpPutResponseHopLimit;
  if (hopLimit < 1 || hopLimit > 64) throw Ec2Error.invalidValue(`Invalid value '${hopLimit}' for HttpPutResponseHopLimit. Valid values: 1 to 64`);
  const onOff = ['enabled', 'disabled'] as const;
  return {
    httpTokens: choice('HttpTokens', ['optional', 'required'] as const, DEFAULT_METADATA_OPTIONS.httpTokens),
    httpPutResponseHopLimit: hopLimit,
    httpEndpoint: choice('HttpEndpoint', onOff, DEFAULT_METADATA_OPTIONS.httpEndpoint),
    httpProtocolIpv6: choice('HttpProtocolIpv6', onOff, DEFAULT_METADATA_OPTIONS.httpProtocolIpv6),
    instanceMetadataTags: choice('InstanceMetadataTags', onOff, DEFAULT_METADATA_OPTIONS.instanceMetadataTags),
  };
}

/**
 * SubnetId decides the zone; else Placement.AvailabilityZone; else EC2 picks among the zones that offer the type,
 * spreading load. A requested zone that does not offer the type is `Unsupported`, in EC2's words.
 */
function placement(ctx: Ec2Context, params: QueryParams, type: string): Pick<LaunchPlan, 'zones' | 'zoneRequested' | 'subnetId'> {
  const world = ctx.env.world;
  const regionZones = zonesOf(world, ctx.region);
  const offering = regionZones.filter((z) => typeOffered(world, type, z));
  const requested = (zone: string) => {
    if (offering.includes(zone)) return zone;
    if (offering.length === 0) throw unsupportedConfiguration();
    throw new Ec2Error(
      'Unsupported',
      `Your requested instance type (${type}) is not supported in your requested Availability Zone (${zone}). Please retry your request by not specifying an Availability Zone or choosing ${offering.join(', ')}.`,
    );
  };
  const subnetId = params.str('SubnetId');
  if (subnetId !== undefined) {
    if (!/^subnet-[0-9a-f]{8,17}$/.test(subnetId)) throw Ec2Error.malformedId('InvalidSubnetID.Malformed', subnetId, 'subnet');
    const subnet = world.awsSubnets.get(subnetId);
    if (!subnet || regionOfZone(world.catalog, 'aws', subnet.zone) !== ctx.region) {
      throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
    }
    return { zones: [requested(subnet.zone)], zoneRequested: true, subnetId };
  }
  const zone = params.str('Placement.AvailabilityZone');
  if (zone !== undefined) {
    if (!regionZones.includes(zone)) throw Ec2Error.invalidValue(`Invalid availability zone: [${zone}]`);
    return { zones: [requested(zone)], zoneRequested: true };
  }
  if (offering.length === 0) throw unsupportedConfiguration();
  const live = visibleInstances(ctx).filter((vm) => vm.state !== 'terminated' && vm.state !== 'shutting-down');
  const load = (z: string) => live.filter((vm) => vm.zone === z).length;
  return { zones: [...offering].sort((a, b) => load(a) - load(b)), zoneRequested: false };
}

/** What EC2 answers when no zone of the region offers the type. */
function unsupportedConfiguration(): Ec2Error {
  return new Ec2Error('Unsupported', 'The requested configuration is currently not supported. Please check the documentation for supported configurations.');
}

function checkUserData(userData: string): void {
  const compact = userData.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw Ec2Error.invalidValue('Invalid BASE64 encoding of user data.');
  if (Buffer.from(compact, 'base64').length > MAX_USER_DATA_BYTES) throw Ec2Error.invalidValue(`User data is limited to ${MAX_USER_DATA_BYTES} bytes.`);
}

/**
 * Launches MaxCount VMs, or as many as capacity allows if that is at least MinCount, all in one
 * zone. Without a requested zone a zone out of capacity is skipped for the next. Below
 * MinCount the call fails; VMs already started are terminated (the world has no capacity
 * query to check beforehand, so they stay visible as terminated for the usual hour).
 */
function launch(ctx: Ec2Context, plan: LaunchPlan): Vm[] {
  const world = ctx.env.world;
  const launched: Vm[] = [];
  let zoneIndex = 0;
  while (launched.length < plan.maxCount) {
    try {
      launched.push(
        world.launchVm({
          provider: 'aws',
          zone: plan.zones[zoneIndex],
          type: plan.type,
          userData: plan.userData,
          tags: plan.tags,
          spot: plan.spot,
        }),
      );
    } catch (err) {
      if (!isInsufficientCapacityError(err)) throw err;
      if (launched.length === 0 && zoneIndex < plan.zones.length - 1) {
        zoneIndex++;
        continue;
      }
      break;
    }
  }
  if (launched.length < plan.minCount) {
    for (const vm of launched) world.terminateVm(vm.id);
    throw capacityError(ctx, plan, plan.zones[zoneIndex]);
  }
  return launched;
}

function capacityError(ctx: Ec2Context, plan: LaunchPlan, zone: string): Ec2Error {
  if (plan.spot) return new Ec2Error('InsufficientInstanceCapacity', 'There is no Spot capacity available that matches your request.', 500);
  if (!plan.zoneRequested) {
    return new Ec2Error(
      'InsufficientInstanceCapacity',
      `We currently do not have sufficient ${plan.type} capacity in the Region you requested. Our system will be working on provisioning additional capacity.`,
      500,
    );
  }
  const others = zonesOf(ctx.env.world, ctx.region).filter((z) => z !== zone);
  const alternatives =
    others.length > 0
      ? ` You can currently get ${plan.type} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.`
      : '';
  return new Ec2Error(
    'InsufficientInstanceCapacity',
    `We currently do not have sufficient ${plan.type} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity.${alternatives}`,
    500,
  );
}
