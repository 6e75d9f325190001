import { ChaosRequestError } from '../errors.js';
import type { ChaosFault } from '../fault.js';
import { liveVm, vmSubject } from '../targets.js';

/** The provider reclaims a spot VM: its interruption notice now (EC2: the EventBridge warning), the VM gone after it. */
export const spotReclaim: ChaosFault = {
  name: 'spot-reclaim',
  lasting: false,
  inject(world, request) {
    const vm = liveVm(world, request.target);
    const { world: simWorld, clock } = world.sim;
    let actionAt: number | undefined;
    const off = simWorld.on('spot-interruption', (e) => {
      if (e.vm.id === vm.id) actionAt = e.actionAt;
    });
    const reclaimed = simWorld.reclaimSpot(vm.id);
    off();
    if (!reclaimed) {
      const spot = simWorld.listVms().filter((v) => v.spot && v.nodeName && v.state === 'running');
      const which = spot.length ? `spot nodes: ${spot.map((v) => `${v.nodeName} (${v.id})`).join(', ')}` : 'no node runs on a spot VM';
      throw new ChaosRequestError('NotSpot', `${vmSubject(vm)} is not a spot VM and providers reclaim only spot VMs; ${which}`);
    }
    const at = clock.iso(actionAt ?? clock.now());
    const notice = vm.provider === 'aws' ? 'EC2 published its Spot Instance Interruption Warning' : `${vm.provider} gave its preemption notice`;
    return { subject: vmSubject(vm), description: `${notice} for ${vmSubject(vm)}; the VM is reclaimed at ${at}` };
  },
};
