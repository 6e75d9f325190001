import type { NodeObservation } from './types.js';

/**
 * How far apart the Ready condition's lastTransitionTime and the Node's creationTimestamp may be for a NotReady Node
 * to count as never Ready. The kubelet computes the Node's first status (Ready=False, KubeletNotReady) just before it
 * creates the Node (kubelet initialNode + setNodeStatus), and lastTransitionTime moves only when the status changes;
 * the slack covers the time between the two and a small skew between the kubelet's clock and the API server's.
 */
export const NEVER_READY_SLACK_MS = 15_000;

/**
 * Whether a NotReady Node has not been Ready once since it registered: it is still joining (its CNI or kubelet is not
 * ready yet), which is the provisioning's to wait for (ProvisionNode's registration timeout and rollback), not a
 * failure to heal. Karpenter's NodeClaim lifecycle (launch, registration, initialization) and Cluster Autoscaler's
 * unregistered/upcoming nodes (max-node-provision-time) treat a node still coming up apart from an unhealthy one too.
 * Signs of it: no Ready condition yet, the node-lifecycle controller's `NodeStatusNeverUpdated`, or a Ready condition
 * whose last transition is the one the Node registered with.
 */
export function neverReadySinceRegistration(node: Pick<NodeObservation, 'ready' | 'readySince' | 'readyReason' | 'registeredAt'>): boolean {
  if (node.ready === 'True') return false;
  if (node.readyReason === 'NodeStatusNeverUpdated') return true;
  if (!node.readySince) return node.registeredAt !== undefined;
  if (!node.registeredAt) return false;
  const since = Date.parse(node.readySince);
  const registered = Date.parse(node.registeredAt);
  if (Number.isNaN(since) || Number.isNaN(registered)) return false;
  return since - registered <= NEVER_READY_SLACK_MS;
}
