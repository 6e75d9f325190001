import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { addDaemonSet } from '../../../sim/scenarios.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * RemoveNode end to end: the synthesized stack's state machines and bundled functions, run by the local control
 * plane against the simulated clouds. Each test provisions a node with ProvisionNode, then removes it. Nothing of ours
 * is mocked.
 */

const config: ShepherdConfig = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 180_000);

afterEach(async () => {
  await local?.stop();
});

async function start(seed = 1) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  return local;
}

async function run(workflow: 'provisionNode' | 'removeNode', input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn(workflow), input);
  return local.controlPlane.waitForExecution(executionArn);
}

/** Provisions one node of `pool` and returns its Node's name and claim id. */
async function provisioned(pool: string): Promise<{ nodeName: string; claimId: string }> {
  const out = await run('provisionNode', { pool, reason: 'test' });
  expect(out.status, out.cause).toBe('SUCCEEDED');
  const [node] = local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` });
  return { nodeName: node.metadata.name, claimId: node.metadata.labels?.['shepherd.io/claim'] as string };
}

function table() {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
}

async function claim(claimId: string): Promise<Record<string, unknown> | undefined> {
  return (await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' } }))).Item;
}

async function activeClaims(pool: string): Promise<number> {
  const out = await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return Number(out.Item?.active ?? 0);
}

const node = (name: string): KubeObject | undefined => local.sim.world.kube.get('nodes', undefined, name);

/** The Fail-cause convention: one sentence without '{', one space, then JSON details. */
function parseCause(cause: string | undefined): { sentence: string; details: Record<string, unknown> } {
  expect(cause).toBeDefined();
  const text = cause as string;
  const at = text.indexOf('{');
  expect(at, text).toBeGreaterThan(1);
  expect(text[at - 1]).toBe(' ');
  const sentence = text.slice(0, at - 1);
  expect(sentence).toMatch(/^[A-Z"].*[.)]$/);
  return { sentence, details: JSON.parse(text.slice(at)) };
}

/** No VM, Node or counted claim of the removed node is left, and the claim is released. */
async function expectGone(pool: string, nodeName: string, claimId: string) {
  expect(node(nodeName)).toBeUndefined();
  expect((await claim(claimId))?.status).toBe('released');
  expect(await activeClaims(pool)).toBe(0);
  const live = local.sim.world.listVms().filter((v) => v.nodeName === nodeName && !['terminated', 'shutting-down', 'deleted', 'deleting'].includes(v.state));
  expect(live.map((v) => `${v.provider}/${v.id} ${v.state}`)).toEqual([]);
}

describe('Workflow: RemoveNode (local control plane + simulated clouds)', () => {
  it('EC2 (by node name): cordons, drains (DaemonSet pods skipped), deletes the Node, terminates the VM, releases the claim; a second run is a no-op', async () => {
    await start();
    addDaemonSet(local.sim.world, 'log-agent');
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const out = await run('removeNode', { nodeName, reason: 'test' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const result = JSON.parse(out.output ?? '{}');
    expect(result).toMatchObject({ status: 'removed', nodeName, claimId, pool: 'aws-arm64' });
    expect(result.teardown.cordon.cordoned).toBe(true);
    expect(result.teardown.drain.drained).toBe(true);
    // The DaemonSet's pod on the node was left alone (it tolerates unschedulable; its controller would recreate it).
    expect(result.teardown.drain.skipped).toBeGreaterThan(0);
    expect(result.teardown.node.deleted).toBe(true);
    expect(result.teardown.vm).toEqual({ terminated: [vm.id], alreadyGone: [] });
    expect(result.vmOutcome).toBe(`terminated VM ${vm.id}`);
    await expectGone('aws-arm64', nodeName, claimId);
    expect(local.sim.world.listVms('aws').find((v) => v.id === vm.id)?.state).toMatch(/terminated|shutting-down/);

    const again = await run('removeNode', { nodeName });
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(JSON.parse(again.output ?? '{}')).toMatchObject({ status: 'already-removed', claimId });
    expect(JSON.parse(again.output ?? '{}').message).toMatch(/already removed/);
  });

  it('EC2, the VM deleted out of band first: the output, the audit and the progress say it was already gone, not terminated', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    local.sim.world.terminateVm(vm.id);
    const out = await run('removeNode', { claimId, reason: 'test' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const result = JSON.parse(out.output ?? '{}');
    expect(result.teardown.vm).toEqual({ terminated: [], alreadyGone: [vm.id] });
    expect(result.vmOutcome).toBe(`VM ${vm.id} was already gone`);
    await expectGone('aws-arm64', nodeName, claimId);
    const scan = await table().send(new ScanCommand({ TableName: local.tableName }));
    const removed = (scan.Items ?? []).filter((i) => String(i.pk).startsWith('AUDIT#') && i.event === 'node.removed').map((i) => i.detail);
    expect(removed).toEqual([expect.objectContaining({ claimId, vm: `VM ${vm.id} was already gone`, terminated: [], alreadyGone: [vm.id] })]);
  });

  it('GCE (by claim id): the VM is deleted, no Node and no claim remain; a second run by claim is a no-op', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('gcp-amd64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const out = await run('removeNode', { claimId });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    await expectGone('gcp-amd64', nodeName, claimId);
    expect(local.sim.world.listVms('gcp').filter((v) => v.id === vm.id && v.state === 'running')).toEqual([]);
    const again = await run('removeNode', { claimId });
    expect(again.status).toBe('SUCCEEDED');
    expect(JSON.parse(again.output ?? '{}').status).toBe('already-removed');
  });

  it('Scaleway pool: removes that node through the node API and the pool shrinks by one (no replacement)', async () => {
    await start();
    const poolId = '00000000-0000-4000-8000-000000000021';
    const { nodeName, claimId } = await provisioned('scw-buffer');
    expect(local.sim.world.getPool(poolId)?.size).toBe(1);
    const out = await run('removeNode', { nodeName });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    await expectGone('scw-buffer', nodeName, claimId);
    await local.sim.clock.advance(120_000);
    expect(local.sim.world.getPool(poolId)?.size).toBe(0);
    expect(local.sim.world.kube.list('nodes', { labelSelector: `k8s.scaleway.com/pool=${poolId}` })).toEqual([]);
  });

  it('refuses the last node of a pool at its min (aws-amd64, min 1) without touching it; "force": true removes it', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-amd64');
    const refused = await run('removeNode', { nodeName });
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe('LastNodeAtMinError');
    const { sentence, details } = parseCause(refused.cause);
    expect(sentence).toContain('aws-amd64');
    expect(sentence).toContain('"force": true');
    expect(details).toMatchObject({ error: 'LastNodeAtMinError', input: { nodeName } });
    expect(node(nodeName)?.spec.unschedulable).toBeFalsy();
    expect((await claim(claimId))?.status).toBe('active');

    const forced = await run('removeNode', { nodeName, force: true });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    await expectGone('aws-amd64', nodeName, claimId);
  });

  it('refuses a node shepherd did not provision (the home lab machine) and leaves it as it was', async () => {
    await start();
    const home = local.sim.world.listVms('home')[0];
    await local.sim.clock.until(() => node(home.name) !== undefined, 120_000, 'the home node');
    const before = node(home.name)!;
    const out = await run('removeNode', { nodeName: home.name });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('NodeNotOwnedError');
    const { sentence, details } = parseCause(out.cause);
    expect(sentence).toContain(`Node ${home.name} was not provisioned by shepherd`);
    expect(details.error).toBe('NodeNotOwnedError');
    const after = node(home.name)!;
    expect(after.spec.unschedulable).toBeFalsy();
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(local.sim.world.listVms('home')[0].state).toBe('running');
  });

  it('a node that does not exist and an unknown claim are refused, each with a cause that parses', async () => {
    await start();
    const missing = await run('removeNode', { nodeName: 'no-such-node' });
    expect(missing.error).toBe('NodeNotFoundError');
    expect(parseCause(missing.cause).sentence).toContain('There is no Node named no-such-node');
    const unknown = await run('removeNode', { claimId: `c${'0'.repeat(25)}` });
    expect(unknown.error).toBe('NodeNotOwnedError');
    expect(parseCause(unknown.cause).details).toMatchObject({ error: 'NodeNotOwnedError' });
  });

  it('bad input fails at once with a cause that names the field', async () => {
    await start();
    for (const [input, field] of [
      [{}, '"nodeName" or "claimId"'],
      [{ nodeName: 'x', claimId: 'y' }, 'not both'],
      [{ nodeName: 'Bad_Name' }, '"nodeName"'],
      [{ nodeName: 'n1', force: 'yes' }, '"force"'],
      [{ nodeName: 'n1', drainTimeoutSeconds: -1 }, '"drainTimeoutSeconds"'],
      [{ nodeName: 'n1', pool: 'x' }, '"pool"'],
    ] as const) {
      const out = await run('removeNode', input);
      expect(out.status).toBe('FAILED');
      // The same error name as ProvisionNode's bad input (fail-causes.test.ts); the details keep the function's.
      expect(out.error).toBe('InvalidInput');
      const { sentence, details } = parseCause(out.cause);
      expect(sentence).toContain(field);
      expect(details).toMatchObject({ error: 'InvalidInputError', input });
    }
  });

  it('a PodDisruptionBudget blocking eviction: the drain retries until the deadline, then fails with the node cordoned and its claim active; "force" then deletes the pods', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const world = local.sim.world;
    // One guarded replica pinned to the node's pool, and a budget that allows no disruption of it.
    world.kube.create('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'guarded', namespace: 'default', labels: { app: 'guarded' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'guarded' } },
        template: {
          metadata: { labels: { app: 'guarded' } },
          spec: {
            nodeSelector: { 'shepherd.io/pool': 'aws-arm64' },
            containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
          },
        },
      },
    });
    world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded', namespace: 'default' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    });
    const guarded = () => world.kube.list('pods', { labelSelector: 'app=guarded' });
    await local.sim.clock.until(() => guarded().some((p) => p.spec.nodeName === nodeName && p.status?.phase === 'Running'), 120_000, 'the guarded pod');

    const started = local.sim.clock.now();
    const out = await run('removeNode', { nodeName, drainTimeoutSeconds: 60 });
    const waited = (local.sim.clock.now() - started) / 1000;
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('DrainTimedOut');
    const { sentence, details } = parseCause(out.cause);
    expect(sentence).toContain(`Could not drain node ${nodeName} within 60 s`);
    expect(details).toMatchObject({ nodeName, claimId, pool: 'aws-arm64', drainTimeoutSeconds: 60 });
    expect(details.blockedPods).toEqual([`default/${guarded()[0].metadata.name}`]);
    // It waited for the deadline (7 passes, 10 s apart), not more than a few retries past it.
    expect(waited).toBeGreaterThanOrEqual(60);
    expect(waited).toBeLessThan(180);
    expect(node(nodeName)?.spec.unschedulable).toBe(true);
    expect(local.sim.world.vmOfNode(nodeName)?.state).toBe('running');
    const kept = await claim(claimId);
    expect(kept).toMatchObject({ status: 'active' });
    expect(String(kept?.owner)).toContain('provision-node');

    const forced = await run('removeNode', { nodeName, drainTimeoutSeconds: 20, force: true });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    expect(JSON.parse(forced.output ?? '{}').teardown.forced.deleted).toHaveLength(1);
    await expectGone('aws-arm64', nodeName, claimId);
  });

  it('a VM that cannot be terminated: the Node is deleted, the claim kept (still counted) and the cause parses; a second run by claim takes it over and finishes', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const fault = local.controlPlane.faults.lambda({
      state: 'Terminate node VM',
      fault: { kind: 'error', errorType: 'ProviderRequestError', errorMessage: 'EC2: UnauthorizedOperation' },
    });
    const out = await run('removeNode', { nodeName });
    expect(fault.hits).toBe(1);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('RemovalFailed');
    const { sentence, details } = parseCause(out.cause);
    expect(sentence).toContain(
      `The Node of claim ${claimId} was deleted, but its VM could not be terminated or its claim released: ProviderRequestError failed`,
    );
    expect(sentence).toContain('UnauthorizedOperation');
    expect(details).toMatchObject({ nodeName, claimId, pool: 'aws-arm64', error: 'ProviderRequestError' });
    expect(node(nodeName)).toBeUndefined();
    expect(local.sim.world.vmOfNode(nodeName)?.state ?? 'running').toBe('running');
    expect(await claim(claimId)).toMatchObject({ status: 'removing', leaseExpiresAt: 0 });
    expect(await activeClaims('aws-arm64')).toBe(1);

    const again = await run('removeNode', { claimId });
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(JSON.parse(again.output ?? '{}').status).toBe('removed');
    await expectGone('aws-arm64', nodeName, claimId);
  });

  it('a cordon refused by the API server: the claim is given back to its provisioner, the node kept, and the cause parses', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const provisioner = (await claim(claimId))?.owner;
    local.controlPlane.faults.lambda({ state: 'Cordon node', fault: { kind: 'error', errorType: 'KubeApiError', errorMessage: '403 Forbidden' } });
    const out = await run('removeNode', { nodeName });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('RemovalFailed');
    const { sentence, details } = parseCause(out.cause);
    expect(sentence).toContain(`Could not remove node ${nodeName}: KubeApiError failed (403 Forbidden)`);
    expect(details).toMatchObject({ nodeName, claimId, error: 'KubeApiError' });
    expect(node(nodeName)).toBeDefined();
    expect(await claim(claimId)).toMatchObject({ status: 'active', owner: provisioner });
  });

  it('a failure that cannot be recorded either still ends with a cause that parses', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    local.controlPlane.faults.lambda({ state: 'Cordon node', fault: { kind: 'error', errorType: 'KubeApiError', errorMessage: '403 Forbidden' } });
    local.controlPlane.faults.lambda({ state: 'Give claim back', fault: { kind: 'error', errorType: 'AccessDeniedException', errorMessage: 'denied' } });
    const out = await run('removeNode', { nodeName });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('KubeApiError');
    const { sentence, details } = parseCause(out.cause);
    expect(sentence).toContain(`Could not remove the node of claim ${claimId}`);
    expect(details).toMatchObject({ error: 'KubeApiError', recordError: 'AccessDeniedException', nodeName, claimId });
  });
});
