import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { claimIdOf } from '../../../functions/decisions/provision.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { ExecutionView } from '../../../local/stepfunctions/stepfunctions.js';
import type { Ec2InstanceData } from '../../../sim/servers/ec2/types.js';

/**
 * ClaimCleanup against EC2's eventual consistency (the simulator's 'ec2-eventual-consistency'): a ProvisionNode
 * execution stopped right after its launch, before it recorded the VM, leaves a claim with no VM; ClaimCleanup
 * then looks the VM up by its claim tag, and EC2's filters miss an instance that new (ListingLagError). The test
 * holds the instance hidden for a set time, so that the window is the same on every run.
 * ProvisionNode's own cleanup meets the same lag when a launch made its VM but the workflow never learnt of it.
 */

const config = loadConfigFile('shepherd.config.json');
const POOL = 'aws-amd64';
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 300_000);

afterEach(async () => {
  await local?.stop();
});

function cleanupMachine(): string {
  const found = Object.entries(local.controlPlane.stateMachines).find(([name]) => name.endsWith('claim-cleanup'));
  if (!found) throw new Error('no ClaimCleanup state machine');
  return found[1];
}

/** The first ClaimCleanup execution, once it ended. */
async function firstCleanup(): Promise<ExecutionView> {
  const machine = cleanupMachine();
  await local.sim.clock.until(() => local.controlPlane.stepFunctions.listExecutions(machine).length > 0, 120_000, 'a ClaimCleanup execution to start');
  const [first] = local.controlPlane.stepFunctions.listExecutions(machine).reverse();
  return local.controlPlane.waitForExecution(first.executionArn);
}

/** The errors of the execution's failed attempts of one Task state, in order. */
function failedAttempts(executionArn: string, state: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const e of local.controlPlane.stepFunctions.history(executionArn)) {
    const entered = e.stateEnteredEventDetails as { name?: string } | undefined;
    if (entered?.name) current = entered.name;
    if (current === state && (e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed')) {
      out.push(((e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails) as { error: string }).error);
    }
  }
  return out;
}

async function claimRecord(claimId: string): Promise<Record<string, unknown> | undefined> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  return (await doc.send(new GetCommand({ TableName: local.tableName, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' } }))).Item;
}

/**
 * Starts a ProvisionNode execution, stops it as soon as its VM exists (recording the VM is held back, so the claim
 * names none), and keeps that VM out of EC2's reads and filters for `hiddenMs` from then on.
 */
async function stopRightAfterLaunch(requestId: string, hiddenMs: number) {
  local.controlPlane.faults.lambda({ state: 'Record VM', fault: { kind: 'delay', ms: 20_000 } });
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: POOL, requestId }, requestId);
  const launched = () => local.sim.world.listVms('aws').find((v) => v.tags['shepherd:pool'] === POOL);
  await local.sim.clock.until(() => launched() !== undefined, 10 * 60_000, 'the VM to be launched');
  const vm = launched()!;
  const ec2 = vm.extra.ec2 as Ec2InstanceData;
  local.sim.world.setVmExtra(vm.id, { ec2: { ...ec2, visibleAt: local.sim.clock.now() + hiddenMs } });
  local.controlPlane.stepFunctions.stopExecution(executionArn, 'Operator', 'stopped by the test');
  expect((await local.controlPlane.waitForExecution(executionArn)).status).toBe('ABORTED');
  return { vmId: vm.id, claimId: claimIdOf(config.cluster.name, POOL, requestId, 0) };
}

describe('Workflow: ClaimCleanup when EC2 does not list the claim’s VM yet', () => {
  it('looks again (ListingLagError) until EC2 lists the VM, then terminates it and releases the claim', async () => {
    local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
    const { vmId, claimId } = await stopRightAfterLaunch('lag-short', 20_000);
    expect(await claimRecord(claimId)).not.toHaveProperty('vm');

    const cleanup = await firstCleanup();

    expect(cleanup.status, cleanup.cause).toBe('SUCCEEDED');
    const lag = failedAttempts(cleanup.executionArn, 'Terminate VMs of claim');
    expect(lag.length).toBeGreaterThan(0);
    expect(new Set(lag)).toEqual(new Set(['ListingLagError']));
    expect(JSON.parse(cleanup.output ?? '{}').claims).toEqual([expect.objectContaining({ status: 'cleaned', claimId })]);
    expect(JSON.parse(cleanup.output ?? '{}').claims[0].cleanup.vm.terminated).toEqual([vmId]);
    expect(['shutting-down', 'terminated']).toContain(local.sim.world.getVm(vmId)?.state);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released' });
  }, 240_000);

  it('a VM EC2 lists only minutes later (AWS advises retrying for a few minutes) is still terminated, not left running uncounted', async () => {
    local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
    const { vmId, claimId } = await stopRightAfterLaunch('lag-long', 3 * 60_000);

    const cleanup = await firstCleanup();

    expect(cleanup.status, cleanup.cause).toBe('SUCCEEDED');
    expect(failedAttempts(cleanup.executionArn, 'Terminate VMs of claim').length).toBeGreaterThan(4);
    expect(JSON.parse(cleanup.output ?? '{}').claims[0]).toMatchObject({ status: 'cleaned', claimId, cleanup: { vm: { terminated: [vmId] } } });
    expect(['shutting-down', 'terminated']).toContain(local.sim.world.getVm(vmId)?.state);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released' });
  }, 240_000);
});

/**
 * Starts a ProvisionNode execution whose launch makes its VM but whose answer is lost, and whose next attempt fails
 * (not retried): the slot's cleanup runs without knowing the VM and must find it by its claim tag. The VM stays out of
 * EC2's reads and filters until `hiddenMs` after that cleanup first looked for it.
 */
async function failAfterUnseenLaunch(requestId: string, hiddenMs: number) {
  local.controlPlane.faults.lambda({ state: 'Launch VM', fault: { kind: 'timeout', afterHandler: true } });
  local.controlPlane.faults.lambda({ state: 'Launch VM', after: 1, fault: { kind: 'error', errorType: 'Error', errorMessage: 'launch failed' } });
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: POOL, requestId }, requestId);
  const launched = () => local.sim.world.listVms('aws').find((v) => v.tags['shepherd:pool'] === POOL);
  await local.sim.clock.until(() => launched() !== undefined, 10 * 60_000, 'the VM to be launched');
  const vm = launched()!;
  const hide = (until: number) => local.sim.world.setVmExtra(vm.id, { ec2: { ...(vm.extra.ec2 as Ec2InstanceData), visibleAt: until } });
  hide(Number.MAX_SAFE_INTEGER);
  await local.sim.clock.until(() => failedAttempts(executionArn, 'Terminate VM').length > 0, 20 * 60_000, 'the cleanup to look for the VM');
  hide(local.sim.clock.now() + hiddenMs);
  return { executionArn, vmId: vm.id, claimId: claimIdOf(config.cluster.name, POOL, requestId, 0) };
}

describe('Workflow: ProvisionNode’s cleanup when EC2 does not list the claim’s VM yet', () => {
  it('a VM EC2 lists only minutes after the slot failed is still terminated before the claim is released', async () => {
    local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
    const { executionArn, vmId, claimId } = await failAfterUnseenLaunch('provision-lag', 3 * 60_000);

    const out = await local.controlPlane.waitForExecution(executionArn);

    expect(out.status).toBe('FAILED');
    const lag = failedAttempts(executionArn, 'Terminate VM');
    expect(lag.length).toBeGreaterThan(1);
    expect(new Set(lag)).toEqual(new Set(['ListingLagError']));
    expect(out.cause).toContain(`"terminated":["${vmId}"]`);
    expect(['shutting-down', 'terminated']).toContain(local.sim.world.getVm(vmId)?.state);
    expect(await claimRecord(claimId)).toMatchObject({ status: 'released' });
  }, 480_000);
});
