import type { VmRef } from '../provision.js';
import type { NodeObservation } from './types.js';

export interface Pairing {
  /** Node name -> its VM. */
  vmOfNode: Map<string, VmRef>;
  /** VMs no Node belongs to. */
  unpaired: VmRef[];
}

/**
 * Which listed VM is which Node's, in maps rather than nested loops (5,000 Nodes against 5,000 VMs): by providerID
 * first; then by name, unless the Node carries another machine's providerID; then by private IP, only for Nodes
 * shepherd labelled with the VM's provider and only when one such Node has that IP (sites reuse private ranges,
 * functions/providers/node-match.ts says why).
 */
export function pairNodesWithVms(nodes: readonly NodeObservation[], vms: readonly VmRef[]): Pairing {
  const byProviderId = new Map<string, NodeObservation>();
  const byName = new Map<string, NodeObservation>();
  const byIp = new Map<string, NodeObservation | null>();
  for (const n of nodes) {
    if (n.providerID) byProviderId.set(n.providerID, n);
    byName.set(n.name, n);
    if (n.internalIp && n.provider) {
      const key = `${n.provider}\u0000${n.internalIp}`;
      byIp.set(key, byIp.has(key) ? null : n);
    }
  }
  const vmOfNode = new Map<string, VmRef>();
  const unpaired: VmRef[] = [];
  for (const vm of vms) {
    const named = vm.name ? byName.get(vm.name) : undefined;
    const node =
      (vm.providerID ? byProviderId.get(vm.providerID) : undefined) ??
      (named && !(named.providerID && vm.providerID && named.providerID !== vm.providerID) ? named : undefined) ??
      (vm.privateIp ? byIp.get(`${vm.provider}\u0000${vm.privateIp}`) : undefined) ??
      undefined;
    if (node && !vmOfNode.has(node.name)) vmOfNode.set(node.name, vm);
    else unpaired.push(vm);
  }
  return { vmOfNode, unpaired };
}
