import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { bufferConfig, poolNodes, ready, withoutSampleWorkload } from '../../helpers/scale-buffer-local.js';

/**
 * The scheduled reconcile end to end (local control plane running the stack's EventBridge schedule and its Lambda
 * target, simulated clouds, virtual clock): it plans in the scale-buffer function and starts a ScaleBuffer execution
 * only when the plan would act. Nothing of ours is mocked.
 */

const config = bufferConfig();
let local: ShepherdLocal;
let reconcileLogs: string[];

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

async function start() {
  reconcileLogs = [];
  local = await startShepherdLocal({
    config,
    seed: 33,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => {
      if (fn.endsWith('-scale-buffer') && line.includes('buffer reconcile')) reconcileLogs.push(line);
    },
  });
  withoutSampleWorkload(local);
}

const executions = () => local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('scaleBuffer'));

describe('Scenario: the scheduled ScaleBuffer reconcile (local control plane + simulated clouds)', () => {
  it('with nothing to do, three scheduled reconciles start no ScaleBuffer execution', async () => {
    await start();
    await local.sim.clock.sleep(31 * 60_000);
    expect(reconcileLogs.filter((l) => l.includes('no execution started')).length).toBeGreaterThanOrEqual(3);
    expect(executions()).toEqual([]);
  }, 600_000);

  it('a buffer node past its cooldown is kept while its manual target holds, then a reconcile starts one execution, named for its period, that removes it', async () => {
    await start();
    // The hold runs from the plan, a moment after the start.
    const startedAt = local.sim.clock.now();
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), { targets: { 'scw-buffer': 1 }, holdMinutes: 40 });
    const grown = await local.controlPlane.waitForExecution(executionArn);
    expect(grown.status, grown.cause).toBe('SUCCEEDED');
    const [node] = poolNodes(local, 'scw-buffer').filter(ready);
    expect(node).toBeDefined();
    // Unneeded for 10 min and 10 min after the scale-up: past the cooldown by the 30-minute reconcile, but the manual
    // target holds it for 40 min.
    await local.sim.clock.sleep(startedAt + 39 * 60_000 - local.sim.clock.now());
    expect(poolNodes(local, 'scw-buffer').map((n) => n.metadata.name)).toEqual([node.metadata.name]);
    expect(executions()).toHaveLength(1);
    // The hold over, the next period's reconcile acts.
    await local.sim.clock.until(() => poolNodes(local, 'scw-buffer').length === 0, 20 * 60_000, 'the buffer node removed');
    expect(local.sim.clock.now()).toBeGreaterThanOrEqual(startedAt + 40 * 60_000);
    const byReconcile = executions().filter((e) => e.name.startsWith('reconcile-'));
    expect(byReconcile).toHaveLength(1);
    expect(byReconcile[0].name).toMatch(/^reconcile-\d{8}T\d{4}$/);
    expect(JSON.parse(byReconcile[0].input)).toEqual({ trigger: 'reconcile' });
    await local.controlPlane.waitForExecution(byReconcile[0].executionArn);
    const done = local.controlPlane.stepFunctions.describeExecution(byReconcile[0].executionArn);
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.stringify(JSON.parse(done.output ?? '{}').removed)).toContain(node.metadata.name);
    // The reconciles before the cooldown ended planned and started nothing.
    expect(reconcileLogs.some((l) => l.includes('no execution started'))).toBe(true);
    expect(executions()).toHaveLength(2);
  }, 900_000);
});
