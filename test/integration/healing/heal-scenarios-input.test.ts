import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeStack } from '../../../local/cloudformation/synth.js';
import { expectReadableCause } from '../../helpers/fail-cause.js';
import { auditEntries, healExecutions, runHeal, type Scenario, shippedConfig, startScenario } from './heal-scenarios-support.js';

/**
 * Bad input to HealNode, started by hand as an operator would (console, `shepherd start heal-node`): each execution
 * fails with the fail-cause convention's readable cause, and the sentence names the field that is wrong. Nothing in
 * the simulated cluster is touched.
 */

const config = shippedConfig();
let s: Scenario;

beforeAll(async () => {
  await synthesizeStack(config);
  s = await startScenario(config, 31);
}, 900_000);

afterAll(async () => {
  await s?.local.stop();
});

describe('Scenario: bad input to HealNode', () => {
  it.each([
    { what: 'no input fields', input: {}, field: '"nodeName"' },
    { what: 'not an object', input: ['node-1'], field: '"nodeName"' },
    { what: 'nodeName of the wrong type', input: { nodeName: 42, reason: 'manual' }, field: '"nodeName"' },
    { what: 'nodeName missing', input: { reason: 'manual' }, field: '"nodeName"' },
    { what: 'reason missing', input: { nodeName: 'node-1' }, field: '"reason"' },
    { what: 'reason unknown', input: { nodeName: 'node-1', reason: 'because' }, field: '"reason"' },
    { what: 'vmGone of the wrong type', input: { nodeName: 'node-1', reason: 'manual', vmGone: 'yes' }, field: '"vmGone"' },
    { what: 'deleteOnly of the wrong type', input: { nodeName: 'node-1', reason: 'manual', deleteOnly: 1 }, field: '"deleteOnly"' },
    { what: 'drainTimeoutSeconds a string', input: { nodeName: 'node-1', reason: 'manual', drainTimeoutSeconds: '60' }, field: '"drainTimeoutSeconds"' },
    { what: 'notReadySince not a time', input: { nodeName: 'node-1', reason: 'not-ready', notReadySince: 'yesterday' }, field: '"notReadySince"' },
    { what: 'source.kind unknown', input: { nodeName: 'node-1', reason: 'manual', source: { kind: 'pager' } }, field: '"source.kind"' },
    { what: 'an unknown field', input: { nodeName: 'node-1', reason: 'manual', node: 'node-1' }, field: '"node"' },
  ])('$what: fails InvalidInput, and the cause names $field', async ({ input, field }) => {
    const out = await runHeal(s.local, input);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('InvalidInput');
    const { sentence } = expectReadableCause(out.cause);
    expect(sentence).toContain(field);
  });

  it('an unknown node: fails NodeNotFoundError, the cause names "nodeName" and the node, and nothing is touched', async () => {
    const nodesBefore = s.local.sim.world.kube.list('nodes').map((n) => n.metadata.name);
    const out = await runHeal(s.local, { nodeName: 'no-such-node', reason: 'manual' });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('NodeNotFoundError');
    const { sentence, details } = expectReadableCause(out.cause);
    expect(sentence).toContain('"nodeName"');
    expect(sentence).toContain('no-such-node');
    expect(details).toMatchObject({ nodeName: 'no-such-node' });
    expect(s.local.sim.world.kube.list('nodes').map((n) => n.metadata.name)).toEqual(nodesBefore);
    // The refusal is in the node's audit log (shepherd history no-such-node), and its lease is free again.
    const refused = (await auditEntries(s.local, 'heal.skipped')).filter((e) => e.detail.nodeName === 'no-such-node');
    expect(refused[0]?.detail).toMatchObject({ status: 'refused' });
    const again = await runHeal(s.local, { nodeName: 'no-such-node', reason: 'manual' });
    expect(again.error).toBe('NodeNotFoundError');
  });

  it('a Node shepherd does not manage (no claim, no pool labels): fails NodeNotOwnedError naming "nodeName", and it stays', async () => {
    const { world } = s.local.sim;
    world.kube.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'foreign-1', labels: { 'kubernetes.io/hostname': 'foreign-1' } },
      spec: {},
    });
    const out = await runHeal(s.local, { nodeName: 'foreign-1', reason: 'manual' });
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('NodeNotOwnedError');
    const { sentence } = expectReadableCause(out.cause);
    expect(sentence).toContain('"nodeName"');
    expect(sentence).toContain('foreign-1');
    expect(world.kube.get('nodes', undefined, 'foreign-1')?.spec?.unschedulable).toBeFalsy();
    expect(healExecutions(s.local).every((h) => h.status === 'FAILED')).toBe(true);
  });
});
