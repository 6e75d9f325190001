import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { claimIdOf } from '../../../functions/decisions/provision.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { ExecutionView } from '../../../local/stepfunctions/stepfunctions.js';
import { expectReadableCause } from '../../helpers/fail-cause.js';

/**
 * The Fail states' causes, as a person reads them in the console and the CLI (workflows/fail-cause.ts): one sentence,
 * then the details as JSON. And the capacity check at validation: a request the pool cannot hold is refused before
 * anything is claimed or launched. The synthesized stack runs in the local control plane against the simulated
 * clouds; nothing of ours is mocked.
 */

const config = loadConfigFile('shepherd.config.json');
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 900_000);

afterEach(async () => {
  await local?.stop();
});

/** The Nodes the sample world had before any execution: whatever registers later is shepherd's. */
let sampleNodes = new Set<string>();

async function start(seed = 5) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  sampleNodes = new Set(local.sim.world.kube.list('nodes').map((n) => n.metadata.name));
  return local;
}

function startProvision(input: unknown, name: string): string {
  return local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, name).executionArn;
}

async function provision(input: unknown, name: string): Promise<ExecutionView> {
  return local.controlPlane.waitForExecution(startProvision(input, name));
}

async function activeClaims(pool: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return Number(out.Item?.active ?? 0);
}

const live = (provider: 'aws' | 'gcp') => local.sim.world.listVms(provider).filter((v) => !['terminated', 'shutting-down', 'stopping'].includes(v.state));
const statesEntered = (executionArn: string) =>
  local.controlPlane.stepFunctions
    .history(executionArn)
    .map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name)
    .filter((n): n is string => n !== undefined);
// Kosmos names a node after its pool (scw-...), whatever the cloud under it: select by when it registered.
const shepherdNodes = () => local.sim.world.kube.list('nodes').filter((n) => !sampleNodes.has(n.metadata.name));

describe('Workflow: ProvisionNode refuses at validation what the pool cannot hold', () => {
  it('a count above the free capacity fails at "Validate input", launches nothing, and says so in one sentence; a replay of a request whose claims exist is not refused', async () => {
    await start();
    const first = await provision({ pool: 'gcp-amd64', count: 2, requestId: 'first-two' }, 'first-two');
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(live('gcp')).toHaveLength(2);
    const inserts = local.sim.counters.get('gce', 'instances.insert') ?? 0;

    const refused = await provision({ pool: 'gcp-amd64', count: 3 }, 'three-more');

    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe('InvalidInput');
    const cause = expectReadableCause(refused.cause);
    expect(cause.sentence).toBe('pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3. Lower count, raise pools[].max, or remove a node.');
    expect(cause.details).toEqual({ error: 'InvalidInputError' });
    expect(statesEntered(refused.executionArn)).not.toContain('Claim capacity');
    expect(local.sim.counters.get('gce', 'instances.insert') ?? 0).toBe(inserts);
    expect(live('gcp')).toHaveLength(2);
    expect(await activeClaims('gcp-amd64')).toBe(2);

    // The same request again: its own two claims are counted already, so they are not "claimed" against it (2 + 2
    // would exceed 3). It reuses its nodes and launches nothing.
    const replay = await provision({ pool: 'gcp-amd64', count: 2, requestId: 'first-two' }, 'first-two-again');
    expect(replay.status, replay.cause).toBe('SUCCEEDED');
    expect(JSON.parse(replay.output ?? '{}').nodes).toEqual([
      expect.objectContaining({ status: 'succeeded', reused: true, claimId: claimIdOf(config.cluster.name, 'gcp-amd64', 'first-two', 0) }),
      expect.objectContaining({ status: 'succeeded', reused: true, claimId: claimIdOf(config.cluster.name, 'gcp-amd64', 'first-two', 1) }),
    ]);
    expect(local.sim.counters.get('gce', 'instances.insert') ?? 0).toBe(inserts);
    expect(await activeClaims('gcp-amd64')).toBe(2);
  }, 600_000);
});

describe('Workflow: ProvisionNode and ClaimCleanup fail with causes a person can read', () => {
  it('"Invalid input": the sentence names the field and what is allowed', async () => {
    await start();
    const out = await provision({ pool: 'gcp-amd64', count: 'two' }, 'bad-count');
    expect(out.error).toBe('InvalidInput');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toBe('"count": got "two"; allowed: a whole number from 1 to the pool\'s max (3)');
    expect(cause.details).toEqual({ error: 'InvalidInputError' });
  });

  it('"Invalid input" for an input that is not an object (an array, a string, a number), in every workflow: one sentence, not States.ResultPathMatchFailure', async () => {
    await start();
    const workflows = ['provisionNode', 'removeNode', 'healNode', 'dnsFailover'] as const;
    for (const workflow of workflows) {
      // A string is the input's JSON text here, as StartExecution takes it.
      for (const [i, input] of [[], '"gcp-amd64"', 7].entries()) {
        const arn = local.controlPlane.startExecution(local.stateMachineArn(workflow), input, `not-an-object-${workflow}-${i}`).executionArn;
        const out = await local.controlPlane.waitForExecution(arn);
        expect(out.status, `${workflow} with ${JSON.stringify(input)}`).toBe('FAILED');
        expect(out.error, `${workflow} with ${JSON.stringify(input)}: ${out.cause}`).toBe('InvalidInput');
        expect(expectReadableCause(out.cause).sentence).toMatch(/object/i);
      }
    }
  });

  it('"Validation failed": an error validate-input cannot turn into a refusal says nothing was claimed and what to do', async () => {
    await start();
    const denied = local.controlPlane.faults.lambda({
      state: 'Validate input',
      fault: { kind: 'error', errorType: 'AccessDeniedException', errorMessage: 'not authorized to perform dynamodb:GetItem on the claims table' },
    });
    const out = await provision({ pool: 'aws-amd64' }, 'unchecked');
    expect(denied.hits).toBe(1);
    expect(out.error).toBe('ValidationFailed');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toMatch(
      /^The request could not be checked, so nothing was claimed or launched; .* Error AccessDeniedException: not authorized to perform dynamodb:GetItem on the claims table$/,
    );
    expect(cause.details).toEqual({ error: 'AccessDeniedException', message: 'not authorized to perform dynamodb:GetItem on the claims table' });
    expect(statesEntered(out.executionArn)).not.toContain('Claim capacity');
  });

  it('"Provisioning failed" for a duplicate of a request still running: names the pool, how many failed, and the refusal', async () => {
    await start();
    // The first execution holds the request: labelling its node keeps failing, so it sits in its retries.
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const input = { pool: 'aws-amd64', requestId: 'held' };
    const owner = startProvision(input, 'holder');
    await local.sim.clock.until(() => shepherdNodes().length === 1, 30 * 60_000, "the holder's Node to register");

    const out = await provision(input, 'duplicate');

    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ProvisionFailed');
    const cause = expectReadableCause(out.cause);
    expect(cause.sentence).toMatch(
      /^Provisioning failed for 1 of 1 nodes of pool aws-amd64; .* First failure, DuplicateRequestError: request already in progress in execution /,
    );
    expect(cause.sentence).toContain(owner);
    const claimId = claimIdOf(config.cluster.name, 'aws-amd64', 'held', 0);
    expect(cause.details).toEqual({
      pool: 'aws-amd64',
      nodes: [
        {
          status: 'failed',
          claimId,
          error: 'DuplicateRequestError',
          message: `request already in progress in execution ${owner} (claim ${claimId}); wait for it to finish`,
          cleanedUp: 'nothing to clean up',
        },
      ],
    });
    local.controlPlane.stepFunctions.stopExecution(owner, 'Test', 'done');
  }, 300_000);

  it('"Cleanup failed": names the claim, its pool and the error, and says the claim is kept and swept again', async () => {
    await start();
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const input = { pool: 'aws-amd64', requestId: 'unkillable' };
    const executionArn = startProvision(input, 'to-be-stopped');
    await local.sim.clock.until(() => shepherdNodes().length === 1, 30 * 60_000, 'the Node to register');
    // EC2 answers every TerminateInstances with a 500 from now on: ClaimCleanup retries, then keeps the claim.
    local.sim.faults.set('ec2', 'TerminateInstances', { errorRate: 1 });
    local.controlPlane.stepFunctions.stopExecution(executionArn, 'Operator', 'stopped by the test');
    await local.controlPlane.waitForExecution(executionArn);

    const machine = Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('claim-cleanup'))![1];
    await local.sim.clock.until(() => local.controlPlane.stepFunctions.listExecutions(machine).length > 0, 60_000, 'ClaimCleanup to start');
    const cleanup = await local.controlPlane.waitForExecution(local.controlPlane.stepFunctions.listExecutions(machine)[0].executionArn);

    expect(cleanup.status).toBe('FAILED');
    expect(cleanup.error).toBe('CleanupFailed');
    const cause = expectReadableCause(cleanup.cause);
    const claimId = claimIdOf(config.cluster.name, 'aws-amd64', 'unkillable', 0);
    expect(cause.sentence).toMatch(
      new RegExp(`^Cleanup failed for 1 of 1 claims left behind; each is kept, .* First failure, claim ${claimId} of pool aws-amd64, TransientError: `),
    );
    expect(cause.details).toEqual({
      trigger: 'ExecutionAborted',
      claims: [{ status: 'failed', claimId, pool: 'aws-amd64', error: 'TransientError', message: expect.any(String), cleanup: expect.any(String) }],
    });
    expect(live('aws')).toHaveLength(1);
    expect(await activeClaims('aws-amd64')).toBe(1);
  }, 300_000);

  it('"Claims not found": ClaimCleanup that cannot read the claims says nothing was cleaned up and what happens next', async () => {
    await start();
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const executionArn = startProvision({ pool: 'aws-amd64', requestId: 'unread' }, 'stopped-unread');
    await local.sim.clock.until(() => shepherdNodes().length === 1, 30 * 60_000, 'the Node to register');
    // Every attempt of the find step fails (its 10 retries included).
    const broken = local.controlPlane.faults.lambda({
      state: 'Find claims left behind',
      count: 20,
      fault: { kind: 'error', errorType: 'InternalServerError', errorMessage: 'DynamoDB answered 500' },
    });
    local.controlPlane.stepFunctions.stopExecution(executionArn, 'Operator', 'stopped by the test');
    await local.controlPlane.waitForExecution(executionArn);

    const machine = Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('claim-cleanup'))![1];
    await local.sim.clock.until(() => local.controlPlane.stepFunctions.listExecutions(machine).length > 0, 60_000, 'ClaimCleanup to start');
    const cleanup = await local.controlPlane.waitForExecution(local.controlPlane.stepFunctions.listExecutions(machine)[0].executionArn);

    expect(broken.hits).toBe(11);
    expect(cleanup.status).toBe('FAILED');
    expect(cleanup.error).toBe('CleanupFailed');
    const cause = expectReadableCause(cleanup.cause);
    expect(cause.sentence).toMatch(
      /^The claims left behind could not be read, so nothing was cleaned up; .* Error InternalServerError: DynamoDB answered 500$/,
    );
    expect(cause.details).toEqual({ error: 'InternalServerError', message: 'DynamoDB answered 500' });
    expect(live('aws')).toHaveLength(1);
  }, 300_000);
});
