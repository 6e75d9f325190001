import { pairNodesWithVms } from './pairing.js';
import type { Observation, VmToConfirm, WatcherSnapshot } from './types.js';

/**
 * At most this many VMs are asked about in one pass: a list that suddenly misses hundreds of VMs is more likely a
 * provider fault than hundreds of deletions, and those Nodes wait for the second pass (the usual rule) instead.
 */
export const MAX_VM_CONFIRMATIONS_PER_PASS = 10;

/**
 * Which VMs a pass asks their provider about before deciding (pure): those of Ready Nodes that a complete list of
 * their provider missed for the first time. Without an answer such a Node waits for a second pass, since one list
 * may lag a launch (EC2 is eventually consistent) and the Node still looks fine; with the provider's direct answer
 * that the VM is gone (GCE instances.get 404 once the Node's VM existed, EC2 `terminated`) the pass calls it gone at
 * once, as Kubernetes' cloud node-lifecycle controller deletes a Node on one InstanceExistsByProviderID = false. Only
 * Nodes whose claim records the VM (`shepherd.io/claim`) can be asked about; NotReady Nodes need no answer (a missing
 * VM and a silent kubelet agree).
 */
export function vmsToConfirm(previous: WatcherSnapshot, observation: Omit<Observation, 'vmStates'>, limit = MAX_VM_CONFIRMATIONS_PER_PASS): VmToConfirm[] {
  const { cluster } = observation;
  if (!cluster.reachable) return [];
  const listed = observation.providers.flatMap((p) => (p.listed ? [p] : []));
  const listedProviders = new Set(listed.map((p) => p.provider));
  const { vmOfNode } = pairNodesWithVms(
    cluster.nodes,
    listed.flatMap((p) => p.vms),
  );
  const out: VmToConfirm[] = [];
  for (const node of cluster.nodes) {
    if (out.length >= limit) break;
    const was = previous.nodes[node.name];
    if (node.ready !== 'True' || !node.provider || !node.pool || !node.claim) continue;
    if (!listedProviders.has(node.provider) || vmOfNode.has(node.name) || was?.vmMissingSince || was?.vmGoneAt) continue;
    out.push({ node: node.name, provider: node.provider, pool: node.pool, claim: node.claim });
  }
  return out;
}
