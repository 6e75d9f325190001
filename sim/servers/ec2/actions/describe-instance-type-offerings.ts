import { Ec2Error } from '../errors.js';
import { filterItems, parseFilters } from '../filters.js';
import { typeOffered, zoneId, zonesOf } from '../network.js';
import { paginate } from '../paginate.js';
import type { Ec2Action } from '../types.js';

type LocationType = 'region' | 'availability-zone' | 'availability-zone-id';
const LOCATION_TYPES: readonly LocationType[] = ['region', 'availability-zone', 'availability-zone-id'];

interface Offering {
  instanceType: string;
  locationType: LocationType;
  location: string;
}

/**
 * DescribeInstanceTypeOfferings: which instance types the signed region offers (LocationType `region`, the default),
 * or each of its zones offers (`availability-zone`, `availability-zone-id`); Filters `location` and `instance-type`,
 * MaxResults/NextToken paging. Shape as in the EC2 API reference (instanceTypeOfferingSet of instanceType,
 * locationType, location).
 */
export const describeInstanceTypeOfferings: Ec2Action = (ctx, params) => {
  const world = ctx.env.world;
  const locationType = (params.str('LocationType') ?? 'region') as LocationType;
  if (!LOCATION_TYPES.includes(locationType)) throw Ec2Error.invalidValue(`The value '${locationType}' for parameter LocationType is invalid.`);
  const types = world.catalog.types.filter((t) => t.provider === 'aws').map((t) => t.name);
  const zones = zonesOf(world, ctx.region);
  const all: Offering[] =
    locationType === 'region'
      ? types.filter((type) => zones.some((z) => typeOffered(world, type, z))).map((instanceType) => ({ instanceType, locationType, location: ctx.region }))
      : zones.flatMap((zone) =>
          types
            .filter((type) => typeOffered(world, type, zone))
            .map((instanceType) => ({ instanceType, locationType, location: locationType === 'availability-zone' ? zone : zoneId(zone) })),
        );
  const fields: Record<string, (o: Offering) => string[]> = {
    location: (o) => [o.location],
    'instance-type': (o) => [o.instanceType],
  };
  const key = (o: Offering) => `${o.location}\u0000${o.instanceType}`;
  const matching = filterItems(all, parseFilters(params), (name) => fields[name]).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const page = paginate(matching, key, params);
  return { instanceTypeOfferingSet: page.items.map((o) => ({ ...o })), nextToken: page.nextToken };
};
