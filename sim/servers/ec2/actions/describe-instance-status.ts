import type { Vm } from '../../../world/types.js';
import { ec2Controls } from '../controls.js';
import { filterItems, parseFilters } from '../filters.js';
import { instanceSortKey, instanceState, requireInstances, stateCode, visibleInstances } from '../instances.js';
import { paginate } from '../paginate.js';
import type { Ec2Action } from '../types.js';
import type { XmlObject } from '../xml.js';

/** Status checks report `initializing` for the first minutes after an instance starts running. */
const STATUS_CHECK_WARMUP_MS = 2 * 60 * 1000;

/**
 * DescribeInstanceStatus: running instances only unless IncludeAllInstances. Status checks come
 * from the instance state alone: the simulator does not model impaired hardware.
 */
export const describeInstanceStatus: Ec2Action = (ctx, params) => {
  const ids = params.list('InstanceId');
  const includeAll = params.bool('IncludeAllInstances') ?? false;
  const candidates = (ids.length > 0 ? requireInstances(ctx, ids) : visibleInstances(ctx)).filter((vm) => includeAll || vm.state === 'running');
  const now = ctx.env.clock.now();
  const status = (vm: Vm) => checkStatus(vm, now);
  const fields: Record<string, (vm: Vm) => string[]> = {
    'instance-id': (vm) => [vm.id],
    'availability-zone': (vm) => [vm.zone],
    'instance-state-name': (vm) => [vm.state],
    'instance-state-code': (vm) => [String(stateCode(vm.state))],
    'instance-status.status': (vm) => [status(vm)],
    'system-status.status': (vm) => [status(vm)],
  };
  const matching = filterItems(candidates, parseFilters(params), (name) => fields[name]);
  const page = paginate(matching, instanceSortKey(ctx), params);
  const events = ec2Controls(ctx.env.world).scheduledEvents;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    instanceStatusSet: page.items.map((vm) => ({
      instanceId: vm.id,
      availabilityZone: vm.zone,
      instanceState: instanceState(vm.state),
      systemStatus: summary(status(vm)),
      instanceStatus: summary(status(vm)),
      ...(events.get(vm.id)?.length
        ? {
            eventsSet: (events.get(vm.id) ?? []).map((e) => ({
              instanceEventId: e.instanceEventId,
              code: e.code,
              description: e.description,
              notBefore: iso(e.notBefore),
              ...(e.notAfter !== undefined ? { notAfter: iso(e.notAfter) } : {}),
            })),
          }
        : {}),
    })),
    nextToken: page.nextToken,
  };
};

function checkStatus(vm: Vm, now: number): 'ok' | 'initializing' | 'not-applicable' {
  if (vm.state !== 'running') return 'not-applicable';
  return now - vm.stateChangedAt < STATUS_CHECK_WARMUP_MS ? 'initializing' : 'ok';
}

function summary(status: 'ok' | 'initializing' | 'not-applicable'): XmlObject {
  if (status === 'not-applicable') return { status };
  return { status, details: [{ name: 'reachability', status: status === 'ok' ? 'passed' : 'initializing' }] };
}
