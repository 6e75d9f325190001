import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import type { ShepherdConfig } from '../../../config/types.js';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { HealingObserver } from '../../../local/healing-observer.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import type { KubeObject } from '../../../sim/world/types.js';

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

async function run(workflow: 'provisionNode', input: unknown) {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn(workflow), input);
  return local.controlPlane.waitForExecution(executionArn);
}

const poolNodes = () => local.sim.world.kube.list('nodes', { labelSelector: `shepherd.io/pool=${POOL}` });
const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('Workflow: HealNode, Scaleway pool node whose machine was deleted out of band', () => {
  it("the watcher's heal deletes the stale Node and the replacement joins: the pool keeps no place for the vanished node", async () => {
    local = await startShepherdLocal({ config, seed: 1, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
    const provisioned = await run('provisionNode', { pool: POOL, reason: 'test' });
    expect(provisioned.status, provisioned.cause).toBe('SUCCEEDED');
    const [old] = poolNodes();
    const nodeName = old.metadata.name;
    const vm = local.sim.world.vmOfNode(nodeName)!;
    const poolId = vm.poolId!;
    expect(local.sim.world.getPool(poolId)?.size).toBe(1);

    // Deleted through the Instance API: Scaleway's pool is not told, its size stays 1. The watcher finds the Node's VM
    // gone and HealNode heals it, as in bench:healing.
    const observer = new HealingObserver(local);
    const t0 = local.sim.clock.now();
    local.sim.world.terminateVm(vm.id);
    const healed = () =>
      observer.fate(nodeName).deletedAt !== undefined &&
      observer.healsOf(nodeName).length > 0 &&
      observer.healsOf(nodeName).every((h) => h.status !== 'RUNNING') &&
      observer.readyReplacement(POOL, nodeName, t0) !== undefined;
    await local.sim.clock.until(healed, 900_000, `node ${nodeName} healed`);

    const heals = observer.healsOf(nodeName);
    expect(heals.filter((h) => h.status !== 'SUCCEEDED').map((h) => h.cause)).toEqual([]);
    expect(heals.map((h) => JSON.parse(h.output ?? '{}').status)).toContain('replaced');
    const nodes = poolNodes();
    expect(nodes.map((n) => n.metadata.name)).not.toContain(nodeName);
    expect(nodes).toHaveLength(1);
    expect(ready(nodes[0])).toBe(true);
    // One node, one place: the vanished node's place was given back before the replacement grew the pool.
    expect(local.sim.world.getPool(poolId)?.size).toBe(1);
    expect(local.sim.world.poolVms(poolId).filter((v) => v.state === 'running')).toHaveLength(1);
    // Well inside ProvisionNode's 15-minute registration deadline, which the replacement used to run into.
    expect((observer.readyReplacement(POOL, nodeName, t0)!.readyAt - t0) / 1000).toBeLessThan(600);
  }, 900_000);
});
