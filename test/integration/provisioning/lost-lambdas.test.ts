import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';

/**
 * ProvisionNode when a Lambda is lost mid-run, as on AWS: it times out (Sandbox.Timedout) or runs out of memory
 * (Lambda.Unknown). Faults are injected on the local Lambda service by state; the functions, the state machine and
 * the simulated clouds are the real ones.
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
  local = await startShepherdLocal({ config, seed: 7, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  return local;
}

async function provision(input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input);
  return local.controlPlane.waitForExecution(executionArn);
}

async function activeClaims(pool: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return Number(out.Item?.active ?? 0);
}

/** VMs that are not gone and have no Node: what "no orphaned VM" forbids once a workflow ended. */
function orphans(): string[] {
  return local.sim.world
    .listVms()
    .filter((v) => v.provider !== 'home' && !['terminated', 'shutting-down'].includes(v.state) && !v.nodeName)
    .map((v) => `${v.provider}/${v.id}`);
}

/** The lost-function errors (timeout, out of memory) of the execution's failed task attempts, in order. */
function lostAttempts(executionArn: string): string[] {
  return (
    local.controlPlane.stepFunctions
      .history(executionArn)
      // A task naming its function records LambdaFunctionFailed; one choosing it at run time (lambda:invoke with
      // FunctionName.$, as Launch VM and Terminate VM do) records TaskFailed, as on AWS.
      .filter((e) => e.type === 'LambdaFunctionFailed' || e.type === 'TaskFailed')
      .map((e) => ((e.lambdaFunctionFailedEventDetails ?? e.taskFailedEventDetails) as { error: string }).error)
      .filter((error) => ['Sandbox.Timedout', 'Lambda.Unknown'].includes(error))
  );
}

describe('Workflow: ProvisionNode with lost Lambdas (local control plane + simulated clouds)', () => {
  it('launch: a timeout after the VM was launched, then an out-of-memory; the retry finds the same VM by its client token', async () => {
    await start();
    const timedOut = local.controlPlane.faults.lambda({ state: 'Launch VM', fault: { kind: 'timeout', afterHandler: true } });
    const killed = local.controlPlane.faults.lambda({ state: 'Launch VM', after: 1, fault: { kind: 'out-of-memory' } });
    const out = await provision({ pool: 'aws-amd64', reason: 'lost launch' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect([timedOut.hits, killed.hits]).toEqual([1, 1]);
    expect(lostAttempts(out.executionArn)).toEqual(['Sandbox.Timedout', 'Lambda.Unknown']);
    // The first attempt launched; the third got that same instance back: one VM, and it is the node.
    const vms = local.sim.world.listVms('aws');
    expect(vms).toHaveLength(1);
    expect(vms[0].nodeName).toBeDefined();
    expect(orphans()).toEqual([]);
    expect(await activeClaims('aws-amd64')).toBe(1);
  }, 300_000);

  it('cleanup: node removal times out, termination times out then runs out of memory, release runs out of memory; all retried, nothing left', async () => {
    await start();
    // Labelling is refused until its retries run out: the slot fails after its VM and Node exist.
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const faults = [
      local.controlPlane.faults.lambda({ state: 'Remove half-registered node', fault: { kind: 'timeout' } }),
      local.controlPlane.faults.lambda({ state: 'Terminate VM', fault: { kind: 'timeout', afterHandler: true } }),
      local.controlPlane.faults.lambda({ state: 'Terminate VM', after: 1, fault: { kind: 'out-of-memory' } }),
      local.controlPlane.faults.lambda({ state: 'Release claim', fault: { kind: 'out-of-memory' } }),
    ];
    const out = await provision({ pool: 'aws-amd64', reason: 'lost cleanup' });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ProvisionFailed');
    expect(faults.map((f) => f.hits)).toEqual([1, 1, 1, 1]);
    // Node removal, then termination twice, then release: each retried by the workflow.
    expect(lostAttempts(out.executionArn)).toEqual(['Sandbox.Timedout', 'Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.Unknown']);
    // Reached "Node failed", not "Cleanup incomplete": every cleanup step finished.
    const exited = local.controlPlane.stepFunctions
      .history(out.executionArn)
      .find((e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'Node failed');
    expect(exited).toBeDefined();
    const result = JSON.parse((exited!.stateExitedEventDetails as { output: string }).output);
    expect(result).toMatchObject({ status: 'failed', error: 'TransientError', cleanup: { claim: { released: true } } });
    expect(result.cleanup.node).toBeDefined();
    // The first terminate took the VM before its Lambda timed out, so the retry finds it gone: one VM either way.
    expect([...result.cleanup.vm.terminated, ...(result.cleanup.vm.alreadyGone ?? [])]).toHaveLength(1);
    expect(local.sim.world.listVms('aws').map((v) => v.state)).toEqual([expect.stringMatching(/shutting-down|terminated/)]);
    expect(local.sim.world.kube.list('nodes', { labelSelector: 'shepherd.io/pool=aws-amd64' })).toHaveLength(0);
    expect(await activeClaims('aws-amd64')).toBe(0);
    expect(orphans()).toEqual([]);
  }, 300_000);
});
