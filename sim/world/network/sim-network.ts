import type { World } from '../world.js';
import { nodeListeners } from './host-ports.js';
import type { NetworkRoute } from './network-types.js';

interface Flap {
  periodMs: number;
  since: number;
}

/**
 * The public network around the VMs, as a probe from AWS meets it: which address answers, on which port, and whether
 * a node's health endpoint says healthy. The gateway server (servers/network) carries real connections over it.
 */
export class SimNetwork {
  private readonly flapping = new Map<string, Flap>();

  constructor(private readonly world: World) {}

  /** Where a connection to `address:port` goes now (see NetworkRoute). */
  route(address: string, port: number): NetworkRoute {
    const vm = this.world.listVms().find((v) => v.publicIp === address && v.state !== 'terminated');
    if (!vm) return { kind: 'black-hole', why: `no host at ${address}` };
    if (!this.world.faults.vmReachable(vm)) return { kind: 'black-hole', vm, why: `${vm.id} is ${vm.state === 'running' ? 'powered off' : vm.state}` };
    if (vm.nodeName && !this.world.nodeReachable(vm.nodeName)) return { kind: 'black-hole', vm, why: `${vm.nodeName} is partitioned` };
    const listener = vm.nodeName ? nodeListeners(this.world.kube.listShared('pods'), vm.nodeName).get(port) : undefined;
    if (!vm.nodeName || !listener) return { kind: 'refused', vm, why: `nothing listens on ${address}:${port}` };
    return { kind: 'accepted', vm, nodeName: vm.nodeName, listener };
  }

  /**
   * The health endpoint of a node flaps (periodMs > 0): unhealthy at once, healthy after periodMs, and so on; its
   * ports still accept. `undefined` stops it.
   */
  setFlapping(nodeName: string, periodMs: number | undefined): void {
    if (periodMs === undefined) {
      this.flapping.delete(nodeName);
      this.world.record('network.flapping-ended', `${nodeName}'s health endpoint is steady again`, nodeName);
      return;
    }
    if (!(Number.isFinite(periodMs) && periodMs > 0)) throw new RangeError(`flapping period must be > 0 ms, got ${periodMs}`);
    this.flapping.set(nodeName, { periodMs, since: this.world.clock.now() });
    this.world.record('network.flapping', `${nodeName}'s health endpoint flaps every ${periodMs / 1000} s, unhealthy first`, nodeName);
  }

  /** Whether the node's health endpoint answers healthy now, as far as a flapping fault goes. */
  healthEndpointUp(nodeName: string): boolean {
    const flap = this.flapping.get(nodeName);
    if (!flap) return true;
    return Math.floor((this.world.clock.now() - flap.since) / flap.periodMs) % 2 === 1;
  }

  /** The HTTP status a GET to an accepted listener answers: 200 when its pod is Ready and the node not flapping down. */
  healthStatus(route: Extract<NetworkRoute, { kind: 'accepted' }>): number {
    return route.listener.ready && this.healthEndpointUp(route.nodeName) ? 200 : 503;
  }
}
