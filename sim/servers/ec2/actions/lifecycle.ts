import type { Vm, VmState } from '../../../world/types.js';
import { Ec2Error } from '../errors.js';
import { instanceState, recordUserShutdown, requireInstances, updateEc2Data } from '../instances.js';
import type { QueryParams } from '../query.js';
import type { Ec2Action, Ec2Context } from '../types.js';
import type { XmlObject } from '../xml.js';

/**
 * TerminateInstances / StopInstances / StartInstances: every id is checked before any instance
 * changes, then each answers `{instanceId, currentState, previousState}`. Transitions finish on
 * the world's clock (shutting-down -> terminated, stopping -> stopped, pending -> running).
 */
export const terminateInstances: Ec2Action = (ctx, params) => {
  const vms = requireIds(ctx, params);
  return changeStates(vms, (vm) => {
    if (vm.state !== 'terminated' && vm.state !== 'shutting-down') recordUserShutdown(ctx.env.world, vm, ctx.env.clock.now());
    return ctx.env.world.terminateVm(vm.id).state;
  });
};

export const stopInstances: Ec2Action = (ctx, params) => {
  const vms = requireIds(ctx, params);
  for (const vm of vms) {
    if (vm.spot) {
      throw new Ec2Error(
        'UnsupportedOperation',
        `You can't stop the Spot Instance '${vm.id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`,
      );
    }
    if (vm.state === 'pending' || vm.state === 'shutting-down' || vm.state === 'terminated') {
      throw Ec2Error.incorrectState(`This instance '${vm.id}' is not in a state from which it can be stopped.`);
    }
  }
  return changeStates(vms, (vm) => {
    if (vm.state === 'running') recordUserShutdown(ctx.env.world, vm, ctx.env.clock.now());
    return ctx.env.world.stopVm(vm.id).state;
  });
};

export const startInstances: Ec2Action = (ctx, params) => {
  const vms = requireIds(ctx, params);
  for (const vm of vms) {
    if (vm.state === 'stopping' || vm.state === 'shutting-down' || vm.state === 'terminated') {
      throw Ec2Error.incorrectState(`The instance '${vm.id}' is not in a state from which it can be started.`);
    }
  }
  return changeStates(vms, (vm) => {
    if (vm.state === 'stopped') updateEc2Data(ctx.env.world, vm, { transitionReason: '', stateReason: undefined });
    return ctx.env.world.startVm(vm.id).state;
  });
};

function requireIds(ctx: Ec2Context, params: QueryParams): Vm[] {
  const ids = params.list('InstanceId');
  if (ids.length === 0) throw Ec2Error.missing('InstanceId');
  return requireInstances(ctx, ids);
}

function changeStates(vms: Vm[], change: (vm: Vm) => VmState): XmlObject {
  return {
    instancesSet: vms.map((vm) => ({
      instanceId: vm.id,
      currentState: instanceState(change(vm)),
      previousState: instanceState(vm.state),
    })),
  };
}
