import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { LISTING_LAG_RETRY } from '../../../workflows/listing-lag.js';

/**
 * ProvisionNode against EC2's eventual consistency (the simulator's 'ec2-eventual-consistency', on by default): right
 * after RunInstances, DescribeInstances and TerminateInstances answer InvalidInstanceID.NotFound and tag filters miss
 * the instance, which may run all the same. Cleanup must not take that for "gone".
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
  local = await startShepherdLocal({ config, seed: 3, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  return local;
}

async function provision(input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input);
  return { ...(await local.controlPlane.waitForExecution(executionArn)), executionArn };
}

async function activeClaims(pool: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
  const out = await doc.send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return Number(out.Item?.active ?? 0);
}

/** The errors of the execution's failed attempts of one Task state, in order. */
function failedAttempts(executionArn: string, state: string): string[] {
  const history = local.controlPlane.stepFunctions.history(executionArn);
  const out: string[] = [];
  let current = '';
  for (const e of history) {
    const entered = e.stateEnteredEventDetails as { name?: string } | undefined;
    if (entered?.name) current = entered.name;
    if (current === state && (e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed')) {
      out.push(((e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails) as { error: string }).error);
    }
  }
  return out;
}

describe('Workflow: ProvisionNode against EC2 eventual consistency', () => {
  it('a failure right after launch: the VM EC2 does not show yet is terminated once it does, and only then is the claim released', async () => {
    await start();
    // Recording the VM fails at once (not retried), so cleanup reaches EC2 within the instance's consistency lag.
    local.controlPlane.faults.lambda({ state: 'Record VM', fault: { kind: 'error', errorType: 'Error', errorMessage: 'the table is unreachable' } });
    const out = await provision({ pool: 'aws-amd64' });

    expect(out.status).toBe('FAILED');
    const [vm, ...others] = local.sim.world.listVms('aws');
    expect(others).toEqual([]);
    expect(['shutting-down', 'terminated']).toContain(vm.state);
    // EC2 answered NotFound first; the adapter did not take it for gone, and a later attempt terminated the VM.
    expect(failedAttempts(out.executionArn, 'Terminate VM')[0]).toBe('TransientError');
    expect(out.cause).toContain(`"terminated":["${vm.id}"]`);
    expect(await activeClaims('aws-amd64')).toBe(0);
  });

  it('a claim that launched nothing: cleanup looks again before it believes no VM runs, then releases the claim', async () => {
    await start();
    local.sim.world.setCapacity({ provider: 'aws' }, 0);
    const { executionArn, ...out } = await provision({ pool: 'aws-amd64' });
    expect(out.status).toBe('FAILED');
    expect(out.cause).toContain('InsufficientCapacityError');
    // Every look the shared listing-lag policy allows, then "nothing runs".
    expect(failedAttempts(executionArn, 'Terminate VM')).toEqual(Array((LISTING_LAG_RETRY.maxAttempts as number) + 1).fill('ListingLagError'));
    expect(local.sim.world.listVms('aws')).toEqual([]);
    expect(await activeClaims('aws-amd64')).toBe(0);
  }, 480_000);
});
