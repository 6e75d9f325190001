import type { Vm } from '../../../world/types.js';
import { Ec2Error } from '../errors.js';
import { type FilterFields, filterItems, parseFilters, tagFilter } from '../filters.js';
import { ec2Arch, ec2Data, instanceSortKey, renderInstance, requireInstances, stateCode, visibleInstances } from '../instances.js';
import { defaultVpcId } from '../network.js';
import { paginate } from '../paginate.js';
import type { Ec2Action, Ec2Context } from '../types.js';
import type { XmlObject } from '../xml.js';

/**
 * DescribeInstances: InstanceIds (every one must exist), Filters, MaxResults/NextToken paging
 * over instances; each page groups its instances by reservation, as EC2 does.
 */
export const describeInstances: Ec2Action = (ctx, params) => {
  const ids = params.list('InstanceId');
  if (ids.length > 0 && params.str('MaxResults') !== undefined) {
    throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const candidates = ids.length > 0 ? requireInstances(ctx, ids) : visibleInstances(ctx);
  const matching = filterItems(candidates, parseFilters(params), instanceFilters(ctx));
  const page = paginate(matching, instanceSortKey(ctx), params);
  return { reservationSet: groupByReservation(ctx, page.items), nextToken: page.nextToken };
};

function groupByReservation(ctx: Ec2Context, vms: Vm[]): XmlObject[] {
  const groups = new Map<string, Vm[]>();
  for (const vm of vms) {
    const id = ec2Data(ctx.env.world, vm).reservationId;
    groups.set(id, [...(groups.get(id) ?? []), vm]);
  }
  return [...groups].map(([reservationId, members]) => ({
    reservationId,
    ownerId: ctx.env.credentials.aws.accountId,
    groupSet: [],
    instancesSet: members.map((vm) => renderInstance(ctx, vm)),
  }));
}

/** The DescribeInstances filters the simulator knows (EC2's names); others are InvalidParameterValue. */
export function instanceFilters(ctx: Ec2Context): FilterFields<Vm> {
  const world = ctx.env.world;
  const fields: Record<string, (vm: Vm) => Array<string | undefined>> = {
    'instance-id': (vm) => [vm.id],
    'instance-state-name': (vm) => [vm.state],
    'instance-state-code': (vm) => [String(stateCode(vm.state))],
    'instance-type': (vm) => [vm.type],
    'instance-lifecycle': (vm) => [vm.spot ? 'spot' : undefined],
    'availability-zone': (vm) => [vm.zone],
    architecture: (vm) => [ec2Arch(vm.arch)],
    'image-id': (vm) => [ec2Data(world, vm).imageId],
    'reservation-id': (vm) => [ec2Data(world, vm).reservationId],
    'client-token': (vm) => [ec2Data(world, vm).clientToken],
    'subnet-id': (vm) => [ec2Data(world, vm).subnetId],
    'vpc-id': (vm) => [defaultVpcId(world, vm.region)],
    'private-ip-address': (vm) => [vm.privateIp],
    'private-dns-name': (vm) => [vm.name],
    'ip-address': (vm) => [vm.publicIp],
  };
  return (name) => fields[name] ?? tagFilter(name, (vm: Vm) => vm.tags);
}
