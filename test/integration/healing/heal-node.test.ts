import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { KubeObject } from '../../../sim/world/types.js';
import { expectReadableCause } from '../../helpers/fail-cause.js';

/**
 * HealNode end to end: the synthesized stack's state machines and bundled functions, run by the local control plane
 * against the simulated clouds. Nodes are provisioned with ProvisionNode, then something happens to them in the
 * simulated world and HealNode is started as the triggers or an operator would. Nothing of ours is mocked.
 */

const config: ShepherdConfig = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

async function start(seed = 1) {
  local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  return local;
}

async function run(workflow: 'provisionNode' | 'removeNode' | 'healNode', input: unknown, name?: string) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn(workflow), input, name);
  return local.controlPlane.waitForExecution(executionArn);
}

/** Runs HealNode and says how long it took in simulated seconds. */
async function heal(input: Record<string, unknown>) {
  const startedAt = local.sim.clock.now();
  const out = await run('healNode', input);
  return { out, result: JSON.parse(out.output ?? '{}'), seconds: (local.sim.clock.now() - startedAt) / 1000 };
}

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
const poolNodes = (pool: string) => local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${pool}` });
const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('Workflow: HealNode (local control plane + simulated clouds)', () => {
  it('EC2, VM deleted out of band, healed by hand: the stale Node is deleted and a replacement is Ready and labelled', async () => {
    await start();
    const { nodeName, claimId } = await provisioned('aws-arm64');
    const vm = local.sim.world.vmOfNode(nodeName)!;
    local.sim.world.terminateVm(vm.id);

    const { out, result, seconds } = await heal({ nodeName, reason: 'manual' });
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(result).toMatchObject({ status: 'replaced', nodeName, pool: 'aws-arm64', claimId });
    expect(node(nodeName)).toBeUndefined();
    expect((await claim(claimId))?.status).toBe('released');
    const replacements = poolNodes('aws-arm64');
    expect(replacements.map((n) => n.metadata.name)).not.toContain(nodeName);
    expect(replacements).toHaveLength(1);
    expect(ready(replacements[0])).toBe(true);
    expect(replacements[0].metadata.labels?.['shepherd.io/claim']).toMatch(/^c[0-9a-f]{25}$/);
    expect(await activeClaims('aws-arm64')).toBe(1);
    // The teardown is forced (the VM is gone) and the replacement boots in the simulated minute or two EC2 takes.
    expect(seconds).toBeLessThan(600);
  }, 900_000);

  // The fail-cause convention (workflows/fail-cause.ts) on HealNode's failure paths: bad input ("Invalid input"), a
  // refusal and a failed step (both end in "Heal failed", with the cause the heal function built).
  it('bad input, a node that does not exist, and a cordon the API server refuses each fail with a cause that parses', async () => {
    await start();
    const invalid = await run('healNode', { reason: 'manual' });
    expect(invalid.status).toBe('FAILED');
    expect(invalid.error).toBe('InvalidInput');
    expect(expectReadableCause(invalid.cause).sentence).toMatch(/nodeName/);

    const missing = await run('healNode', { nodeName: 'no-such-node', reason: 'manual' });
    expect(missing.status).toBe('FAILED');
    expect(expectReadableCause(missing.cause).sentence).toMatch(/no-such-node/);

    const { nodeName } = await provisioned('aws-arm64');
    local.sim.world.terminateVm(local.sim.world.vmOfNode(nodeName)!.id);
    local.controlPlane.faults.lambda({ state: 'Cordon node', fault: { kind: 'error', errorType: 'KubeApiError', errorMessage: '403 Forbidden' } });
    const failed = await run('healNode', { nodeName, reason: 'manual' });
    expect(failed.status).toBe('FAILED');
    const { sentence, details } = expectReadableCause(failed.cause);
    expect(sentence).toContain(nodeName);
    expect(JSON.stringify(details)).toContain('KubeApiError');
  }, 900_000);
});
