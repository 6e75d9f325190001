import { offeredIn, regionOfZone } from '../../world/catalog.js';
import type { World } from '../../world/world.js';

/** The default VPC, subnets and security group of each simulated AWS region. */

export interface Ec2Subnet {
  subnetId: string;
  zone: string;
  cidr: string;
}

export function awsRegions(world: World): string[] {
  return world.catalog.regions.aws.map((r) => r.name);
}

export function zonesOf(world: World, region: string): string[] {
  return world.catalog.regions.aws.find((r) => r.name === region)?.zones ?? [];
}

/** `vpc-` / `sg-` + 17 hex digits of the region's index, like the world's subnet ids. */
export function defaultVpcId(world: World, region: string): string {
  return `vpc-${regionNumber(world, region)}`;
}

export function defaultSecurityGroupId(world: World, region: string): string {
  return `sg-${regionNumber(world, region)}`;
}

/** Whether the region has this security group: its default one, or one the world was given. */
export function securityGroupExists(world: World, region: string, groupId: string): boolean {
  return groupId === defaultSecurityGroupId(world, region) || world.awsSecurityGroups.get(groupId)?.region === region;
}

export function subnetsOf(world: World, region: string): Ec2Subnet[] {
  return [...world.awsSubnets]
    .filter(([, s]) => regionOfZone(world.catalog, 'aws', s.zone) === region)
    .map(([subnetId, s]) => ({ subnetId, zone: s.zone, cidr: s.cidr }));
}

export function defaultSubnetOfZone(world: World, zone: string): string | undefined {
  for (const [id, s] of world.awsSubnets) if (s.zone === zone) return id;
  return undefined;
}

/** The zone id (`euw3-az1` for eu-west-3a): region initials and digit, then the zone letter's rank. */
export function zoneId(zone: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(zone);
  if (!m) return zone;
  return `${m[1]}${m[2][0]}${m[3]}-az${m[4].charCodeAt(0) - 96}`;
}

function regionNumber(world: World, region: string): string {
  return (awsRegions(world).indexOf(region) + 1).toString(16).padStart(17, '0');
}

/** Whether the zone offers the instance type: every type everywhere in a world without 'ec2-instance-types-per-zone'. */
export function typeOffered(world: World, type: string, zone: string): boolean {
  return !world.unkindness.has('ec2-instance-types-per-zone') || offeredIn(world.catalog, 'aws', type, zone);
}
