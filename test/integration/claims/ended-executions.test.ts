import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { claimIdOf } from '../../../functions/decisions/provision.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { statusChangeEvent } from '../../../local/stepfunctions/status-events.js';
import type { ExecutionView } from '../../../local/stepfunctions/stepfunctions.js';

/**
 * ProvisionNode executions that end without running their own cleanup states: stopped (StopExecution) or timed
 * out. Step Functions' status change event reaches the stack's rule on the default bus, which starts ClaimCleanup.
 * Everything is the synthesized stack run by the local control plane against the simulated clouds.
 */

const config = loadConfigFile('shepherd.config.json');
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 300_000);

afterEach(async () => {
  await local?.stop();
});

async function start() {
  local = await startShepherdLocal({ config, seed: 11, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  return local;
}

function cleanupMachine(): string {
  const found = Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('claim-cleanup'));
  if (!found) throw new Error(`no ClaimCleanup state machine; have ${Object.keys(local.controlPlane.stateMachines).join(', ')}`);
  return found[1];
}

/**
 * The ClaimCleanup executions started, oldest first, each waited for: once more than `after` have started (EventBridge
 * delivers the status event at least once and late, see local/events/delivery.ts, so the execution starts a little
 * after the ProvisionNode execution ends).
 */
async function cleanups(after = 0): Promise<ExecutionView[]> {
  const machine = cleanupMachine();
  await local.sim.clock.until(() => local.controlPlane.stepFunctions.listExecutions(machine).length > after, 60_000, 'a ClaimCleanup execution to start');
  const started = local.controlPlane.stepFunctions.listExecutions(machine).reverse();
  return Promise.all(started.map((e) => local.controlPlane.waitForExecution(e.executionArn)));
}

function table(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
}

async function claimRecord(claimId: string): Promise<Record<string, unknown> | undefined> {
  return (await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' } }))).Item;
}

async function activeClaims(pool: string): Promise<number> {
  const out = await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return Number(out.Item?.active ?? 0);
}

const running = (pool: string) =>
  local.sim.world.listVms().filter((v) => v.tags?.['shepherd:pool'] === pool && !['terminated', 'shutting-down'].includes(v.state));
const nodesOf = (pool: string) => local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` });
// Nodes of EC2 VMs, by their machine: Kosmos names them itself (kosmos-node-identity).
const shepherdNodes = () => local.sim.world.kube.list('nodes').filter((n) => local.sim.world.vmOfNode(n.metadata.name)?.provider === 'aws');

describe('Workflow: ClaimCleanup after a ProvisionNode execution that ended without its cleanup', () => {
  it('stopped while labelling its Node: the Node is deleted, the VM terminated, the claim released; the requestId works again; a duplicate event is harmless', async () => {
    await start();
    // Labelling keeps failing, so the execution sits in its retries with a registered Node, a VM and a claim.
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const input = { pool: 'aws-amd64', requestId: 'stop-me' };
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'to-be-stopped');
    await local.sim.clock.until(() => shepherdNodes().length === 1, 30 * 60_000, 'the Node to register');
    local.controlPlane.stepFunctions.stopExecution(executionArn, 'Operator', 'stopped by the test');
    const stopped = await local.controlPlane.waitForExecution(executionArn);
    expect(stopped.status).toBe('ABORTED');

    const [cleanup] = await cleanups();
    expect(cleanup.status, cleanup.cause).toBe('SUCCEEDED');
    const claimId = claimIdOf(config.cluster.name, 'aws-amd64', 'stop-me', 0);
    expect(JSON.parse(cleanup.output ?? '{}').claims).toEqual([expect.objectContaining({ status: 'cleaned', claimId })]);
    expect(running('aws-amd64')).toEqual([]);
    expect(shepherdNodes()).toEqual([]);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released', releaseReason: expect.stringContaining('ExecutionAborted') });
    expect(await activeClaims('aws-amd64')).toBe(0);

    // The same requestId provisions again: no DuplicateRequestError.
    local.sim.faults.clear('kube');
    const again = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'after-the-stop');
    const out = await local.controlPlane.waitForExecution(again.executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(JSON.parse(out.output ?? '{}').nodes[0]).toMatchObject({ status: 'succeeded', claimId });
    expect(running('aws-amd64')).toHaveLength(1);

    // The stopped execution's event again (EventBridge delivers at least once): the claim now belongs to the new
    // execution, so the second cleanup touches nothing.
    const before = await cleanups();
    local.controlPlane.publish(
      statusChangeEvent(stopped, { id: 'duplicate-delivery', region: 'eu-west-3', accountId: local.sim.credentials.aws.accountId, now: local.sim.clock.now() }),
    );
    const after = await cleanups(before.length);
    expect(after).toHaveLength(before.length + 1);
    const duplicate = after[after.length - 1];
    expect(duplicate.status).toBe('SUCCEEDED');
    expect(JSON.parse(duplicate.output ?? '{}').found.claims).toEqual([]);
    expect(running('aws-amd64')).toHaveLength(1);
    expect(nodesOf('aws-amd64')).toHaveLength(1);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'active', owner: again.executionArn });
    expect(await activeClaims('aws-amd64')).toBe(1);
  }, 240_000);

  it('timed out while waiting for its Node: the VM is terminated and the claim released; the requestId works again', async () => {
    await start();
    // The deployed timeout is sized so that a request finishes well within it; to reach it, this test gives the
    // loaded state machine a 5-minute TimeoutSeconds, as an operator could edit it in the console.
    const spec = local.controlPlane.stack.stateMachines.find((m) => m.arn === local.stateMachineArn('provisionNode'))!;
    local.controlPlane.stepFunctions.addStateMachine({ ...spec, definition: { ...spec.definition, TimeoutSeconds: 300 } });
    local.sim.world.setNeverJoin({ provider: 'aws' });
    const input = { pool: 'aws-amd64', requestId: 'too-slow' };
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'times-out');
    const ended = await local.controlPlane.waitForExecution(executionArn);
    expect(ended.status).toBe('TIMED_OUT');

    const [cleanup] = await cleanups();
    expect(cleanup.status, cleanup.cause).toBe('SUCCEEDED');
    const claimId = claimIdOf(config.cluster.name, 'aws-amd64', 'too-slow', 0);
    expect(local.sim.world.listVms('aws').length).toBeGreaterThan(0);
    expect(running('aws-amd64')).toEqual([]);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released', releaseReason: expect.stringContaining('ExecutionTimedOut') });
    expect(await activeClaims('aws-amd64')).toBe(0);

    local.controlPlane.stepFunctions.addStateMachine(spec);
    local.sim.world.setNeverJoin(undefined);
    const again = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, 'in-time');
    const out = await local.controlPlane.waitForExecution(again.executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(running('aws-amd64')).toHaveLength(1);
  }, 240_000);

  it('a lost status event: the claim, once expired, no longer counts, and the sweep cleans it up', async () => {
    await start();
    // The event never arrives: the rule is switched off, as if EventBridge had given up on it.
    for (const rule of local.controlPlane.events.listRules()) if (rule.eventPattern) rule.state = 'DISABLED';
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: 'aws-amd64', count: 1 }, 'lost-event');
    await local.sim.clock.until(() => shepherdNodes().length === 1, 30 * 60_000, 'the Node to register');
    local.controlPlane.stepFunctions.stopExecution(executionArn);
    expect((await local.controlPlane.waitForExecution(executionArn)).status).toBe('ABORTED');
    local.sim.faults.clear('kube');
    const claimId = claimIdOf(config.cluster.name, 'aws-amd64', 'lost-event', 0);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'launched', claimExpiresAt: expect.any(Number) });
    expect(running('aws-amd64')).toHaveLength(1);

    // Its expiry is many simulated hours away; the test moves it to the past instead of waiting.
    await table().send(
      new UpdateCommand({
        TableName: local.tableName,
        Key: { pk: 'POOL#aws-amd64', sk: 'STATE' },
        UpdateExpression: 'SET expiries.#c = :past',
        ExpressionAttributeNames: { '#c': claimId },
        ExpressionAttributeValues: { ':past': Math.floor(local.sim.clock.now() / 1000) - 1 },
      }),
    );
    // What the hourly sweep rule starts.
    const sweep = local.controlPlane.startExecution(cleanupMachine(), { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    const out = await local.controlPlane.waitForExecution(sweep.executionArn);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(JSON.parse(out.output ?? '{}').claims).toEqual([expect.objectContaining({ status: 'cleaned', claimId })]);
    expect(running('aws-amd64')).toEqual([]);
    expect(shepherdNodes()).toEqual([]);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released', releaseReason: expect.stringContaining('ClaimExpired') });
    expect(await activeClaims('aws-amd64')).toBe(0);
  }, 240_000);
});
