import type { ChaosFault } from '../fault.js';
import { configuredProvider, providerRegion } from '../targets.js';

/** A provider, or one region of it, loses power: its VMs stay "running" in its API but nothing on them answers. */
export const providerDark: ChaosFault = {
  name: 'provider-dark',
  lasting: true,
  inject(world, request) {
    const provider = configuredProvider(world, request.provider);
    const region = request.region === undefined ? undefined : providerRegion(world, provider, request.region);
    const subject = region ? `${provider}/${region}` : provider;
    world.sim.world.setProviderDark(provider, true, region);
    return {
      subject,
      description: `${subject} went dark: its VMs are unreachable and their Nodes go NotReady after the node-monitor grace period`,
      undo: () => world.sim.world.setProviderDark(provider, false, region),
    };
  },
};
