import type { ChaosFault } from '../fault.js';
import { liveVm, vmSubject } from '../targets.js';

/**
 * Someone deletes the VM out of band (console, another tool): it shuts down and is gone. On AWS, EC2 publishes its
 * Instance State-change Notifications (shutting-down, then terminated) to the default bus, as it does for every
 * state change (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instance-state-changes.html); GCE,
 * Scaleway and a home lab publish no event: only their API and the Node show it.
 */
export const deleteVm: ChaosFault = {
  name: 'delete-vm',
  lasting: false,
  inject(world, request) {
    const vm = liveVm(world, request.target);
    world.sim.world.terminateVm(vm.id);
    const signal =
      vm.provider === 'aws'
        ? 'EC2 publishes Instance State-change Notifications (shutting-down, terminated) to the default bus'
        : `${vm.provider} publishes no event`;
    return { subject: vmSubject(vm), description: `deleted ${vm.provider} VM ${vmSubject(vm)} out of band; ${signal}` };
  },
};
