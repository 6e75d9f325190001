import { createClient } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, type SimOptions, startSim } from '../../sim/index.js';
import { readyStatus } from '../../sim/world/cluster/status.js';
import { renderKosmosJoin } from '../../sim/world/join-scripts.js';

/**
 * What Scaleway names pool nodes, through the official @scaleway/sdk-k8s: the API's node and the registered Kubernetes
 * Node carry one name, `scw-<cluster>-<pool>-<hex of the node id>` (46 characters); Kapsule nodes have the Instance's
 * providerID, Kosmos external nodes none (sim/world/scaleway/node-identity.ts cites the sources).
 */

const MIN = 60_000;
let sim: Sim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setUp(world: SimOptions['world'] = {}): Promise<{ s: Sim; api: K8Sv1.API; agentApi: (key: string) => K8Sv1.API }> {
  const s = await startSim({ servers: ['scaleway'], seed: 3, clock: { mode: 'virtual' }, world });
  sim = s;
  const c = s.credentials.scaleway;
  const client = (secretKey: string) =>
    new K8Sv1.API(createClient({ accessKey: c.accessKey, secretKey, defaultProjectId: c.projectId, defaultRegion: c.region, apiURL: s.endpoints.scaleway }));
  return { s, api: client(c.secretKey), agentApi: client };
}

const hexOf = (id: string) => id.replaceAll('-', '');

/** An AWS VM that runs the Kosmos join for `poolId`, once its Node is Ready. */
async function joinedAwsVm(s: Sim, poolId: string) {
  const vm = s.world.launchVm({
    provider: 'aws',
    zone: 'eu-west-3a',
    type: 't3.medium',
    userData: Buffer.from(renderKosmosJoin(poolId, 'fr-par', s.world.scalewaySecretKey)).toString('base64'),
  });
  await s.clock.until(
    () => {
      const name = s.world.getVm(vm.id)?.nodeName;
      const node = name ? s.world.kube.get('nodes', undefined, name) : undefined;
      return node !== undefined && readyStatus(node) === 'True';
    },
    15 * MIN,
    'the external node to be Ready',
  );
  return s.world.getVm(vm.id)!;
}

describe('simulated Scaleway pool node names (official @scaleway/sdk-k8s)', () => {
  it('Kapsule: the API node, the Instance and the Node share scw-<cluster>-<pool>-<hex>; providerID scaleway://instance/<zone>/<id>', async () => {
    const { s, api } = await setUp();
    const pool = s.world.createPool({ name: 'buffer', nodeType: 'DEV1-M', zone: 'fr-par-1', minSize: 0, maxSize: 3 });
    await api.updatePool({ poolId: pool.id, size: 2 });
    await s.clock.until(() => s.world.getPool(pool.id)?.status === 'ready', 30 * MIN, 'the pool to be ready');

    const { nodes } = await s.clock.during(() => api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: pool.id }));
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(n.name).toBe(`scw-shepherd-sim-buffer-${hexOf(n.id).slice(0, 22)}`);
      expect(n.name).toHaveLength(46);
      const vm = s.world.vmOfNode(n.name)!;
      expect(vm.name).toBe(n.name);
      const node = s.world.kube.get('nodes', undefined, n.name)!;
      expect(node.metadata.labels?.['kubernetes.io/hostname']).toBe(n.name);
      expect(node.spec.providerID).toBe(`scaleway://instance/fr-par-1/${vm.id}`);
      expect(n.providerId).toBe(node.spec.providerID);
    }
    expect(new Set(nodes.map((n) => n.name)).size).toBe(2);
  });

  it('Kosmos: an external node registers under the name createExternalNode gives, the API lists the same name, and neither has a providerID', async () => {
    const { s, api, agentApi } = await setUp();
    const kosmos = s.world.createPool({ name: 'aws-amd64', nodeType: 'external' });
    const vm = await joinedAwsVm(s, kosmos.id);

    const { nodes } = await s.clock.during(() => api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: kosmos.id }));
    expect(nodes).toHaveLength(1);
    const [apiNode] = nodes;
    expect(apiNode.name).toBe(vm.nodeName);
    expect(apiNode.name).toBe(`scw-shepherd-sim-aws-amd64-${hexOf(apiNode.id).slice(0, 19)}`);
    expect(apiNode.name).toHaveLength(46);
    expect(apiNode.name).not.toBe(vm.name);
    expect(apiNode.providerId).toBe('');
    const node = s.world.kube.get('nodes', undefined, apiNode.name)!;
    expect(node.spec.providerID).toBeUndefined();
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: vm.privateIp });

    // The node agent's own call names its node the same way.
    const auth = await s.clock.during(() => api.authExternalNode({ poolId: kosmos.id }));
    const created = await s.clock.during(() => agentApi(auth.nodeSecretKey).createExternalNode({ poolId: kosmos.id }));
    expect(created.name).toBe(`scw-shepherd-sim-aws-amd64-${hexOf(created.id).slice(0, 19)}`);
    expect(created.name).not.toBe(apiNode.name);
  });

  it('a kind world (kosmos-node-identity off): the external node keeps its machine name and cloud providerID, in the API and the Node alike', async () => {
    const { s, api } = await setUp({ kind: ['kosmos-node-identity'] });
    const kosmos = s.world.createPool({ name: 'aws-amd64', nodeType: 'external' });
    const vm = await joinedAwsVm(s, kosmos.id);

    const { nodes } = await s.clock.during(() => api.listNodes({ clusterId: s.world.scalewayCluster.id, poolId: kosmos.id }));
    expect(nodes.map((n) => [n.name, n.providerId])).toEqual([[vm.name, `aws:///eu-west-3a/${vm.id}`]]);
    expect(s.world.kube.get('nodes', undefined, vm.name)?.spec.providerID).toBe(`aws:///eu-west-3a/${vm.id}`);
  });
});
