import { KubeNodeApi, type NodeApi, NodeConflictError } from '../adapters/kube/nodes.js';
import { matchNode, mergeTaints, nodeLabels, type ProvisionSlot, unclaimedPoolNode, type VmRef } from '../decisions/provision.js';
import { config, poolNamed } from '../runtime/config.js';
import { TransientError } from '../runtime/errors.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

export type ClusterNodesEvent =
  | { action: 'findNode'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'prepareNode'; slot: ProvisionSlot; vm: VmRef; nodeName: string }
  | { action: 'removeNode'; slot: ProvisionSlot; vm?: VmRef | null };

let api: NodeApi | undefined;

async function nodes(): Promise<NodeApi> {
  if (!api) api = new KubeNodeApi(await getSecret(config().cluster.kubeconfigSecretArn));
  return api;
}

export async function handler(event: ClusterNodesEvent) {
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
}

/** Has the VM's Node registered, and is it Ready? Scaleway pool nodes are taken by labelling them with the claim. */
async function findNode(slot: ProvisionSlot, vm: VmRef): Promise<{ registered: boolean; ready: boolean; nodeName: string | null }> {
  const k = await nodes();
  if (vm.poolId) {
    const candidate = unclaimedPoolNode(await k.list(`k8s.scaleway.com/pool=${vm.poolId}`), vm.poolId, slot.claimId);
    if (!candidate) return { registered: false, ready: false, nodeName: null };
    if (candidate.labels['shepherd.io/claim'] !== slot.claimId) {
      const current = await k.get(candidate.name);
      if (!current) return { registered: false, ready: false, nodeName: null };
      try {
        // resourceVersion makes this a compare-and-set: two claims cannot take the same node.
        await k.label(candidate.name, { 'shepherd.io/claim': slot.claimId }, undefined, current.resourceVersion);
      } catch (err) {
        if (err instanceof NodeConflictError) return { registered: false, ready: false, nodeName: null };
        throw err;
      }
    }
    return { registered: true, ready: candidate.ready === 'True', nodeName: candidate.name };
  }
  const node = matchNode(await k.list(), vm);
  return { registered: Boolean(node), ready: node?.ready === 'True', nodeName: node?.name ?? null };
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
  if (vm && !vm.poolId) {
    const m = matchNode(all, vm);
    if (m) names.add(m.name);
  }
  const removed: string[] = [];
  for (const name of names) if (await k.delete(name)) removed.push(name);
  log('info', 'half-registered node cleanup', { claimId: slot.claimId, removed });
  return { removed };
}
