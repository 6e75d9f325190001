import { KubeNodeApi, type NodeApi, NodeConflictError } from '../adapters/kube/nodes.js';
import { mergeTaints, nodeLabels, type ProvisionSlot, type VmRef } from '../decisions/provision.js';
import { nodeSiteOf } from '../providers/node-match.js';
import { providerNamed } from '../providers/registry.js';
import { config, poolNamed } from '../runtime/config.js';
import { TransientError } from '../runtime/errors.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

export type ClusterNodesEvent =
  | { action: 'findNode'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'prepareNode'; slot: ProvisionSlot; vm: VmRef; nodeName: string }
  | { action: 'removeNode'; slot: ProvisionSlot; vm?: VmRef | null };

let api: NodeApi | undefined;

async function nodes(): Promise<NodeApi> {
  if (!api) {
    const arn = config().cluster.kubeconfigSecretArn;
    api = KubeNodeApi.fromKubeconfig(await getSecret(arn), arn);
  }
  return api;
}

export const handler = withExecutionContext(async (event: ClusterNodesEvent) => {
  switch (event.action) {
    case 'findNode':
      return findNode(event.slot, event.vm);
    case 'prepareNode':
      return prepareNode(event.slot, event.vm, event.nodeName);
    case 'removeNode':
      return removeNode(event.slot, event.vm ?? undefined);
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

/**
 * Has the VM's Node registered, and is it Ready? The provider's matcher finds it; where the provider cannot say
 * which Node is the VM's (Scaleway pools), the claim takes a fitting Node by labelling it with the claim.
 */
async function findNode(slot: ProvisionSlot, vm: VmRef): Promise<{ registered: boolean; ready: boolean; nodeName: string | null }> {
  const k = await nodes();
  const matcher = providerNamed(slot.provider).nodeMatcher;
  const none = { registered: false, ready: false, nodeName: null };
  const node = matcher.find(await k.list(matcher.selector?.(vm)), vm, slot.claimId, nodeSiteOf(poolNamed(slot.pool)));
  if (!node) return none;
  if (matcher.takesNode && node.labels['shepherd.io/claim'] !== slot.claimId) {
    const current = await k.get(node.name);
    // Taken by another claim since the list: the version read here already includes that claim, so the
    // compare-and-set below would succeed and steal the node. Only an unclaimed node may be taken.
    const holder = current?.labels['shepherd.io/claim'];
    if (!current || (holder && holder !== slot.claimId)) return none;
    try {
      // resourceVersion makes this a compare-and-set: two claims cannot take the same node.
      await k.label(node.name, { 'shepherd.io/claim': slot.claimId }, undefined, current.resourceVersion);
    } catch (err) {
      if (err instanceof NodeConflictError) return none;
      throw err;
    }
  }
  return { registered: true, ready: node.ready === 'True', nodeName: node.name };
}

/** Applies the pool's labels and taints plus topology, instance type, provider, pool and claim labels. */
async function prepareNode(slot: ProvisionSlot, vm: VmRef, nodeName: string) {
  const pool = poolNamed(slot.pool);
  const k = await nodes();
  const node = await k.get(nodeName);
  if (!node) throw new TransientError(`node ${nodeName} disappeared before it could be labelled`);
  const labels = nodeLabels(pool, vm, slot.claimId);
  const taints = pool.taints.length > 0 ? mergeTaints(node.taints, pool.taints) : undefined;
  await k.label(nodeName, labels, taints);
  log('info', 'node prepared', { pool: pool.name, claimId: slot.claimId, nodeName });
  return { nodeName, labels, taints: taints ?? node.taints };
}

/** Removes the Node a failed claim left half-registered (found by VM or by claim label). */
async function removeNode(slot: ProvisionSlot, vm?: VmRef): Promise<{ removed: string[] }> {
  const k = await nodes();
  const all = await k.list();
  const names = new Set(all.filter((n) => n.labels['shepherd.io/claim'] === slot.claimId).map((n) => n.name));
  const matcher = providerNamed(slot.provider).nodeMatcher;
  if (vm && !matcher.takesNode) {
    const m = matcher.find(all, vm, slot.claimId, nodeSiteOf(poolNamed(slot.pool)));
    if (m) names.add(m.name);
  }
  const removed: string[] = [];
  for (const name of names) if (await k.delete(name)) removed.push(name);
  log('info', 'half-registered node cleanup', { claimId: slot.claimId, removed });
  return { removed };
}
