import { createClient, Errors } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';
import { setScalewayNodeQuota } from '../../sim/servers/scaleway/index.js';
import { readyStatus } from '../../sim/world/cluster/status.js';
import type { ScalewayPool } from '../../sim/world/types.js';

/** The official SDK pointed at the simulator, with the account's key unless told otherwise. */
function k8sApi(sim: Sim, secretKey = sim.credentials.scaleway.secretKey): K8Sv1.API {
  const c = sim.credentials.scaleway;
  return new K8Sv1.API(
    createClient({
      accessKey: c.accessKey,
      secretKey,
      defaultProjectId: c.projectId,
      defaultOrganizationId: c.organizationId,
      defaultRegion: c.region,
      apiURL: sim.endpoints.scaleway,
    }),
  );
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const MIN = 60_000;

describe('simulated Scaleway k8s API (official @scaleway/sdk-k8s)', () => {
  let sim: Sim;
  let api: K8Sv1.API;
  let buffer: ScalewayPool;
  let kosmos: ScalewayPool;
  let clusterId: string;

  beforeEach(async () => {
    sim = await startSim({ servers: ['scaleway'], clock: { mode: 'virtual' } });
    api = k8sApi(sim);
    clusterId = sim.world.scalewayCluster.id;
    buffer = sim.world.createPool({ name: 'buffer', nodeType: 'DEV1-M', zone: 'fr-par-1', minSize: 0, maxSize: 10 });
    kosmos = sim.world.createPool({ name: 'kosmos', nodeType: 'external' });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('gets the Kosmos cluster and lists its pools page by page', async () => {
    const cluster = await api.getCluster({ clusterId });
    expect(cluster).toMatchObject({ id: clusterId, type: 'multicloud', status: 'ready', region: 'fr-par', cni: 'kilo' });
    expect((await api.listClusters()).clusters.map((c) => c.id)).toEqual([clusterId]);

    const all = await api.listPools({ clusterId });
    expect(all.totalCount).toBe(2);
    const byName = Object.fromEntries(all.pools.map((p) => [p.name, p]));
    expect(byName.buffer).toMatchObject({ id: buffer.id, clusterId, nodeType: 'dev1_m', size: 0, minSize: 0, maxSize: 10, status: 'ready', zone: 'fr-par-1' });
    expect(byName.kosmos).toMatchObject({ id: kosmos.id, nodeType: 'external', size: 0, autohealing: false });
    expect(byName.buffer.createdAt).toBeInstanceOf(Date);

    const second = await api.listPools({ clusterId, pageSize: 1, page: 2 });
    expect(second).toMatchObject({ totalCount: 2 });
    expect(second.pools.map((p) => p.id)).toEqual([kosmos.id]);
    expect((await api.listPools({ clusterId, pageSize: 1 }).all()).map((p) => p.id)).toEqual([buffer.id, kosmos.id]);
    expect(sim.counters.get('scaleway', 'ListPools')).toBe(4);

    expect(await rejection(api.getPool({ poolId: sim.random.uuid() }))).toBeInstanceOf(Errors.ResourceNotFoundError);
    const err = (await rejection(api.getCluster({ clusterId: sim.random.uuid() }))) as Errors.ResourceNotFoundError;
    expect(err).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect(err.resource).toBe('cluster');
  });

  it('scales a managed pool 0 -> 2 -> 0 while the world creates VMs, their Nodes go Ready, then go away', async () => {
    const vmIds = await sim.clock.during(async () => {
      const updated = await api.updatePool({ poolId: buffer.id, size: 2 });
      expect(updated).toMatchObject({ size: 2, status: 'scaling' });
      const vms = sim.world.poolVms(buffer.id);
      expect(vms.map((v) => [v.provider, v.zone, v.type, v.state])).toEqual([
        ['scaleway', 'fr-par-1', 'DEV1-M', 'pending'],
        ['scaleway', 'fr-par-1', 'DEV1-M', 'pending'],
      ]);
      const { nodes } = await api.listNodes({ clusterId, poolId: buffer.id });
      expect(nodes.map((n) => n.status)).toEqual(['creating', 'creating']);
      return vms.map((v) => v.id);
    });
    expect(sim.counters.get('scaleway', 'UpdatePool')).toBe(1);

    await sim.clock.until(() => vmIds.every((id) => sim.world.getVm(id)?.state === 'running'), 5 * MIN, 'pool VMs running');
    await sim.clock.during(async () => {
      expect((await api.listNodes({ clusterId, poolId: buffer.id })).nodes.map((n) => n.status)).toEqual(['starting', 'starting']);
      expect((await api.getPool({ poolId: buffer.id })).status).toBe('scaling');
    });

    await sim.clock.until(() => vmIds.some((id) => sim.world.getVm(id)?.nodeName), 5 * MIN, 'a Node registered');
    await sim.clock.during(async () => {
      const registered = sim.world.listVms('scaleway').find((v) => v.nodeName)!;
      const node = (await api.listNodes({ clusterId, poolId: buffer.id })).nodes.find((n) => n.name === registered.nodeName);
      expect(node?.status).toBe('not_ready');
      expect((await api.getPool({ poolId: buffer.id })).status).toBe('scaling');
    });

    await sim.clock.until(() => sim.world.getPool(buffer.id)?.status === 'ready', 10 * MIN, 'pool ready');
    await sim.clock.during(async () => {
      expect(await api.getPool({ poolId: buffer.id })).toMatchObject({ status: 'ready', size: 2 });
      const { nodes, totalCount } = await api.listNodes({ clusterId, poolId: buffer.id });
      expect(totalCount).toBe(2);
      for (const n of nodes) {
        const vm = sim.world.listVms('scaleway').find((v) => v.nodeName === n.name)!;
        expect(n).toMatchObject({ status: 'ready', poolId: buffer.id, clusterId, region: 'fr-par', publicIpV4: vm.publicIp, errorMessage: '' });
        expect(n.providerId).toBe(`scaleway://instance/fr-par-1/${vm.id}`);
        expect(n.conditions).toMatchObject({ Ready: 'True' });
        expect(readyStatus(sim.world.kube.get('nodes', undefined, n.name)!)).toBe('True');
        expect(n.id).not.toBe(vm.id);
        expect(await api.getNode({ nodeId: n.id })).toMatchObject({ id: n.id, name: n.name, status: 'ready' });
      }
    });

    const nodeNames = sim.world.listVms('scaleway').map((v) => v.nodeName);
    await sim.clock.during(async () => {
      expect(await api.updatePool({ poolId: buffer.id, size: 0 })).toMatchObject({ size: 0 });
      expect(sim.world.kube.list('nodes').filter((n) => nodeNames.includes(n.metadata.name))).toEqual([]);
      expect((await api.listNodes({ clusterId, poolId: buffer.id })).nodes.map((n) => n.status)).toEqual(['deleting', 'deleting']);
    });
    await sim.clock.until(() => vmIds.every((id) => sim.world.getVm(id)?.state === 'terminated'), 5 * MIN, 'pool VMs terminated');
    expect(await api.listNodes({ clusterId, poolId: buffer.id })).toMatchObject({ nodes: [], totalCount: 0 });
    expect(await rejection(api.getNode({ nodeId: sim.random.uuid() }))).toBeInstanceOf(Errors.ResourceNotFoundError);
  });

  it('refuses sizes outside min/max and sizes for an external pool with InvalidArgumentsError', async () => {
    const tooBig = (await rejection(api.updatePool({ poolId: buffer.id, size: 11 }))) as Errors.InvalidArgumentsError;
    expect(tooBig).toBeInstanceOf(Errors.InvalidArgumentsError);
    expect(tooBig.status).toBe(400);
    expect(tooBig.details).toEqual([expect.objectContaining({ argumentName: 'size', reason: 'constraint' })]);

    const inverted = (await rejection(api.updatePool({ poolId: buffer.id, minSize: 5, maxSize: 2 }))) as Errors.InvalidArgumentsError;
    expect(inverted.details[0].argumentName).toBe('min_size');

    const external = (await rejection(api.updatePool({ poolId: kosmos.id, size: 1 }))) as Errors.InvalidArgumentsError;
    expect(external).toBeInstanceOf(Errors.InvalidArgumentsError);

    expect(sim.world.getPool(buffer.id)).toMatchObject({ size: 0, minSize: 0, maxSize: 10 });
    expect(sim.world.listVms()).toEqual([]);

    // Limits alone are updatable, and then bound the size.
    expect(await api.updatePool({ poolId: buffer.id, maxSize: 3, autoscaling: true, tags: ['buffer'] })).toMatchObject({
      maxSize: 3,
      autoscaling: true,
      tags: ['buffer'],
    });
    expect(sim.world.getPool(buffer.id)).toMatchObject({ maxSize: 3, autoscaling: true });
    expect(await rejection(api.updatePool({ poolId: buffer.id, size: 4 }))).toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('rejects an unknown secret key (401) and a node key outside its endpoints (403)', async () => {
    const stranger = '00000000-0000-4000-8000-000000000001';
    const denied = (await rejection(k8sApi(sim, stranger).listPools({ clusterId }))) as Errors.DeniedAuthenticationError;
    expect(denied).toBeInstanceOf(Errors.DeniedAuthenticationError);
    expect(denied).toMatchObject({ status: 401, method: 'api_key', reason: 'not_found' });
    expect(denied.message).not.toContain(stranger);

    const { nodeSecretKey } = await api.authExternalNode({ poolId: kosmos.id });
    const forbidden = await rejection(k8sApi(sim, nodeSecretKey).listPools({ clusterId }));
    expect(forbidden).toBeInstanceOf(Errors.PermissionsDeniedError);
    expect((forbidden as Errors.PermissionsDeniedError).status).toBe(403);
  });

  it('refuses to grow past the project node quota with QuotasExceededError', async () => {
    setScalewayNodeQuota(sim.world, 3);
    const err = (await rejection(api.updatePool({ poolId: buffer.id, size: 4 }))) as Errors.QuotasExceededError;
    expect(err).toBeInstanceOf(Errors.QuotasExceededError);
    expect(err.status).toBe(403);
    expect(err.list).toEqual([{ resource: 'k8s_nodes', quota: 3, current: 0, scope: { kind: 'project', id: sim.credentials.scaleway.projectId } }]);
    expect(sim.world.getPool(buffer.id)?.size).toBe(0);
    expect(sim.world.listVms()).toEqual([]);

    expect((await api.updatePool({ poolId: buffer.id, size: 3 })).size).toBe(3);
    expect(sim.world.poolVms(buffer.id)).toHaveLength(3);
  });

  it('refuses a resize with no stock left with OutOfStockError (503) and leaves the pool as it was', async () => {
    sim.world.setCapacity({ provider: 'scaleway', type: 'DEV1-M' }, 1);
    const err = (await rejection(api.updatePool({ poolId: buffer.id, size: 2 }))) as Errors.OutOfStockError;
    expect(err).toBeInstanceOf(Errors.OutOfStockError);
    expect(err).toMatchObject({ status: 503, resource: 'dev1_m' });
    expect(sim.world.getPool(buffer.id)?.size).toBe(0);
    expect(sim.world.listVms()).toEqual([]);

    // The same size asked again once stock is back launches the nodes (a size left at 2 would make it a no-op).
    sim.world.setCapacity({ provider: 'scaleway', type: 'DEV1-M' }, undefined);
    expect((await api.updatePool({ poolId: buffer.id, size: 2 })).size).toBe(2);
    expect(sim.world.poolVms(buffer.id)).toHaveLength(2);
  });

  it('answers throttling with TooManyRequestsError, from a fault and from a rate limit', async () => {
    sim.faults.set('scaleway', 'ListPools', { throttle: true });
    expect(await rejection(api.listPools({ clusterId }))).toBeInstanceOf(Errors.TooManyRequestsError);
    sim.faults.clear('scaleway');

    sim.faults.set('scaleway', 'GetPool', { rateLimit: { capacity: 2, refillPerSecond: 0.1 } });
    await sim.clock.during(async () => {
      await api.getPool({ poolId: buffer.id });
      await api.getPool({ poolId: buffer.id });
      const err = (await rejection(api.getPool({ poolId: buffer.id }))) as Errors.TooManyRequestsError;
      expect(err).toBeInstanceOf(Errors.TooManyRequestsError);
      expect(err).toMatchObject({ status: 429, resetSeconds: 10 });
    });
    expect(sim.counters.get('scaleway', 'GetPool')).toBe(3);
  });

  it('gives a Kosmos node agent its bootstrap material for an external pool only', async () => {
    const auth = await api.authExternalNode({ poolId: kosmos.id });
    expect(auth.metadataUrl).toBe(`${sim.endpoints.scaleway}/k8s/v1/regions/fr-par/pools/${kosmos.id}/external-nodes`);

    const agent = k8sApi(sim, auth.nodeSecretKey);
    const node = await agent.createExternalNode({ poolId: kosmos.id });
    const cluster = await api.getCluster({ clusterId });
    expect(node.clusterUrl).toBe(cluster.clusterUrl);
    expect(Buffer.from(node.clusterCa, 'base64').toString()).toBe(sim.caCert);
    expect(node.kubeToken).toBe(sim.world.joinToken);
    expect(node.kubeletConfig).toContain('kind: KubeletConfiguration');
    expect(node.poolVersion).toBe(sim.world.scalewayCluster.version);
    expect(node.nodeLabels).toMatchObject({ 'k8s.scaleway.com/pool': kosmos.id, 'k8s.scaleway.com/external-node': 'true' });
    expect(node.name).toBe(`scw-shepherd-sim-kosmos-${node.id.replaceAll('-', '').slice(0, 22)}`);
    expect(sim.world.timeline.some((e) => e.type === 'scaleway.external-node' && e.subject === node.id)).toBe(true);
    expect(JSON.stringify(sim.world.timeline)).not.toContain(node.kubeToken);
    expect(JSON.stringify(sim.world.timeline)).not.toContain(auth.nodeSecretKey);

    expect(await rejection(api.authExternalNode({ poolId: buffer.id }))).toBeInstanceOf(Errors.PreconditionFailedError);
    expect(await rejection(api.createExternalNode({ poolId: buffer.id }))).toBeInstanceOf(Errors.PreconditionFailedError);
    expect(await rejection(agent.createExternalNode({ poolId: buffer.id }))).toBeInstanceOf(Errors.PermissionsDeniedError);
    expect(sim.counters.get('scaleway', 'CreateExternalNode')).toBe(3);
  });

  it('lists an AWS VM that joined the external pool with the Kosmos join script, and keeps it after the VM dies', async () => {
    const script = [
      '#!/bin/bash',
      'set -euo pipefail',
      `export POOL_ID=${kosmos.id} POOL_REGION=fr-par SCW_SECRET_KEY=${sim.world.scalewaySecretKey}`,
      'curl -fsSL https://scwcontainermulticloud.s3.fr-par.scw.cloud/multicloud-init.sh -o /tmp/multicloud-init.sh',
      'chmod +x /tmp/multicloud-init.sh',
      '/tmp/multicloud-init.sh -p "$POOL_ID" -r "$POOL_REGION" -t "$SCW_SECRET_KEY"',
    ].join('\n');
    const vm = sim.world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', userData: Buffer.from(script).toString('base64') });

    const nodeReady = () => {
      const name = sim.world.getVm(vm.id)?.nodeName;
      const node = name ? sim.world.kube.get('nodes', undefined, name) : undefined;
      return node !== undefined && readyStatus(node) === 'True';
    };
    await sim.clock.until(nodeReady, 10 * MIN, 'external node Ready');
    const joined = sim.world.getVm(vm.id)!;
    await sim.clock.during(async () => {
      const { nodes } = await api.listNodes({ clusterId, poolId: kosmos.id });
      expect(nodes).toHaveLength(1);
      expect(nodes[0]).toMatchObject({ name: joined.nodeName, status: 'ready', poolId: kosmos.id, publicIpV4: joined.publicIp });
      // Kosmos external nodes get no providerID (world/scaleway/node-identity.ts).
      expect(nodes[0].providerId).toBe('');
      expect((await api.getPool({ poolId: kosmos.id })).size).toBe(1);
      expect((await api.listNodes({ clusterId, poolId: buffer.id })).nodes).toEqual([]);
    });

    sim.world.terminateVm(vm.id);
    await sim.clock.until(() => !nodeReady() && sim.world.getVm(vm.id)?.state === 'terminated', 10 * MIN, 'external VM gone');
    const { nodes } = await api.listNodes({ clusterId, poolId: kosmos.id });
    expect(nodes.map((n) => [n.name, n.status])).toEqual([[joined.nodeName, 'not_ready']]);
  });
});
