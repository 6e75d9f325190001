import { KubeClient } from '../adapters/kube/client.js';
import { executionName, type NodeEvent, type NodeRef, recordNodeEvent } from '../adapters/kube/events.js';
import { parseKubeconfig } from '../adapters/kube/kubeconfig.js';
import { KubeNodeApi, type NodeApi, NodeConflictError } from '../adapters/kube/nodes.js';
import { KubePodApi, type PodApi } from '../adapters/kube/pods.js';
import { selectPodsToDrain } from '../decisions/drain.js';
import type { HealNodeView } from '../decisions/healing/heal-decision.js';
import { poolOfNode, providerOfNode } from '../decisions/healing/node-pool.js';
import type { UnhealthyNodeRef } from '../decisions/healing/types.js';
import { mergeTaints, nodeLabels, type ProvisionSlot, type VmRef } from '../decisions/provision.js';
import type { RemovalNode } from '../decisions/remove-node.js';
import { nodeSiteOf } from '../providers/node-match.js';
import { providerNamed } from '../providers/registry.js';
import { config, poolNamed } from '../runtime/config.js';
import { TransientError } from '../runtime/errors.js';
import { executionOf, withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

export type ClusterNodesEvent =
  | { action: 'findNode'; slot: ProvisionSlot; vm: VmRef }
  | { action: 'prepareNode'; slot: ProvisionSlot; vm: VmRef; nodeName: string }
  | { action: 'removeNode'; slot: ProvisionSlot; vm?: VmRef | null }
  | { action: 'readNode'; nodeName: string | null; pool?: string | null }
  | { action: 'cordon'; nodeName: string | null }
  | { action: 'drain'; nodeName: string | null; force?: boolean }
  | { action: 'deleteNode'; nodeName: string | null }
  | { action: 'readNodeHealth'; nodeName: string };

let api: { client: KubeClient; nodes: NodeApi; pods: PodApi } | undefined;

/** One client (its keep-alive connections) for the node, pod and event APIs, built on first use and kept while warm. */
async function kube(): Promise<{ client: KubeClient; nodes: NodeApi; pods: PodApi }> {
  if (!api) {
    const arn = config().cluster.kubeconfigSecretArn;
    const client = new KubeClient(parseKubeconfig(await getSecret(arn), arn));
    api = { client, nodes: new KubeNodeApi(client), pods: new KubePodApi(client) };
  }
  return api;
}

/** Records an Event on the Node (best effort: a failure is logged, never thrown). */
async function record(node: NodeRef, event: NodeEvent): Promise<void> {
  await recordNodeEvent((await kube()).client, node, event);
}

async function nodes(): Promise<NodeApi> {
  return (await kube()).nodes;
}

export const handler = withExecutionContext(async (event: ClusterNodesEvent) => {
  const execution = executionName(executionOf(event));
  switch (event.action) {
    case 'findNode':
      return findNode(event.slot, event.vm, execution);
    case 'prepareNode':
      return prepareNode(event.slot, event.vm, event.nodeName, execution);
    case 'removeNode':
      return removeNode(event.slot, event.vm ?? undefined, execution);
    case 'readNode':
      return readNode(event.nodeName, event.pool ?? null);
    case 'cordon':
      return cordon(event.nodeName, execution);
    case 'drain':
      return drain(event.nodeName, event.force === true, execution);
    case 'deleteNode':
      return deleteNode(event.nodeName, execution);
    case 'readNodeHealth':
      return readNodeHealth(event.nodeName);
    default:
      throw new Error(`unknown action ${(event as { action: string }).action}`);
  }
});

/**
 * Has the VM's Node registered, and is it Ready? The provider's matcher finds it; where the provider cannot say
 * which Node is the VM's (Scaleway pools), the claim takes a fitting Node by labelling it with the claim.
 */
async function findNode(slot: ProvisionSlot, vm: VmRef, execution: string): Promise<{ registered: boolean; ready: boolean; nodeName: string | null }> {
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
    await record(node, {
      reason: 'Claimed',
      type: 'Normal',
      message: `Claimed for pool ${slot.pool} (claim ${slot.claimId}, ${vm.provider} VM ${vm.id}) by execution ${execution}.`,
    });
  }
  const ready = node.ready === 'True';
  // Only once Ready: the step polls a registered Node until then, and each poll would count the Event again.
  if (ready) {
    await record(node, {
      reason: 'Registered',
      type: 'Normal',
      message: `Registered and Ready as ${vm.provider} VM ${vm.id} of pool ${slot.pool} (claim ${slot.claimId}), found by execution ${execution}.`,
    });
  }
  return { registered: true, ready, nodeName: node.name };
}

/** Applies the pool's labels and taints plus topology, instance type, provider, pool and claim labels. */
async function prepareNode(slot: ProvisionSlot, vm: VmRef, nodeName: string, execution: string) {
  const pool = poolNamed(slot.pool);
  const k = await nodes();
  const node = await k.get(nodeName);
  if (!node) throw new TransientError(`node ${nodeName} disappeared before it could be labelled`);
  const labels = nodeLabels(pool, vm, slot.claimId);
  const taints = pool.taints.length > 0 ? mergeTaints(node.taints, pool.taints) : undefined;
  await k.label(nodeName, labels, taints);
  log('info', 'node prepared', { pool: pool.name, claimId: slot.claimId, nodeName });
  await record(node, {
    reason: 'Labelled',
    type: 'Normal',
    message: `Labelled for pool ${pool.name} (${Object.keys(labels).length} labels, claim ${slot.claimId}) by execution ${execution}.`,
  });
  if (pool.taints.length > 0) {
    const applied = pool.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ');
    await record(node, { reason: 'Tainted', type: 'Normal', message: `Tainted ${applied} for pool ${pool.name} by execution ${execution}.` });
  }
  return { nodeName, labels, taints: taints ?? node.taints };
}

/** Removes the Node a failed claim left half-registered (found by VM or by claim label). */
async function removeNode(slot: ProvisionSlot, vm: VmRef | undefined, execution: string): Promise<{ removed: string[] }> {
  const k = await nodes();
  const all = await k.list();
  const targets = new Map(all.filter((n) => n.labels['shepherd.io/claim'] === slot.claimId).map((n) => [n.name, n]));
  const matcher = providerNamed(slot.provider).nodeMatcher;
  if (vm && !matcher.takesNode) {
    const m = matcher.find(all, vm, slot.claimId, nodeSiteOf(poolNamed(slot.pool)));
    if (m) targets.set(m.name, m);
  }
  const removed: string[] = [];
  for (const node of targets.values()) {
    if (!(await k.delete(node.name))) continue;
    removed.push(node.name);
    await record(node, {
      reason: 'Removed',
      type: 'Warning',
      message: `Removed the Node of claim ${slot.claimId} (pool ${slot.pool}), whose provisioning failed, by execution ${execution}.`,
    });
  }
  log('info', 'half-registered node cleanup', { claimId: slot.claimId, removed });
  return { removed };
}

/** The Node a removal names, with its shepherd labels, and how many Nodes shepherd holds in its pool. */
async function readNode(nodeName: string | null, pool: string | null): Promise<RemovalNode> {
  const k = await nodes();
  const node = nodeName ? await k.get(nodeName) : undefined;
  const poolName = pool ?? node?.labels['shepherd.io/pool'] ?? null;
  const poolNodes = poolName ? (await k.list(`shepherd.io/pool=${poolName}`)).filter((n) => n.labels['shepherd.io/claim']).length : 0;
  return {
    exists: node !== undefined,
    nodeName,
    claimLabel: node?.labels['shepherd.io/claim'] ?? null,
    poolLabel: node?.labels['shepherd.io/pool'] ?? null,
    poolNodes,
  };
}

/** kubectl cordon: the Node takes no new pods. A Node already gone is not an error (there is nothing to drain). */
async function cordon(nodeName: string | null, execution: string): Promise<{ cordoned: boolean }> {
  const cordoned = nodeName ? await (await nodes()).cordon(nodeName) : false;
  log('info', 'cordon', { nodeName, cordoned });
  if (nodeName && cordoned) await record({ name: nodeName }, { reason: 'Cordoned', type: 'Normal', message: `Cordoned by execution ${execution}.` });
  return { cordoned };
}

/**
 * One drain pass: evicts every pod that may go (the Eviction API honours PodDisruptionBudgets; a blocked pod is
 * tried again on the next pass), skipping DaemonSet and mirror pods. With `force` (the drain deadline passed and the
 * request allows it) the pods are deleted instead, bypassing budgets. `drained` once no pod but skipped ones is left.
 */
async function drain(nodeName: string | null, force: boolean, execution: string) {
  const none = { drained: true, evicted: [], deleted: [], blocked: [], terminating: 0, skipped: 0 };
  if (!nodeName) return none;
  const { pods } = await kube();
  const selection = selectPodsToDrain(await pods.listOnNode(nodeName));
  const evicted: string[] = [];
  const deleted: string[] = [];
  const blocked: string[] = [];
  for (const p of selection.evict) {
    const id = `${p.namespace}/${p.name}`;
    if (force) {
      if (await pods.delete(p.namespace, p.name)) deleted.push(id);
      continue;
    }
    const result = await pods.evict(p.namespace, p.name);
    if (result === 'evicted') evicted.push(id);
    else if (result === 'blocked') blocked.push(id);
  }
  const drained = selection.evict.length === 0 && selection.terminating.length === 0;
  const out = { drained, evicted, deleted, blocked, terminating: selection.terminating.length, skipped: selection.skipped.length };
  log(blocked.length > 0 ? 'warn' : 'info', 'drain pass', { nodeName, force, ...out });
  // One Event per outcome: a blocked drain repeats the same message, so the Event's count says how many passes it took.
  const node = { name: nodeName };
  if (deleted.length > 0)
    await record(node, {
      reason: 'PodsDeleted',
      type: 'Warning',
      message: `Deleted ${deleted.length} pods past the drain deadline (forced) by execution ${execution}.`,
    });
  if (blocked.length > 0)
    await record(node, {
      reason: 'DrainBlocked',
      type: 'Warning',
      message: `Eviction of ${blocked.length} pods refused by a PodDisruptionBudget; execution ${execution} tries again.`,
    });
  if (drained) await record(node, { reason: 'Drained', type: 'Normal', message: `Drained by execution ${execution}.` });
  return out;
}

/** Deletes the Node object; one already gone is not an error. */
async function deleteNode(nodeName: string | null, execution: string): Promise<{ deleted: boolean }> {
  // Recorded first: an Event outlives its Node (`kubectl get events` shows it for an hour).
  if (nodeName) await record({ name: nodeName }, { reason: 'Removed', type: 'Normal', message: `Node deleted by execution ${execution}.` });
  const deleted = nodeName ? await (await nodes()).delete(nodeName) : false;
  log('info', 'node deleted', { nodeName, deleted });
  return { deleted };
}

/** The Node a heal names and the cluster around it: every Node not Ready, by provider, for the short-circuits. */
export interface NodeHealthRead {
  node: HealNodeView;
  cluster: { size: number; providerSizes: Record<string, number>; unhealthy: UnhealthyNodeRef[] };
}

/** HealNode's facts from the cluster: the Node's Ready condition, claim and pool, and how many Nodes are not Ready. */
async function readNodeHealth(nodeName: string): Promise<NodeHealthRead> {
  const cfg = config();
  const all = await (await nodes()).list();
  const node = all.find((n) => n.name === nodeName);
  const providerSizes: Record<string, number> = {};
  const unhealthy: UnhealthyNodeRef[] = [];
  for (const n of all) {
    const provider = providerOfNode(n.labels, cfg);
    providerSizes[provider] = (providerSizes[provider] ?? 0) + 1;
    if (n.ready !== 'True') unhealthy.push({ name: n.name, provider });
  }
  return {
    node: {
      exists: node !== undefined,
      conditions: node?.readyCondition ? [node.readyCondition] : [],
      claimLabel: node?.labels['shepherd.io/claim'] ?? null,
      pool: node ? (poolOfNode(node.labels, cfg)?.name ?? null) : null,
    },
    cluster: { size: all.length, providerSizes, unhealthy },
  };
}
