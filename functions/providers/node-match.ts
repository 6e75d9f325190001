import type { PoolConfig } from '../../config/types.js';
import type { NodeView, VmRef } from '../decisions/provision.js';
import type { NodeMatcher, NodeSite } from './types.js';

const CLAIM_LABEL = 'shepherd.io/claim';
const KOSMOS_POOL_LABEL = 'k8s.scaleway.com/pool';

/**
 * Finds the VM's own Node. A Node that carries another claim is never it. Then, in order:
 * 1. the Node with the VM's providerID;
 * 2. the Node with the VM's name, unless that Node carries another machine's providerID;
 * 3. the Node with the VM's private IP, only where the address says something: private ranges are reused
 *    across sites (a home lab and an EC2 subnet both hand out 10.0.0.4), so only a Node that registered on
 *    this pool's site (it carries the labels the pool's join gives, `site.joinLabels`), has no other machine's
 *    providerID, registered after the VM was launched (where the provider says when), and is the only such Node
 *    with that IP. Kosmos external nodes need this: Kosmos names them itself (scw-<cluster>-<pool>-<hex>) and gives
 *    them no providerID, and a Kosmos pool may hold machines of other sites, so its label alone does not say
 *    which network an address belongs to; a machine already in the cluster before the VM existed is not the VM.
 */
export function nodeOfVm(nodes: NodeView[], vm: VmRef, claimId: string, site: NodeSite = {}): NodeView | undefined {
  const open = nodes.filter((n) => !n.labels[CLAIM_LABEL] || n.labels[CLAIM_LABEL] === claimId);
  if (vm.providerID) {
    const byId = open.find((n) => n.providerID === vm.providerID);
    if (byId) return byId;
  }
  const candidates = open.filter((n) => !otherMachine(n, vm));
  const byName = vm.name ? candidates.find((n) => n.name === vm.name) : undefined;
  if (byName) return byName;
  const joinLabels = Object.entries(site.joinLabels ?? {});
  if (!vm.privateIp || joinLabels.length === 0) return undefined;
  const byIp = candidates.filter((n) => n.internalIp === vm.privateIp && joinLabels.every(([k, v]) => n.labels[k] === v) && !registeredBeforeLaunch(n, vm));
  return byIp.length === 1 ? byIp[0] : undefined;
}

/**
 * A Node that registered before the VM was launched. A kubelet registers only once its machine has booted, which
 * takes far longer than the skew between the clouds' clocks, so the VM's own Node is never one of these.
 */
function registeredBeforeLaunch(node: NodeView, vm: VmRef): boolean {
  if (!node.createdAt || !vm.launchedAt) return false;
  return Date.parse(node.createdAt) < Date.parse(vm.launchedAt);
}

/** A Node whose providerID names a machine other than the VM. */
function otherMachine(node: NodeView, vm: VmRef): boolean {
  return Boolean(node.providerID && vm.providerID && node.providerID !== vm.providerID);
}

/**
 * Labels a Node of this pool carries from the moment it registers, which tie it to the pool's site: a Kosmos join
 * registers it in the pool's own Kosmos pool (`k8s.scaleway.com/pool`); a script join that passes `{{labels}}` to
 * the kubelet registers it with the pool's labels. Empty when the join says nothing (then no IP match).
 */
export function nodeSiteOf(pool: PoolConfig): NodeSite {
  const { join } = pool;
  if (join.method === 'kosmos') return { joinLabels: { [KOSMOS_POOL_LABEL]: join.poolId } };
  if (join.method === 'script' && join.template.includes('{{labels}}') && Object.keys(pool.labels).length > 0) return { joinLabels: { ...pool.labels } };
  return {};
}

/** For providers whose launch names the VM: its Node is the one with its providerID, name or (on its site) IP. */
export const vmIdentityMatcher: NodeMatcher = { find: (nodes, vm, claimId, site) => nodeOfVm(nodes, vm, claimId, site), takesNode: false };
