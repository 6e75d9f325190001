import type { ChaosFault } from '../fault.js';
import { configuredProvider } from '../targets.js';

/** The network between the control plane and a provider's nodes is cut: the VMs run, their kubelets cannot report. */
export const partition: ChaosFault = {
  name: 'partition',
  lasting: true,
  inject(world, request) {
    const provider = configuredProvider(world, request.provider);
    world.sim.world.setProviderPartition(provider, true);
    return {
      subject: provider,
      description: `${provider} is partitioned from the control plane: its VMs run but their Nodes go NotReady after the node-monitor grace period`,
      undo: () => world.sim.world.setProviderPartition(provider, false),
    };
  },
};
