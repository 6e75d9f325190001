import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { healFailureCause } from '../../../functions/decisions/healing/heal-failure.js';
import { HEAL_LEASE_SECONDS, planHeal } from '../../../functions/decisions/healing/heal-plan.js';
import { poolOfNode, providerOfNode } from '../../../functions/decisions/healing/node-pool.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

const config = parseConfig(JSON.parse(readFileSync('shepherd.config.json', 'utf8')), 'test config');
const execution = { name: 'h1', id: 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-heal-node:h1' };
const plan = (input: unknown) => planHeal(input, config, execution, { aws: 'fn-aws' });

describe('Function: planHeal', () => {
  it('accepts the contract and fills the defaults', () => {
    expect(
      plan({ nodeName: 'ip-10-0-0-5.eu-west-3.compute.internal', reason: 'vm-gone', source: { kind: 'watcher', id: 't1', at: '2026-11-30T12:00:00Z' } }),
    ).toMatchObject({
      nodeName: 'ip-10-0-0-5.eu-west-3.compute.internal',
      reason: 'vm-gone',
      source: { kind: 'watcher', id: 't1' },
      vmGone: false,
      deleteOnly: false,
      notReadySince: null,
      owner: execution.id,
      leaseSeconds: HEAL_LEASE_SECONDS,
      drain: { deadlineSeconds: config.healing.drainTimeoutSeconds },
      providerFunctions: { aws: 'fn-aws' },
    });
    expect(plan({ nodeName: 'n1', reason: 'manual' }).source).toEqual({ kind: 'manual' });
  });

  it.each([
    [{ reason: 'manual' }, /^"nodeName" is required/],
    [{ nodeName: 12, reason: 'manual' }, /^"nodeName" must be/],
    [{ nodeName: 'n1' }, /^"reason" is required/],
    [{ nodeName: 'n1', reason: 'tired' }, /^"reason" must be one of/],
    [{ nodeName: 'n1', reason: 'manual', vmGone: 'yes' }, /^"vmGone" must be/],
    [{ nodeName: 'n1', reason: 'manual', deleteOnly: 1 }, /^"deleteOnly" must be/],
    [{ nodeName: 'n1', reason: 'manual', drainTimeoutSeconds: -1 }, /^"drainTimeoutSeconds" must be/],
    [{ nodeName: 'n1', reason: 'manual', notReadySince: 'yesterday' }, /^"notReadySince" must be/],
    [{ nodeName: 'n1', reason: 'manual', source: { kind: 'pager' } }, /^"source.kind" must be/],
    [{ nodeName: 'n1', reason: 'manual', colour: 'red' }, /^Unknown input field\(s\) "colour"/],
    [[1], /^The input must be a JSON object/],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => plan(input)).toThrow(InvalidInputError);
    expect(() => plan(input)).toThrow(message);
    try {
      plan(input);
    } catch (err) {
      expect((err as Error).message).not.toMatch(/[{}]/);
    }
  });
});

describe('Function: healFailureCause', () => {
  it('is one sentence without braces, a space, then the details as JSON; a Lambda error gives its message only', () => {
    const out = healFailureCause({
      nodeName: 'n1',
      reason: 'vm-gone',
      claimId: 'c1',
      pool: 'aws-amd64',
      stage: 'afterNodeDeleted',
      error: {
        Error: 'ProviderRequestError',
        Cause: JSON.stringify({ errorType: 'ProviderRequestError', errorMessage: 'EC2 said no {really}', trace: ['at x'] }),
      },
    });
    const at = out.cause.indexOf('{');
    const sentence = out.cause.slice(0, at - 1);
    expect(out.error).toBe('HealFailed');
    expect(sentence).toContain('Could not heal node n1');
    expect(sentence).toContain('EC2 said no really');
    expect(sentence).toContain('"claimId": "c1"');
    expect(out.cause).not.toContain('at x');
    expect(JSON.parse(out.cause.slice(at))).toEqual({
      nodeName: 'n1',
      reason: 'vm-gone',
      claimId: 'c1',
      pool: 'aws-amd64',
      stage: 'afterNodeDeleted',
      error: 'ProviderRequestError',
    });
  });

  it('keeps only the sentence of a nested ProvisionNode cause', () => {
    const child = { Status: 'FAILED', Error: 'ProvisionFailed', Cause: 'Provisioning failed for 1 of 1 nodes of pool aws-amd64. {"pool":"aws-amd64"}' };
    const out = healFailureCause({
      nodeName: 'n1',
      reason: 'manual',
      claimId: null,
      pool: 'aws-amd64',
      stage: 'replacement',
      error: { Error: 'States.TaskFailed', Cause: JSON.stringify(child) },
    });
    expect(out.cause.slice(0, out.cause.indexOf('{'))).toContain('ProvisionFailed: Provisioning failed for 1 of 1 nodes of pool aws-amd64.');
    expect(out.cause).toContain('start ProvisionNode for pool aws-amd64 by hand');
  });
});

describe('Function: poolOfNode', () => {
  it('reads the pool label, else a pool shepherd cannot launch whose labels the Node carries', () => {
    expect(poolOfNode({ 'shepherd.io/pool': 'gcp-amd64' }, config)?.name).toBe('gcp-amd64');
    expect(poolOfNode({ 'shepherd.io/site': 'home', 'kubernetes.io/hostname': 'nuc-1' }, config)?.name).toBe('home');
    expect(poolOfNode({ 'kubernetes.io/hostname': 'other' }, config)).toBeUndefined();
    expect(providerOfNode({ 'shepherd.io/site': 'home' }, config)).toBe('home');
    expect(providerOfNode({}, config)).toBe('unknown');
  });
});
