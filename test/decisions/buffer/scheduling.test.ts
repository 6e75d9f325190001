import { describe, expect, it } from 'vitest';
import { nodeAffinityMismatch, tolerates, untoleratedTaint } from '../../../functions/decisions/buffer/scheduling.js';
import { pod } from './fixtures.js';

const labels = { 'kubernetes.io/arch': 'arm64', 'topology.kubernetes.io/zone': 'eu-west-3a', generation: '7' };

describe('Function: nodeAffinityMismatch', () => {
  const affinity = (...matchExpressions: never[]) => pod('p', 1, 1, { requiredNodeAffinity: [{ matchExpressions }] });

  it('matches In, NotIn (an absent label passes), Exists, DoesNotExist, Gt and Lt as the scheduler does', () => {
    const cases: [object, boolean][] = [
      [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }, true],
      [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }, false],
      [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }, true],
      [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['eu-west-3a'] }, false],
      [{ key: 'generation', operator: 'Exists' }, true],
      [{ key: 'generation', operator: 'DoesNotExist' }, false],
      [{ key: 'generation', operator: 'Gt', values: ['6'] }, true],
      [{ key: 'generation', operator: 'Lt', values: ['6'] }, false],
      [{ key: 'kubernetes.io/arch', operator: 'Gt', values: ['6'] }, false],
    ];
    for (const [requirement, matches] of cases) {
      expect(nodeAffinityMismatch(affinity(requirement as never), labels) === undefined, JSON.stringify(requirement)).toBe(matches);
    }
  });

  it('ORs the terms, ANDs the expressions of one, and an empty term matches nothing', () => {
    const either = pod('p', 1, 1, {
      requiredNodeAffinity: [
        { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
        { matchExpressions: [{ key: 'generation', operator: 'Exists' }] },
      ],
    });
    expect(nodeAffinityMismatch(either, labels)).toBeUndefined();
    const both = pod('p', 1, 1, {
      requiredNodeAffinity: [
        {
          matchExpressions: [
            { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
            { key: 'disk', operator: 'Exists' },
          ],
        },
      ],
    });
    expect(nodeAffinityMismatch(both, labels)).toBe('required node affinity kubernetes.io/arch In arm64 and disk Exists');
    expect(nodeAffinityMismatch(pod('p', 1, 1, { requiredNodeAffinity: [{}] }), labels)).toBe('required node affinity (empty term)');
  });
});

describe('Function: tolerates', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };

  it('follows core/v1: Equal compares the value, Exists any value, an empty key with Exists every taint, an empty effect every effect', () => {
    expect(tolerates({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint)).toBe(true);
    expect(tolerates({ key: 'dedicated', value: 'gpu' }, taint)).toBe(true);
    expect(tolerates({ key: 'dedicated', operator: 'Equal', value: 'cpu' }, taint)).toBe(false);
    expect(tolerates({ key: 'dedicated', operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
  });
});

describe('Function: untoleratedTaint', () => {
  it('lets PreferNoSchedule pass and names the first blocking taint', () => {
    expect(untoleratedTaint(pod('p', 1, 1), [{ key: 'soft', effect: 'PreferNoSchedule' }])).toBeUndefined();
    expect(untoleratedTaint(pod('p', 1, 1), [{ key: 'hard', value: 'x', effect: 'NoExecute' }])).toBe('taint hard=x:NoExecute not tolerated');
  });
});
