import { createClient, Errors } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, type SimOptions, startSim } from '../../sim/index.js';
import { readyStatus } from '../../sim/world/cluster/status.js';
import { AUTOSCALER_SCAN_MS } from '../../sim/world/scaleway/autoscaler.js';
import type { KubeObject, ScalewayPool } from '../../sim/world/types.js';

/**
 * Scaleway's node endpoints (delete with replace/skip_drain, reboot, replace), which node a pool shrink removes, and
 * Kapsule's autoscaler for pools with autoscaling on, driven through the official @scaleway/sdk-k8s.
 */

const MIN = 60_000;
let sim: Sim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setUp(world: SimOptions['world'] = {}, seed = 1): Promise<{ sim: Sim; api: K8Sv1.API; pool: ScalewayPool }> {
  sim = await startSim({ servers: ['scaleway'], seed, clock: { mode: 'virtual' }, world });
  const c = sim.credentials.scaleway;
  const api = new K8Sv1.API(
    createClient({ accessKey: c.accessKey, secretKey: c.secretKey, defaultProjectId: c.projectId, defaultRegion: c.region, apiURL: sim.endpoints.scaleway }),
  );
  const pool = sim.world.createPool({ name: 'buffer', nodeType: 'DEV1-M', zone: 'fr-par-1', minSize: 0, maxSize: 6 });
  return { sim, api, pool };
}

async function readyPool(s: Sim, api: K8Sv1.API, pool: ScalewayPool, size: number): Promise<K8Sv1.Node[]> {
  await api.updatePool({ poolId: pool.id, size });
  await s.clock.until(() => s.world.getPool(pool.id)?.status === 'ready' && s.world.poolVms(pool.id).length === size, 30 * MIN, 'the pool to be ready');
  return (await api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: pool.id })).nodes;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('simulated Scaleway node endpoints (official @scaleway/sdk-k8s)', () => {
  it('deleteNode without replace removes that node (Node and machine) and shrinks the pool; again, it is busy, then not found', async () => {
    const { sim: s, api, pool } = await setUp();
    const [a, b] = await readyPool(s, api, pool, 2);
    const deleted = await api.deleteNode({ nodeId: a.id, replace: false, skipDrain: true });
    expect(deleted).toMatchObject({ id: a.id, status: 'deleting', poolId: pool.id });
    expect(s.world.getPool(pool.id)?.size).toBe(1);
    expect(s.world.kube.get('nodes', undefined, a.name)).toBeUndefined();

    const busy = await rejection(api.deleteNode({ nodeId: a.id, replace: false, skipDrain: false }));
    expect(busy).toBeInstanceOf(Errors.TransientStateError);
    expect(busy).toMatchObject({ status: 409, resource: 'node', currentState: 'deleting' });

    await s.clock.advance(2 * MIN);
    const gone = await rejection(api.getNode({ nodeId: a.id }));
    expect(gone).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((await rejection(api.deleteNode({ nodeId: a.id, replace: false, skipDrain: false }))) instanceof Errors.ResourceNotFoundError).toBe(true);
    const left = await api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: pool.id });
    expect(left.nodes.map((n) => n.id)).toEqual([b.id]);
  });

  it('replaceNode (and deleteNode with replace) keeps the size: a new node takes the old one’s place', async () => {
    const { sim: s, api, pool } = await setUp();
    const [a] = await readyPool(s, api, pool, 1);
    expect(await api.replaceNode({ nodeId: a.id })).toMatchObject({ id: a.id, status: 'deleting' });
    expect(s.world.getPool(pool.id)?.size).toBe(1);
    await s.clock.until(() => s.world.getPool(pool.id)?.status === 'ready', 30 * MIN, 'the replacement');
    const [b] = (await api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: pool.id })).nodes;
    expect(b.id).not.toBe(a.id);
    expect(b.status).toBe('ready');

    await api.deleteNode({ nodeId: b.id, replace: true, skipDrain: false });
    await s.clock.until(() => s.world.getPool(pool.id)?.status === 'ready', 30 * MIN, 'the second replacement');
    const [c, ...more] = (await api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: pool.id })).nodes;
    expect(more).toEqual([]);
    expect([a.id, b.id]).not.toContain(c.id);
  });

  it('rebootNode restarts the machine: the node is rebooting, the machine stops and starts, then node and Node are ready again', async () => {
    const { sim: s, api, pool } = await setUp();
    const [a] = await readyPool(s, api, pool, 1);
    const vm = s.world.poolVms(pool.id)[0];
    expect(await api.rebootNode({ nodeId: a.id })).toMatchObject({ id: a.id, status: 'rebooting' });
    expect(await rejection(api.rebootNode({ nodeId: a.id }))).toBeInstanceOf(Errors.TransientStateError);
    const stopped = () => s.world.timeline.some((e) => e.type === 'vm.stopped' && e.subject === vm.id);
    await s.clock.until(stopped, 10 * MIN, 'the machine to stop');
    await s.clock.until(() => s.world.getVm(vm.id)?.state === 'running', 10 * MIN, 'the machine to start');
    const node = () => s.world.kube.get('nodes', undefined, a.name) as KubeObject;
    await s.clock.until(() => readyStatus(node()) === 'True', 10 * MIN, 'the Node to be Ready again');
    expect((await api.getNode({ nodeId: a.id })).status).toBe('ready');
  });

  it('a pool shrink removes a node chosen at random (seeded), not always the newest; a kind world removes the newest', async () => {
    const newestRemoved: boolean[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      await sim?.stop();
      const { sim: s, api, pool } = await setUp({}, seed);
      await readyPool(s, api, pool, 3);
      const newest = [...s.world.poolVms(pool.id)].sort((x, y) => y.launchedAt - x.launchedAt || x.id.localeCompare(y.id))[0];
      await api.updatePool({ poolId: pool.id, size: 2 });
      newestRemoved.push(s.world.getVm(newest.id)?.state !== 'running');
    }
    expect(newestRemoved).toContain(false);

    await sim?.stop();
    const { sim: kind, api, pool } = await setUp({ kind: ['scaleway-random-shrink'] });
    await readyPool(kind, api, pool, 3);
    const newest = [...kind.world.poolVms(pool.id)].sort((x, y) => y.launchedAt - x.launchedAt || x.id.localeCompare(y.id))[0];
    await api.updatePool({ poolId: pool.id, size: 2 });
    expect(kind.world.getVm(newest.id)?.state).toBe('shutting-down');
  });
});

describe('simulated Kapsule autoscaler (pools with autoscaling on)', () => {
  function pendingPod(s: Sim, name: string, cpu: string, nodeSelector?: Record<string, string>): void {
    s.world.cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu, memory: '256Mi' } } }], ...(nodeSelector ? { nodeSelector } : {}) },
    });
  }

  it('grows the pool for pending pods its node type fits, up to max_size, then removes nodes empty for 10 minutes', async () => {
    const { sim: s, api, pool } = await setUp();
    await api.updatePool({ poolId: pool.id, autoscaling: true, minSize: 0, maxSize: 2 });
    // DEV1-M has 3 vCPUs: 2 + 2 + 2 CPUs need 2 nodes (max_size); a pod asking for 8 fits no DEV1-M and is ignored.
    pendingPod(s, 'a', '2');
    pendingPod(s, 'b', '2');
    pendingPod(s, 'huge', '8');
    pendingPod(s, 'elsewhere', '1', { 'k8s.scaleway.com/pool-name': 'other-pool' });
    await s.clock.until(() => (s.world.getPool(pool.id)?.size ?? 0) > 0, 2 * MIN, 'a scale-up');
    expect(s.world.getPool(pool.id)?.size).toBe(2);
    expect((await api.getPool({ poolId: pool.id })).size).toBe(2);
    await s.clock.until(() => s.world.getPool(pool.id)?.status === 'ready', 30 * MIN, 'the new nodes');
    const scheduled = () =>
      s.world.kube
        .list('pods')
        .filter((p) => p.spec.nodeName)
        .map((p) => p.metadata.name);
    await s.clock.until(() => scheduled().length === 2, 5 * MIN, 'the pods to be scheduled');
    expect(scheduled().sort()).toEqual(['a', 'b']);

    // Both nodes hold a pod: nothing is unneeded. Delete the pods: after 10 min unneeded (and 10 min after the
    // scale-up), the empty nodes go, one per scan, down to min_size. One scan first, so that the autoscaler has seen
    // both nodes busy (a node that was empty at the scan before its pod landed counts as unneeded from that scan).
    await s.clock.advance(AUTOSCALER_SCAN_MS);
    const upAt = s.clock.now();
    s.world.cluster.deletePod('default', 'a', 0);
    s.world.cluster.deletePod('default', 'b', 0);
    await s.clock.advance(9 * MIN);
    expect(s.world.getPool(pool.id)?.size).toBe(2);
    await s.clock.until(() => s.world.getPool(pool.id)?.size === 0, 20 * MIN, 'the scale-down');
    const removals = s.world.timeline.filter((e) => e.type === 'pool.autoscaled' && e.message.includes('removes unneeded node'));
    expect(removals).toHaveLength(2);
    expect(removals[0].at - upAt).toBeGreaterThanOrEqual(10 * MIN);
  });

  it('leaves pools alone when autoscaling is off, and in a kind world', async () => {
    for (const world of [{}, { kind: ['scaleway-autoscaler'] as const }]) {
      await sim?.stop();
      const { sim: s, api, pool } = await setUp(world as SimOptions['world']);
      if ('kind' in world) await api.updatePool({ poolId: pool.id, autoscaling: true });
      pendingPod(s, 'a', '1');
      await s.clock.advance(5 * MIN);
      expect(s.world.getPool(pool.id)?.size).toBe(0);
    }
  });
});
