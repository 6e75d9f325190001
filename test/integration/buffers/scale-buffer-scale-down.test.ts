import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { type ShepherdLocal, startShepherdLocal } from '../../../local/shepherd-local.js';
import { addWorkload } from '../../../sim/scenarios.js';
import type { KubeObject } from '../../../sim/world/types.js';
import { auditEntries, bufferConfig, podsOf, poolNodes, ready, withoutSampleWorkload } from '../../helpers/scale-buffer-local.js';

/**
 * ScaleBuffer's scale-down safety rules end to end (local control plane, simulated clouds, virtual clock): a buffer
 * node past its cooldown stays when its pods may not or cannot move, and the audit log says why, naming the budget or
 * the pod. Nothing of ours is mocked.
 */

const config = bufferConfig();
let local: ShepherdLocal;

beforeAll(async () => {
  await synthesizeStack(config);
}, 600_000);

afterEach(async () => {
  await local?.stop();
});

const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;
const running = (pod: KubeObject) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;

/** Runs ScaleBuffer; a run the stack started on its own (the 10-minute reconcile) holding the leases is waited out. */
async function run(input: unknown) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('scaleBuffer'), input);
    const out = await local.controlPlane.waitForExecution(executionArn);
    const result = JSON.parse(out.output ?? '{}');
    if (out.status !== 'SUCCEEDED' || result.status !== 'already-scaling') return { ...out, result };
    await local.sim.clock.sleep(30_000);
  }
  throw new Error('ScaleBuffer stayed busy for 10 attempts');
}

/** One Scaleway buffer node (an operator's target), with `app`'s pods on it: the other nodes are cordoned meanwhile. */
async function bufferNodeWith(app: string, replicas: number, requests: { cpu: string; memory: string }, nodeSelector?: Record<string, string>) {
  local = await startShepherdLocal({ config, seed: 21, clock: { mode: 'virtual' }, onLambdaLog: () => {} });
  withoutSampleWorkload(local);
  const { world } = local.sim;
  // No hold (holdMinutes 0): these tests are about the safety rules, not the manual target's floor.
  const grown = await run({ targets: { 'scw-buffer': 1 }, holdMinutes: 0 });
  expect(grown.status, grown.cause).toBe('SUCCEEDED');
  const [buffer] = poolNodes(local, 'scw-buffer').filter(ready);
  expect(buffer).toBeDefined();
  const others = world.kube.list('nodes').filter((n) => n.metadata.name !== buffer.metadata.name);
  const cordon = (on: boolean) => {
    for (const n of others)
      world.kube.mutate('nodes', undefined, n.metadata.name, (o) => {
        o.spec = { ...(o.spec as Record<string, unknown>), unschedulable: on };
      });
  };
  cordon(true);
  addWorkload(world, app, replicas, requests, nodeSelector);
  await local.sim.clock.until(() => podsOf(local, app).length === replicas && podsOf(local, app).every(running), 120_000, `${app} pods Running`);
  expect(podsOf(local, app).every((p) => nodeOf(p) === buffer.metadata.name)).toBe(true);
  // The home node takes pods again: there is room elsewhere, so only the rule under test keeps the buffer node.
  cordon(false);
  return buffer.metadata.name;
}

/** Past the cooldown and the delay after the scale-up (600 s each), a reconcile decides; then the node must still be there. */
async function reconcileAfterCooldown() {
  await run({ trigger: 'reconcile' });
  await local.sim.clock.sleep(660_000);
  return run({ trigger: 'reconcile' });
}

describe('Scenario: ScaleBuffer scale-down that must not happen (local control plane + simulated clouds)', () => {
  it('a PodDisruptionBudget allowing no disruption: the buffer node stays, its pods untouched, and the audit log names the budget', async () => {
    const buffer = await bufferNodeWith('guarded', 2, { cpu: '250m', memory: '256Mi' });
    local.sim.world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guarded', namespace: 'default' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } },
    });
    const out = await reconcileAfterCooldown();
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(out.result.removed).toEqual([]);
    expect(out.result.kept).toEqual([
      { node: buffer, reason: expect.stringContaining('PodDisruptionBudget default/guarded allows no disruption'), blocked: true },
    ]);
    expect(poolNodes(local, 'scw-buffer').map((n) => n.metadata.name)).toEqual([buffer]);
    expect(podsOf(local, 'guarded').every((p) => running(p) && nodeOf(p) === buffer)).toBe(true);
    expect(local.sim.world.timeline.some((e) => e.type === 'pod.evicted')).toBe(false);
    const kept = await auditEntries(local, 'buffer-node-kept');
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.at(-1)?.detail).toMatchObject({ trigger: 'reconcile', nodeName: buffer, why: expect.stringContaining('PodDisruptionBudget default/guarded') });
    expect(await auditEntries(local, 'buffer-scaled-down')).toHaveLength(0);
  }, 600_000);

  it('a pod only that node satisfies (its nodeSelector): the node stays, and the audit log says which pod fits nowhere else', async () => {
    const buffer = await bufferNodeWith('pinned', 1, { cpu: '250m', memory: '256Mi' }, { 'shepherd.io/site': 'scaleway' });
    const out = await reconcileAfterCooldown();
    expect(out.status, out.cause).toBe('SUCCEEDED');
    expect(out.result.removed).toEqual([]);
    const pod = podsOf(local, 'pinned')[0].metadata.name;
    expect(out.result.kept).toEqual([{ node: buffer, reason: `pod default/${pod} fits on no other node`, blocked: true }]);
    expect(poolNodes(local, 'scw-buffer').map((n) => n.metadata.name)).toEqual([buffer]);
    expect(podsOf(local, 'pinned').every((p) => running(p) && nodeOf(p) === buffer)).toBe(true);
    expect(local.sim.world.timeline.some((e) => e.type === 'pod.evicted')).toBe(false);
    const kept = await auditEntries(local, 'buffer-node-kept');
    expect(kept.at(-1)?.detail).toMatchObject({ nodeName: buffer, why: `pod default/${pod} fits on no other node` });
  }, 600_000);
});
