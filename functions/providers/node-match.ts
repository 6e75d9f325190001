import type { NodeView, VmRef } from '../decisions/provision.js';
import type { NodeMatcher } from './types.js';

/** Finds the VM's own Node: by providerID, else by name, else by internal IP (Kosmos external nodes may lack a providerID). */
export function nodeOfVm(nodes: NodeView[], vm: VmRef): NodeView | undefined {
  if (vm.providerID) {
    const byId = nodes.find((n) => n.providerID === vm.providerID);
    if (byId) return byId;
  }
  return nodes.find((n) => n.name === vm.name) ?? (vm.privateIp ? nodes.find((n) => n.internalIp === vm.privateIp) : undefined);
}

/** For providers whose launch names the VM: its Node is the one with its providerID, name or IP. */
export const vmIdentityMatcher: NodeMatcher = { find: (nodes, vm) => nodeOfVm(nodes, vm), takesNode: false };
