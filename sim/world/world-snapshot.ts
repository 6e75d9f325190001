import { readyStatus } from './cluster/status.js';
import type { Vm } from './types.js';
import type { World } from './world.js';

/** The world at a glance: VMs per provider, nodes, pods, Scaleway pools and DNS. */
export function worldSnapshot(world: World) {
  const nodes = world.kube.list('nodes').map((n) => ({
    name: n.metadata.name,
    ready: readyStatus(n),
    unschedulable: Boolean(n.spec?.unschedulable),
    providerID: n.spec?.providerID as string | undefined,
    labels: n.metadata.labels ?? {},
    taints: n.spec?.taints ?? [],
  }));
  const pods = world.kube.list('pods').map((p) => ({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    node: p.spec?.nodeName as string | undefined,
    phase: p.status?.phase as string,
    terminating: Boolean(p.metadata.deletionTimestamp),
    reason: p.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled')?.reason as string | undefined,
  }));
  const vms: Record<string, Array<Pick<Vm, 'id' | 'name' | 'zone' | 'type' | 'arch' | 'state' | 'nodeName' | 'publicIp'>>> = {};
  for (const vm of world.fleet.liveVms()) {
    if (!vms[vm.provider]) vms[vm.provider] = [];
    vms[vm.provider].push({
      id: vm.id,
      name: vm.name,
      zone: vm.zone,
      type: vm.type,
      arch: vm.arch,
      state: vm.state,
      nodeName: vm.nodeName,
      publicIp: vm.publicIp,
    });
  }
  return { time: world.clock.iso(), vms, nodes, pods, pools: world.listPools(), dns: world.dns.snapshot() };
}
