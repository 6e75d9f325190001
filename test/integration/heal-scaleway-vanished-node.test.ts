import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import type { KubeObject } from '../../sim/world/types.js';

/**
 * Regression (bench:healing, seed 1): a Scaleway pool node whose machine is deleted out of band (through the Instance
 * API, not the pool's node API) leaves the pool's size holding its place. HealNode deleted the stale Node, but the
 * replacement's launch, which sizes the pool from its claims, saw no need to grow it and waited for a node that never
 * came: RegistrationTimeout after 15 minutes, and the heal FAILED. The VM cleanup now gives the vanished node's place
 * back, so the launch grows the pool again. The local control plane runs the synthesized stack against the simulator;
 * nothing of ours is mocked.
 */

const config: ShepherdConfig = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
const POOL = 'scw-buffer';
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

async function run(workflow: 'provisionNode' | 'healNode', input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn(workflow), input);
  return local.controlPlane.waitForExecution(executionArn);
}

const poolNodes = () => local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${POOL}` });
const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('Workflow: HealNode, Scaleway pool node whose machine was deleted out of band', () => {
  it('deletes the stale Node and the replacement joins: the pool does not keep a place for the vanished node', async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    const provisioned = await run('provisionNode', { pool: POOL, reason: 'test' });
    expect(provisioned.status, provisioned.cause).toBe('SUCCEEDED');
    const [old] = poolNodes();
    const nodeName = old.metadata.name;
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const poolId = vm.poolId!;
    expect(local.sim.world.getPool(poolId)?.size).toBe(1);

    // Deleted through the Instance API: Scaleway's pool is not told, its size stays 1.
    local.sim.world.terminateVm(vm.id);
    const startedAt = local.sim.clock.now();
    const out = await run('healNode', { nodeName, reason: 'manual' });
    const seconds = (local.sim.clock.now() - startedAt) / 1000;

    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(JSON.parse(out.output ?? '{}')).toMatchObject({ status: 'replaced', nodeName, pool: POOL });
    const nodes = poolNodes();
    expect(nodes.map((n) => n.metadata.name)).not.toContain(nodeName);
    expect(nodes).toHaveLength(1);
    expect(ready(nodes[0])).toBe(true);
    // One node, one place: the vanished node's place was given back before the replacement grew the pool.
    expect(local.sim.world.getPool(poolId)?.size).toBe(1);
    expect(local.sim.world.poolVms(poolId).filter((v) => v.state === 'running')).toHaveLength(1);
    // Well inside ProvisionNode's 15-minute registration deadline, which the replacement used to run into.
    expect(seconds).toBeLessThan(600);
  }, 900_000);
});
