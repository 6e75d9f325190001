import { readyStatus } from '../../world/cluster/status.js';
import type { KubeObject, ScalewayPool, Vm } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { iso, type Json } from './wire.js';

/** Scaleway's node statuses this simulation produces (a subset of the SDK's NodeStatus). */
export type NodeStatus = 'creating' | 'starting' | 'not_ready' | 'ready' | 'deleting' | 'rebooting' | 'creation_error';

/** Scaleway gives a pool node its own id, distinct from the Instance id behind it (the world keeps it, node-identity.ts). */
export function nodeIdOf(vm: Vm): string {
  return vm.poolNodeId!;
}

/**
 * The nodes Scaleway lists for a pool, from the world's VMs and their Kubernetes Nodes. A Kosmos
 * external node stays listed (not_ready) after its machine is gone, for as long as its Node
 * exists: nothing deletes it for you.
 */
export function poolNodes(world: World, pool: ScalewayPool): Json[] {
  return world
    .listVms()
    .filter((vm) => vm.poolId === pool.id && !world.scalewayPools.isRemoved(vm.id))
    .map((vm) => ({ vm, node: vm.nodeName ? world.kube.get('nodes', undefined, vm.nodeName) : undefined }))
    .filter(({ vm, node }) => vm.state !== 'terminated' || (pool.nodeType === 'external' && node))
    .map(({ vm, node }) => nodeJson(world, pool, vm, node));
}

/** The world VM behind a Scaleway node id, with its pool's node JSON; undefined when no pool lists it. */
export function findPoolNode(world: World, region: string, nodeId: string): { vm: Vm; json: Json } | undefined {
  for (const pool of world.listPools().filter((p) => p.region === region)) {
    const json = poolNodes(world, pool).find((n) => n.id === nodeId);
    if (json) return { vm: world.listVms().find((v) => nodeIdOf(v) === nodeId)!, json };
  }
  return undefined;
}

function nodeJson(world: World, pool: ScalewayPool, vm: Vm, node: KubeObject | undefined): Json {
  const conditions: Array<{ type: string; status: string; lastTransitionTime?: string }> = node?.status?.conditions ?? [];
  const readySince = Date.parse(conditions.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '') || 0;
  return {
    cluster_id: pool.clusterId,
    conditions: Object.fromEntries(conditions.map((c) => [c.type, c.status])),
    created_at: iso(vm.launchedAt),
    error_message: vm.joinError ?? '',
    id: nodeIdOf(vm),
    name: vm.nodeName ?? vm.name,
    pool_id: pool.id,
    provider_id: (node?.spec?.providerID as string | undefined) ?? world.providerIdOf(vm) ?? '',
    public_ip_v4: vm.publicIp,
    public_ip_v6: null,
    region: pool.region,
    status: world.scalewayPools.isRebooting(vm.id) ? 'rebooting' : nodeStatus(vm, node),
    updated_at: iso(Math.max(vm.stateChangedAt, readySince)),
  };
}

function nodeStatus(vm: Vm, node: KubeObject | undefined): NodeStatus {
  if (vm.state === 'shutting-down') return 'deleting';
  if (vm.joinError) return 'creation_error';
  if (node) return readyStatus(node) === 'True' ? 'ready' : 'not_ready';
  if (vm.state === 'pending') return 'creating';
  // Booted, installing the kubelet and joining.
  if (vm.state === 'running') return 'starting';
  return 'not_ready';
}
