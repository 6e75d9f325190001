import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { isSsmParameterArn } from '../../../config/secret-ref.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { KubeObject } from '../../../sim/world/types.js';
import { expectReadableCause } from '../../helpers/fail-cause.js';

/**
 * ProvisionNode end to end: the synthesized stack's state machine and bundled functions, run by the
 * local control plane against the simulated clouds. Nothing of ours is mocked.
 */

/** The shipped config plus a pool on the in-memory fake provider (registered like any other provider). */
function testConfig(): ShepherdConfig {
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.providers.fake = { region: 'fake-1', zones: ['fake-1a', 'fake-1b'] };
  raw.pools.push({ name: 'fake-pool', provider: 'fake', instanceTypes: ['f1.small', 'f1.large'], arch: 'amd64', max: 3, join: { method: 'none' } });
  const config = parseConfig(raw, 'test config');
  const gcp = config.pools.find((p) => p.name === 'gcp-amd64')!;
  gcp.taints = [{ key: 'shepherd.io/dedicated', value: 'gcp', effect: 'NoSchedule' }];
  return config;
}

const config = testConfig();
let local: ShepherdLocal;
const logs: string[] = [];

beforeAll(async () => {
  await synthesizeStack(config);
}, 180_000);

afterEach(async () => {
  await local?.stop();
  logs.length = 0;
});

async function start(seed = 1) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: (fn, line) => logs.push(`${fn} ${line}`) });
  return local;
}

async function provision(input: unknown, name?: string) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, name);
  return local.controlPlane.waitForExecution(executionArn);
}

function nodesOfPool(pool: string): KubeObject[] {
  return local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` });
}

const ready = (n: KubeObject) => n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

async function poolState(pool: string): Promise<{ active: number; claims: Record<string, number> }> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return { active: Number(out.Item?.active ?? 0), claims: out.Item?.claims ?? {} };
}

/** VMs that are not gone and have no Node: what "no orphaned VM" forbids once a workflow ended. */
function orphans(): string[] {
  return local.sim.world
    .listVms()
    .filter((v) => v.provider !== 'home' && !['terminated', 'shutting-down'].includes(v.state) && !v.nodeName)
    .map((v) => `${v.provider}/${v.id}`);
}

describe('Workflow: ProvisionNode (local control plane + simulated clouds)', () => {
  it('runs on SSM SecureString parameters: the shipped config names every secret as a parameter', () => {
    const refs = [config.cluster.kubeconfigSecretArn, config.providers.gcp!.credentialsSecretArn, config.providers.scaleway!.credentialsSecretArn];
    for (const pool of config.pools) if (pool.join.method === 'kosmos') refs.push(pool.join.secretKeySecretArn);
    expect(refs.filter((arn) => !isSsmParameterArn(arn))).toEqual([]);
  });

  it('EC2: provisions two Kosmos external nodes, Ready and labelled, tagged VMs, two active claims', async () => {
    await start();
    const out = await provision({ pool: 'aws-amd64', count: 2, reason: 'test' });
    expect(out.status).toBe('SUCCEEDED');
    const nodes = nodesOfPool('aws-amd64');
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(ready(n)).toBe('True');
      expect(n.metadata.labels).toMatchObject({
        'shepherd.io/site': 'aws',
        'shepherd.io/provider': 'aws',
        'shepherd.io/role': 'worker',
        'topology.kubernetes.io/region': 'eu-west-3',
        'node.kubernetes.io/instance-type': 't3.medium',
        'kubernetes.io/arch': 'amd64',
      });
      const vm = local.sim.world.vmOfNode(n.metadata.name)!;
      expect(n.metadata.labels?.['topology.kubernetes.io/zone']).toBe(vm.zone);
      expect(vm.tags).toMatchObject({
        'shepherd:cluster': 'kosmos-demo',
        'shepherd:pool': 'aws-amd64',
        'shepherd:claim': n.metadata.labels?.['shepherd.io/claim'],
      });
      expect(vm.state).toBe('running');
    }
    expect((await poolState('aws-amd64')).active).toBe(2);
    expect(JSON.parse(out.output ?? '{}').nodes.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('EC2 arm64: the Kosmos join picks the arm64 node agent, so the spot arm64 VM joins', async () => {
    await start();
    const out = await provision({ pool: 'aws-arm64' });
    expect(out.status).toBe('SUCCEEDED');
    const [node] = nodesOfPool('aws-arm64');
    expect(node.metadata.labels?.['kubernetes.io/arch']).toBe('arm64');
    expect(local.sim.world.vmOfNode(node.metadata.name)).toMatchObject({ arch: 'arm64', spot: true, type: 't4g.medium' });
  });

  it('GCE: provisions a Kosmos external node with the pool taint; Kosmos names it and gives it no providerID', async () => {
    await start();
    const out = await provision({ pool: 'gcp-amd64' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const [node] = nodesOfPool('gcp-amd64');
    expect(ready(node)).toBe('True');
    expect(node.metadata.name).toMatch(/^scw-kosmos-demo-/);
    expect(node.spec.providerID).toBeUndefined();
    expect(node.spec.taints).toContainEqual({ key: 'shepherd.io/dedicated', value: 'gcp', effect: 'NoSchedule' });
    const vm = local.sim.world.vmOfNode(node.metadata.name)!;
    expect(vm).toMatchObject({ provider: 'gcp', project: 'shepherd-sim', state: 'running', type: 'e2-standard-2' });
  });

  it('Scaleway: grows the buffer pool by one and hands over its new node', async () => {
    await start();
    const poolId = '00000000-0000-4000-8000-000000000021';
    const out = await provision({ pool: 'scw-buffer' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(local.sim.world.getPool(poolId)).toMatchObject({ size: 1, status: 'ready' });
    const [node] = nodesOfPool('scw-buffer');
    expect(node.metadata.labels).toMatchObject({ 'k8s.scaleway.com/pool': poolId, 'shepherd.io/role': 'buffer' });
    expect(ready(node)).toBe('True');
  });

  it("Scaleway: a claim that takes a node already in the pool and then fails does not shrink the pool or touch another claim's node or VM", async () => {
    await start();
    const poolId = '00000000-0000-4000-8000-000000000021';
    const { world } = local.sim;
    world.resizePool(poolId, 2);
    const poolNodes = () => world.kube.list('nodes', { labelSelector: `k8s.scaleway.com/pool=${poolId}` });
    await local.sim.clock.until(() => poolNodes().length === 2 && poolNodes().every((n) => ready(n) === 'True'), 600_000, 'two Ready pool nodes');
    const [held, free] = poolNodes().sort((a, b) => b.metadata.name.localeCompare(a.metadata.name));
    world.kube.mutate('nodes', undefined, held.metadata.name, (n) => {
      n.metadata.labels = { ...n.metadata.labels, 'shepherd.io/claim': 'c-another-claim' };
    });
    // The claim takes the free node (a compare-and-set label patch); then labelling it fails for good.
    world.kube.onChange((resource, type, obj) => {
      if (resource === 'nodes' && type === 'MODIFIED' && obj.metadata.name === free.metadata.name && obj.metadata.labels?.['shepherd.io/claim']) {
        local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
      }
    });
    const heldVm = world.vmOfNode(held.metadata.name)!;

    const out = await provision({ pool: 'scw-buffer' });

    expect(out.status).toBe('FAILED');
    expect(expectReadableCause(out.cause).sentence).toMatch(/^Provisioning failed for 1 of 1 nodes of pool scw-buffer; .* First failure, TransientError: /);
    expect(world.getPool(poolId)?.size).toBe(2);
    // The claim's own node is replaced through the node API (test/integration/provisioning/gce-scaleway.test.ts); the other stays.
    expect(world.getVm(heldVm.id)?.state).toBe('running');
    const other = world.kube.get('nodes', undefined, held.metadata.name);
    expect(other?.metadata.labels?.['shepherd.io/claim']).toBe('c-another-claim');
    expect(ready(other!)).toBe('True');
    expect((await poolState('scw-buffer')).active).toBe(0);
  });

  it('the fake provider, registered in the test config, provisions end to end: its VM registers a Ready Node that shepherd labels', async () => {
    await start();
    const out = await provision({ pool: 'fake-pool', count: 2, reason: 'fake' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const nodes = nodesOfPool('fake-pool');
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(ready(n)).toBe('True');
      expect(n.spec.providerID).toMatch(/^fake:\/\/kosmos-demo\/fake-1a\/fake-[0-9a-f]{12}$/);
      expect(n.metadata.labels).toMatchObject({
        'shepherd.io/provider': 'fake',
        'shepherd.io/pool': 'fake-pool',
        'node.kubernetes.io/instance-type': 'f1.small',
        'topology.kubernetes.io/region': 'fake-1',
        'topology.kubernetes.io/zone': 'fake-1a',
      });
    }
    expect((await poolState('fake-pool')).active).toBe(2);
    const results = JSON.parse(out.output ?? '{}').nodes;
    expect(results.map((r: { vm: { provider: string } }) => r.vm.provider)).toEqual(['fake', 'fake']);
    // Only the fake's function ran the launches: no cloud API was called.
    expect(local.sim.counters.get('ec2', 'RunInstances') ?? 0).toBe(0);
    expect(local.sim.counters.get('gce', 'instances.insert') ?? 0).toBe(0);
  });

  it("a live node on another site with the new VM's private IP and no providerID is neither labelled nor removed", async () => {
    await start();
    const { world } = local.sim;
    // The home lab and the first EC2 subnet both hand out 10.0.0.4 first (overlapping-private-ips).
    const home = world.listVms('home')[0];
    await local.sim.clock.until(() => ready(world.kube.get('nodes', undefined, home.name) ?? ({} as KubeObject)) === 'True', 120_000, 'the home node');
    const before = world.kube.get('nodes', undefined, home.name)!;
    expect(before.spec.providerID).toBeUndefined();

    const out = await provision({ pool: 'aws-amd64' });

    expect(out.status, out.cause).toBe('SUCCEEDED');
    const [vm] = world.listVms('aws');
    expect(vm.privateIp).toBe(home.privateIp);
    const after = world.kube.get('nodes', undefined, home.name)!;
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.spec.taints).toEqual(before.spec.taints);
    const [node] = nodesOfPool('aws-amd64');
    expect(world.vmOfNode(node.metadata.name)?.id).toBe(vm.id);
    expect(JSON.parse(out.output ?? '{}').nodes[0].nodeName).toBe(node.metadata.name);
  });

  it('capacity error on the first instance type: launches the next type, nothing left behind', async () => {
    await start();
    local.sim.world.setCapacity({ provider: 'aws', type: 't3.medium' }, 0);
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('SUCCEEDED');
    expect(nodesOfPool('aws-amd64').map((n) => n.metadata.labels?.['node.kubernetes.io/instance-type'])).toEqual(['t3.large']);
    expect(local.sim.world.listVms('aws')).toHaveLength(1);
    expect(orphans()).toEqual([]);
  });

  it('no capacity anywhere: fails with InsufficientCapacityError naming what was tried, claim released, no VM', async () => {
    await start();
    local.sim.world.setCapacity({ provider: 'aws' }, 0);
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ProvisionFailed');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toMatch(
      /^Provisioning failed for 1 of 1 nodes of pool aws-amd64; .* First failure, InsufficientCapacityError: .*t3\.medium@eu-west-3a/,
    );
    expect(cause.details.nodes).toEqual([expect.objectContaining({ status: 'failed', error: 'InsufficientCapacityError', message: expect.any(String) })]);
    expect(local.sim.world.listVms('aws')).toHaveLength(0);
    expect((await poolState('aws-amd64')).active).toBe(0);
  });

  it('a VM that never joins: registration deadline, VM terminated, claim released, the cause says so', async () => {
    await start();
    local.sim.world.setNeverJoin({ provider: 'aws' });
    const startedAt = local.sim.clock.now();
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('FAILED');
    expect(expectReadableCause(out.cause).sentence).toMatch(
      /First failure, RegistrationTimeout: VM i-\w+ did not register a Ready Node within 60 polls of 15 s; it is being terminated\.$/,
    );
    const [vm] = local.sim.world.listVms('aws');
    expect(['shutting-down', 'terminated']).toContain(vm.state);
    expect(vm.stateChangedAt - startedAt).toBeGreaterThanOrEqual(900_000);
    expect(vm.stateChangedAt - startedAt).toBeLessThan(1_000_000);
    expect(nodesOfPool('aws-amd64')).toHaveLength(0);
    expect((await poolState('aws-amd64')).active).toBe(0);
    expect(orphans()).toEqual([]);
  });

  it('a throttling storm on EC2: retried with backoff, exactly one VM, success', async () => {
    await start();
    local.sim.faults.set('ec2', 'RunInstances', { throttle: true });
    local.sim.clock.setTimer(45_000, () => local.sim.faults.clear('ec2'));
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(local.sim.counters.get('ec2', 'RunInstances')).toBeGreaterThan(2);
    expect(local.sim.world.listVms('aws')).toHaveLength(1);
    const history = local.controlPlane.stepFunctions.history(out.executionArn);
    expect(history.filter((e) => e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed').length).toBeGreaterThan(0);
  });

  it('a Lambda failing mid-way (labelling refused by the API server): Node removed, VM terminated, claim released', async () => {
    await start();
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('FAILED');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toMatch(/^Provisioning failed for 1 of 1 nodes of pool aws-amd64; .* First failure, TransientError: /);
    expect(cause.details.nodes).toEqual([expect.objectContaining({ status: 'failed', error: 'TransientError', cleanup: expect.anything() })]);
    expect(local.sim.world.listVms('aws').map((v) => v.state)).toEqual([expect.stringMatching(/shutting-down|terminated/)]);
    expect(local.sim.world.kube.list('nodes').filter((n) => local.sim.world.vmOfNode(n.metadata.name)?.provider === 'aws')).toHaveLength(0);
    expect((await poolState('aws-amd64')).active).toBe(0);
    expect(orphans()).toEqual([]);
  });

  it('the same request started twice: one VM, one node, no orphan', async () => {
    await start();
    const input = { pool: 'aws-amd64', requestId: 'same-request-1' };
    const a = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'first');
    const b = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'second');
    const [ra, rb] = await Promise.all([local.controlPlane.waitForExecution(a.executionArn), local.controlPlane.waitForExecution(b.executionArn)]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses).toContain('SUCCEEDED');
    const loser = [ra, rb].find((r) => r.status === 'FAILED');
    if (loser) expect(expectReadableCause(loser.cause).sentence).toContain('First failure, DuplicateRequestError: ');
    expect(local.sim.world.listVms('aws')).toHaveLength(1);
    expect(nodesOfPool('aws-amd64')).toHaveLength(1);
    expect((await poolState('aws-amd64')).active).toBe(1);
    // Started again after it finished: the claim is active, so nothing new is launched.
    const again = await provision(input, 'third');
    expect(again.status).toBe('SUCCEEDED');
    expect(JSON.parse(again.output ?? '{}').nodes[0]).toMatchObject({ status: 'succeeded', reused: true });
    expect(local.sim.world.listVms('aws')).toHaveLength(1);
  });

  it('invalid input fails first with an error a person can act on, and touches nothing', async () => {
    await start();
    const out = await provision({ pool: 'aws-amd46' });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('InvalidInput');
    expect(expectReadableCause(out.cause)).toEqual({
      sentence: '"pool": no pool named "aws-amd46" in the config; pools: aws-amd64, aws-arm64, gcp-amd64, home, scw-buffer, fake-pool',
      details: { error: 'InvalidInputError' },
    });
    expect(local.sim.world.listVms('aws')).toHaveLength(0);
  });

  it('never puts a secret in the execution history or the function logs', async () => {
    await start();
    const out = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('SUCCEEDED');
    const history = JSON.stringify(local.controlPlane.stepFunctions.history(out.executionArn));
    const secrets = [local.sim.world.scalewaySecretKey, local.sim.credentials.kube.token, local.sim.credentials.aws.secretAccessKey];
    for (const s of secrets) {
      expect(history).not.toContain(s);
      expect(logs.join('\n')).not.toContain(s);
    }
    // The functions' structured log lines did reach the log: the check above looked at them.
    expect(logs.some((l) => l.includes('"level":"INFO","message":"launched"'))).toBe(true);
  });
});
