import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * ProvisionNode on GCE and Scaleway pools where the real services are unkind: the join script left readable in GCE
 * metadata, two claims racing for one Scaleway pool node, and cleanup of a claim's Scaleway node. The synthesized
 * stack's state machine and bundled functions, run by the local control plane against the simulated clouds.
 */

const config: ShepherdConfig = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'shepherd.config.json');
const POOL_ID = '00000000-0000-4000-8000-000000000021';
const CLAIM = 'shepherd.io/claim';
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 180_000);

afterEach(async () => {
  await local?.stop();
});

async function provision(input: unknown, name?: string) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, name);
  return local.controlPlane.waitForExecution(executionArn);
}

const ready = (n: KubeObject) => n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

async function readyPoolNodes(count: number): Promise<KubeObject[]> {
  const { world, clock } = local.sim;
  world.resizePool(POOL_ID, count);
  const nodes = () => world.kube.list('nodes', { labelSelector: `k8s.scaleway.com/pool=${POOL_ID}` });
  await clock.until(() => nodes().length === count && nodes().every((n) => ready(n) === 'True'), 600_000, 'Ready pool nodes');
  return nodes();
}

describe('Workflow: ProvisionNode on GCE and Scaleway pools (local control plane + simulated clouds)', () => {
  it('GCE: once the Node joined, the join script (with the Kosmos key) is gone from the instance metadata', async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' } });
    const out = await provision({ pool: 'gcp-amd64' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const [vm] = local.sim.world.listVms('gcp');
    expect(vm.nodeName).toBeTruthy();
    // What the metadata server serves pods on the VM: the instance's metadata items, as instances.get returns them.
    const res = await fetch(`${local.sim.endpoints.gce}/compute/v1/projects/${vm.project}/zones/${vm.zone}/instances/${vm.name}`, {
      headers: { authorization: `Bearer ${local.sim.credentials.gcp.accessToken}` },
    });
    const metadata = JSON.stringify(((await res.json()) as { metadata: unknown }).metadata);
    expect(metadata).not.toContain('startup-script');
    expect(metadata).not.toContain(local.sim.world.scalewaySecretKey);
    expect(local.sim.counters.get('gce', 'instances.setMetadata')).toBe(1);
  });

  it('Scaleway: two claims racing for the same pool node get one node each (the claim patch fails when the node was claimed in between)', async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' } });
    await readyPoolNodes(2);
    // Node reads are slow, and the second execution starts 2 s after the first: its list sees the node the first is
    // taking still unclaimed, and its read of that node comes after the first claim's label.
    local.sim.faults.set('kube', 'nodes.get', { latencyMs: 5_000 });
    const arn = local.stateMachineArn('provisionNode');
    const a = local.controlPlane.startExecution(arn, { pool: 'scw-buffer', requestId: 'race-a' }, 'race-a');
    await local.sim.clock.sleep(2_000);
    const b = local.controlPlane.startExecution(arn, { pool: 'scw-buffer', requestId: 'race-b' }, 'race-b');
    const results = await Promise.all([local.controlPlane.waitForExecution(a.executionArn), local.controlPlane.waitForExecution(b.executionArn)]);
    for (const r of results) expect(r.status, r.cause).toBe('SUCCEEDED');
    const taken = results.map((r) => JSON.parse(r.output ?? '{}').nodes[0] as { nodeName: string; claimId: string });
    expect(new Set(taken.map((t) => t.nodeName)).size).toBe(2);
    for (const t of taken) expect(local.sim.world.kube.get('nodes', undefined, t.nodeName)?.metadata.labels?.[CLAIM]).toBe(t.claimId);
  });

  it("Scaleway: a failed claim's node is removed through the node API (replaced, as the claim found it in the pool), another claim's node untouched", async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' } });
    const { world } = local.sim;
    const [held, free] = (await readyPoolNodes(2)).sort((x, y) => y.metadata.name.localeCompare(x.metadata.name));
    world.kube.mutate('nodes', undefined, held.metadata.name, (n) => {
      n.metadata.labels = { ...n.metadata.labels, [CLAIM]: 'c-another-claim' };
    });
    // The claim takes the free node; then labelling it fails for good.
    world.kube.onChange((resource, type, obj) => {
      if (resource === 'nodes' && type === 'MODIFIED' && obj.metadata.name === free.metadata.name && obj.metadata.labels?.[CLAIM]) {
        local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
      }
    });
    const freeVm = world.vmOfNode(free.metadata.name)!;

    const out = await provision({ pool: 'scw-buffer' });

    expect(out.status).toBe('FAILED');
    expect(local.sim.counters.get('scaleway', 'DeleteNode')).toBeGreaterThanOrEqual(1);
    expect(['shutting-down', 'terminated']).toContain(world.getVm(freeVm.id)?.state);
    expect(world.getPool(POOL_ID)?.size).toBe(2);
    const other = world.kube.get('nodes', undefined, held.metadata.name);
    expect(other?.metadata.labels?.[CLAIM]).toBe('c-another-claim');
    expect(world.vmOfNode(held.metadata.name)?.state).toBe('running');
  });
});
