import type { ChaosFault } from '../fault.js';

/** The cluster's API server goes down: connections to it are refused; nodes and VMs carry on. */
export const apiDown: ChaosFault = {
  name: 'api-down',
  lasting: true,
  async inject(world) {
    await world.sim.setClusterApiDown(true);
    return {
      subject: 'cluster API',
      description: 'the cluster API server is down: connections to it are refused',
      undo: () => world.sim.setClusterApiDown(false),
    };
  },
};
