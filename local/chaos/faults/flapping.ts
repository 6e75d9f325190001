import { ChaosRequestError } from '../errors.js';
import type { ChaosFault } from '../fault.js';
import { liveVm, vmSubject } from '../targets.js';

/** How often a flapping node's health endpoint changes when the request names no period: the scenario. */
export const DEFAULT_FLAP_PERIOD_MS = 20_000;

/**
 * A node's health endpoint flaps: unhealthy (HTTP 503) at once, healthy after the period, and so on, while its ports
 * keep accepting. No cloud sees anything: only an HTTP(S) check from outside does.
 */
export const flapping: ChaosFault = {
  name: 'flapping',
  lasting: true,
  inject(world, request) {
    // The flap is on the health endpoint's HTTP status (its ports keep accepting): only an HTTP(S) check sees it.
    const seen = world.config.dns?.entrypoints.some((e) => e.check && e.check.protocol !== 'tcp') ?? false;
    if (!seen)
      throw new ChaosRequestError(
        'NoActiveCheck',
        'no DNS entrypoint has an HTTP(S) check, so nothing would see the health endpoint flap: add dns.entrypoints[].check ' +
          '(for example {"protocol": "https", "path": "/healthz"}; README, DNS failover) and restart `shepherd local`',
      );
    const vm = liveVm(world, request.target);
    if (!vm.nodeName) throw new ChaosRequestError('NotANode', `${vm.id} runs no node: only a node's health endpoint can flap`);
    const periodMs = request.periodMs ?? DEFAULT_FLAP_PERIOD_MS;
    if (!(Number.isFinite(periodMs) && periodMs > 0)) throw new ChaosRequestError('BadPeriod', 'the flapping period must be a positive number of milliseconds');
    const { network } = world.sim.world;
    const nodeName = vm.nodeName;
    network.setFlapping(nodeName, periodMs);
    return {
      subject: vmSubject(vm),
      description: `${vmSubject(vm)}'s health endpoint flaps: unhealthy now, then healthy and unhealthy every ${periodMs / 1000} s; its ports still accept`,
      undo: () => network.setFlapping(nodeName, undefined),
    };
  },
};
