import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { planProvision } from '../../../functions/decisions/provision.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { KubeObject } from '../../../sim/world/types.js';

/**
 * ProvisionNode's claims under the failures of real clouds and of DynamoDB: executions sharing a request, a launch
 * whose answer is lost after an offering fallback, two clusters in one account, DynamoDB throttling. The synthesized
 * stack runs in the local control plane against the simulated clouds; nothing of ours is mocked.
 */

const config = loadConfigFile('shepherd.config.json');
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 900_000);

afterEach(async () => {
  await local?.stop();
});

async function start(seed = 3) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  return local;
}

function startProvision(input: unknown, name: string): string {
  return local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), input, name).executionArn;
}

async function provision(input: unknown, name: string) {
  return local.controlPlane.waitForExecution(startProvision(input, name));
}

function table(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.controlPlane.endpoints.dynamodb, region: 'eu-west-3', credentials: local.sim.credentials.aws }),
  );
}

async function poolState(pool: string): Promise<{ active: number; claims: Record<string, unknown> }> {
  const out = await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `POOL#${pool}`, sk: 'STATE' } }));
  return { active: Number(out.Item?.active ?? 0), claims: out.Item?.claims ?? {} };
}

async function claimRecord(claimId: string): Promise<Record<string, unknown> | undefined> {
  return (await table().send(new GetCommand({ TableName: local.tableName, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' } }))).Item;
}

const ready = (n: KubeObject | undefined) => n?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;

/** VMs that are not gone and have no Node: what "no orphaned VM" forbids once a workflow ended. */
function orphans(): string[] {
  return local.sim.world
    .listVms()
    .filter((v) => v.provider !== 'home' && !['terminated', 'shutting-down'].includes(v.state) && !v.nodeName)
    .map((v) => `${v.provider}/${v.id}`);
}

const live = (provider: 'aws') => local.sim.world.listVms(provider).filter((v) => !['terminated', 'shutting-down'].includes(v.state));

describe('Workflow: ProvisionNode claims (local control plane + simulated clouds)', () => {
  it("a duplicate execution that fails at its claim step leaves the owner's VM, Node and claim alone", async () => {
    await start();
    const input = { pool: 'aws-amd64', requestId: 'shared-request', reason: 'fencing' };
    const a = startProvision(input, 'owner-a');
    // A holds the request and has launched; B, a retry of the same request, then fails at its claim step with an
    // error that is not a refusal (the claims function answers 500 until B's retries are used up).
    await local.sim.clock.until(() => local.sim.world.listVms('aws').length === 1, 600_000, "A's VM launched");
    const lost = local.controlPlane.faults.lambda({
      state: 'Claim capacity',
      count: 50,
      fault: { kind: 'error', errorType: 'InternalServerError', errorMessage: 'DynamoDB answered 500' },
    });
    const b = await provision(input, 'duplicate-b');
    const ra = await local.controlPlane.waitForExecution(a);

    expect(b.status).toBe('FAILED');
    expect(lost.hits).toBeGreaterThan(0);
    expect(ra.status, ra.cause).toBe('SUCCEEDED');
    const [result] = JSON.parse(ra.output ?? '{}').nodes;
    const vm = local.sim.world.listVms('aws')[0];
    expect(vm.state).toBe('running');
    expect(vm.nodeName).toBe(result.nodeName);
    expect(ready(local.sim.world.kube.get('nodes', undefined, result.nodeName))).toBe('True');
    // A's node is counted against the pool, and the claim is A's.
    const state = await poolState('aws-amd64');
    expect(state.active).toBe(1);
    expect(Object.keys(state.claims)).toEqual([result.claimId]);
    expect(await claimRecord(result.claimId)).toMatchObject({ status: 'active', owner: expect.stringContaining('owner-a'), nodeName: result.nodeName });
    expect(orphans()).toEqual([]);
  }, 600_000);

  it('an offering fallback whose launch answer is lost: the retry resumes that offering, even when the first one has capacity again', async () => {
    await start();
    const firstOffering = { provider: 'aws' as const, zone: 'eu-west-3a', type: 't3.medium' };
    local.sim.world.setCapacity(firstOffering, 0);
    // Capacity comes back to the first offering as soon as a VM has been launched elsewhere.
    const unsubscribe = local.sim.awsEvents.subscribe(() => local.sim.world.setCapacity(firstOffering, undefined));
    // The first launch answer is lost, and so is the one of the launch that follows the capacity error: each time
    // the function ran to the end and its answer never reached Step Functions.
    const lostFirst = local.controlPlane.faults.lambda({ state: 'Launch VM', fault: { kind: 'timeout', afterHandler: true } });
    const lostFallback = local.controlPlane.faults.lambda({ state: 'Launch VM', after: 2, fault: { kind: 'timeout', afterHandler: true } });

    const out = await provision({ pool: 'aws-amd64', reason: 'offering fallback' }, 'fallback');
    unsubscribe();

    const vms = local.sim.world.listVms('aws');
    expect(vms.map((v) => `${v.type}@${v.zone}`)).toEqual(['t3.medium@eu-west-3b']);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect([lostFirst.hits, lostFallback.hits]).toEqual([1, 1]);
    expect(vms[0].nodeName).toBeDefined();
    expect(orphans()).toEqual([]);
    expect((await poolState('aws-amd64')).active).toBe(1);
  }, 600_000);

  it("two clusters in one account: a failed provision never terminates the other cluster's VM of the same pool and request", async () => {
    await start();
    const input = { pool: 'aws-amd64', requestId: 'same-in-both-clusters' };
    // The other cluster's shepherd launched its VM for the same pool name and request id, tagged as it tags them.
    const other = { ...config, cluster: { ...config.cluster, name: 'other-cluster' } };
    const [otherSlot] = planProvision(
      input,
      other,
      { name: 'other-exec', id: 'arn:aws:states:eu-west-3:123456789012:execution:other:other-exec' },
      {
        aws: 'fn',
      },
    ).slots;
    const ec2 = new EC2Client({ endpoint: local.sim.endpoints.ec2, region: 'eu-west-3', credentials: local.sim.credentials.aws });
    const tags = [
      { Key: 'shepherd:cluster', Value: 'other-cluster' },
      { Key: 'shepherd:pool', Value: 'aws-amd64' },
      { Key: 'shepherd:claim', Value: otherSlot.claimId },
    ];
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0aa00000000000001',
        InstanceType: 't3.medium',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-00000000000000001',
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
      }),
    );
    ec2.destroy();
    const otherVm = launched.Instances?.[0]?.InstanceId;
    expect(otherVm).toBeDefined();

    // This cluster's provision of the same request fails after launching (labelling is refused), and cleans up.
    local.sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const out = await provision(input, 'this-cluster');
    expect(out.status).toBe('FAILED');

    const byId = new Map(local.sim.world.listVms('aws').map((v) => [v.id, v]));
    expect(byId.get(otherVm!)?.state).toBe('running');
    const ours = [...byId.values()].filter((v) => v.id !== otherVm);
    expect(ours).toHaveLength(1);
    expect(['shutting-down', 'terminated']).toContain(ours[0].state);
    expect(ours[0].tags['shepherd:claim']).not.toBe(otherSlot.claimId);
  }, 600_000);

  it('DynamoDB throttling at "Record node" is retried: the Ready node is kept and recorded', async () => {
    await start();
    let throttled: ReturnType<ShepherdLocal['controlPlane']['faults']['dynamodb']> | undefined;
    // Once the node is labelled (the step before "Record node"), DynamoDB throttles the next writes.
    local.sim.world.kube.onChange((resource, type, obj) => {
      if (!throttled && resource === 'nodes' && type === 'MODIFIED' && obj.metadata.labels?.['shepherd.io/pool'] === 'aws-amd64') {
        throttled = local.controlPlane.faults.dynamodb({ operation: 'UpdateItem', count: 8, fault: { kind: 'throttle' } });
      }
    });
    const out = await provision({ pool: 'aws-amd64', reason: 'throttled record' }, 'throttled');

    expect(throttled?.hits).toBe(8);
    expect(out.status, out.cause).toBe('SUCCEEDED');
    const [result] = JSON.parse(out.output ?? '{}').nodes;
    expect(ready(local.sim.world.kube.get('nodes', undefined, result.nodeName))).toBe('True');
    expect(live('aws')).toHaveLength(1);
    expect(await claimRecord(result.claimId)).toMatchObject({ status: 'active', nodeName: result.nodeName });
    expect((await poolState('aws-amd64')).active).toBe(1);
  }, 600_000);
});
