import { Ec2Error } from '../errors.js';
import { filterItems, parseFilters } from '../filters.js';
import { defaultVpcId, type Ec2Subnet, subnetsOf, zoneId } from '../network.js';
import { paginate } from '../paginate.js';
import type { Ec2Action, Ec2Context } from '../types.js';
import type { XmlObject } from '../xml.js';

/** DescribeSubnets over the region's default subnets (one per zone): SubnetIds, Filters, paging. */
export const describeSubnets: Ec2Action = (ctx, params) => {
  const all = subnetsOf(ctx.env.world, ctx.region);
  const ids = params.list('SubnetId');
  const missing = ids.filter((id) => !all.some((s) => s.subnetId === id));
  if (missing.length > 0) {
    const message = missing.length === 1 ? `The subnet ID '${missing[0]}' does not exist` : `The subnet IDs '${missing.join(', ')}' do not exist`;
    throw new Ec2Error('InvalidSubnetID.NotFound', message);
  }
  const chosen = ids.length > 0 ? all.filter((s) => ids.includes(s.subnetId)) : all;
  const vpcId = defaultVpcId(ctx.env.world, ctx.region);
  const fields: Record<string, (s: Ec2Subnet) => string[]> = {
    'subnet-id': (s) => [s.subnetId],
    'availability-zone': (s) => [s.zone],
    'availability-zone-id': (s) => [zoneId(s.zone)],
    'vpc-id': () => [vpcId],
    'cidr-block': (s) => [s.cidr],
    'default-for-az': () => ['true'],
    state: () => ['available'],
  };
  const matching = filterItems(chosen, parseFilters(params), (name) => fields[name]);
  const page = paginate(matching, (s) => s.subnetId, params);
  return { subnetSet: page.items.map((s) => renderSubnet(ctx, s, vpcId)), nextToken: page.nextToken };
};

function renderSubnet(ctx: Ec2Context, s: Ec2Subnet, vpcId: string): XmlObject {
  const prefix = Number(s.cidr.split('/')[1] ?? 32);
  const { accountId } = ctx.env.credentials.aws;
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${ctx.region}:${accountId}:subnet/${s.subnetId}`,
    state: 'available',
    vpcId,
    cidrBlock: s.cidr,
    // AWS reserves five addresses in every subnet.
    availableIpAddressCount: 2 ** (32 - prefix) - 5,
    availabilityZone: s.zone,
    availabilityZoneId: zoneId(s.zone),
    defaultForAz: true,
    mapPublicIpOnLaunch: true,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    ownerId: accountId,
    tagSet: [],
  };
}
