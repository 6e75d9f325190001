import { describe, expect, it } from 'vitest';
import { planScaleUp } from '../../../functions/decisions/buffer/scale-up.js';
import { at, NOW, pod, pool } from './fixtures.js';

const arm = (p: ReturnType<typeof pool>) => ({ ...p, labels: { ...p.labels, 'kubernetes.io/arch': 'arm64' } });

describe('Function: planScaleUp', () => {
  it('packs a burst into the first pool in priority order, first-fit-decreasing: one decision with the count the requests need', () => {
    // 10 pods of 1 CPU / 1 GiB onto 4-CPU nodes: 3 nodes (4 + 4 + 2), not 10.
    const pods = Array.from({ length: 10 }, (_, i) => pod(`web-${i}`, 1, 1));
    const plan = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16), pool('gcp-amd64', 8, 32)], now: NOW });
    expect(plan.scaleUps).toEqual([{ pool: 'scw-buffer', count: 3, pods: expect.any(Array), addedHourlyCost: 0.15 }]);
    expect(plan.scaleUps[0].pods).toHaveLength(10);
    expect(plan.unplaceable).toEqual([]);
    expect(plan.waiting).toEqual([]);
  });

  it('packs big pods first so small ones fill the gaps', () => {
    // 3 CPU + 1 CPU per node: FFD needs 2 nodes where arrival order (1,1,3,3) would need 3.
    const pods = [pod('s1', 1, 0.5), pod('s2', 1, 0.5), pod('b1', 3, 1), pod('b2', 3, 1)];
    const plan = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16)], now: NOW });
    expect(plan.scaleUps[0].count).toBe(2);
  });

  it('sends arm64-only pods to an arm64 pool and the rest to the first pool', () => {
    const pools = [pool('scw-buffer', 4, 16), arm(pool('aws-arm64', 2, 4))];
    const pods = [pod('any', 1, 1), pod('graviton', 1, 1, { nodeSelector: { 'kubernetes.io/arch': 'arm64' } })];
    const plan = planScaleUp({ pods, pools, now: NOW });
    expect(plan.scaleUps).toEqual([
      expect.objectContaining({ pool: 'scw-buffer', count: 1, pods: ['default/any'] }),
      expect.objectContaining({ pool: 'aws-arm64', count: 1, pods: ['default/graviton'] }),
    ]);
  });

  it('honours required node affinity on topology labels: the new node goes to a zone the pod accepts', () => {
    const gcp = pool('gcp-amd64', 4, 16, { zones: ['europe-west1-b', 'europe-west1-c'] });
    const zonal = pod('zonal', 1, 1, {
      requiredNodeAffinity: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['europe-west1-c'] }] }],
    });
    const other = pod('other', 1, 1, {
      requiredNodeAffinity: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['europe-west1-c'] }] }],
    });
    // Two pods that fit one node by size but want different zones: two nodes.
    const plan = planScaleUp({ pods: [zonal, other], pools: [gcp], now: NOW });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'gcp-amd64', count: 2 })]);
    // A pool in another zone takes the pod that only refuses europe-west1-c; the zonal one still needs gcp.
    const mixed = planScaleUp({ pods: [zonal, other], pools: [pool('scw-buffer', 4, 16), gcp], now: NOW });
    expect(mixed.scaleUps).toEqual([
      expect.objectContaining({ pool: 'scw-buffer', pods: ['default/other'] }),
      expect.objectContaining({ pool: 'gcp-amd64', pods: ['default/zonal'] }),
    ]);
  });

  it('keeps pods off a tainted pool unless they tolerate the taint', () => {
    const tainted = pool('scw-buffer', 4, 16, { taints: [{ key: 'shepherd.io/buffer', value: 'true', effect: 'NoSchedule' }] });
    const plain = pod('plain', 1, 1);
    const tolerant = pod('tolerant', 1, 1, { tolerations: [{ key: 'shepherd.io/buffer', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] });
    const plan = planScaleUp({ pods: [plain, tolerant], pools: [tainted, pool('gcp-amd64', 4, 16)], now: NOW });
    expect(plan.scaleUps).toEqual([
      expect.objectContaining({ pool: 'scw-buffer', pods: ['default/tolerant'] }),
      expect.objectContaining({ pool: 'gcp-amd64', pods: ['default/plain'] }),
    ]);
  });

  it('reports a pod no pool could ever place, with each pool its reason, and adds nothing for it', () => {
    const pools = [pool('scw-buffer', 4, 16), pool('gcp-amd64', 8, 32)];
    const huge = pod('huge', 16, 8);
    const picky = pod('picky', 1, 1, { nodeSelector: { disktype: 'ssd' } });
    const plan = planScaleUp({ pods: [huge, picky], pools, now: NOW });
    expect(plan.scaleUps).toEqual([]);
    expect(plan.unplaceable).toEqual([
      {
        pod: 'default/huge',
        reasons: {
          'scw-buffer': 'a node of pool scw-buffer is too small: cpu 16000m requested, 4000m free',
          'gcp-amd64': 'a node of pool gcp-amd64 is too small: cpu 16000m requested, 8000m free',
        },
      },
      {
        pod: 'default/picky',
        reasons: { 'scw-buffer': 'nodeSelector disktype=ssd (the node has no disktype)', 'gcp-amd64': 'nodeSelector disktype=ssd (the node has no disktype)' },
      },
    ]);
  });

  it('falls back to the next pool when the first is at its max, and never goes above it', () => {
    const pods = Array.from({ length: 6 }, (_, i) => pod(`p${i}`, 2, 1));
    const plan = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16, { size: 1, maxNodes: 2 }), pool('gcp-amd64', 4, 16)], now: NOW });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 }), expect.objectContaining({ pool: 'gcp-amd64', count: 2 })]);
    expect(plan.skipped).toEqual([{ pool: 'scw-buffer', reason: 'pool scw-buffer is at its max (2 nodes)' }]);
  });

  it('passes over a backed-off pool and a pool whose offerings are out of capacity until their time is up', () => {
    const pools = [pool('scw-buffer', 4, 16, { backedOffUntil: at(300) }), pool('aws-amd64', 4, 16, { outOfCapacityUntil: at(180) }), pool('gcp-amd64', 4, 16)];
    const plan = planScaleUp({ pods: [pod('a', 1, 1)], pools, now: NOW });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'gcp-amd64', count: 1 })]);
    expect(plan.skipped.map((s) => s.pool)).toEqual(['scw-buffer', 'aws-amd64']);
    expect(plan.skipped[0].reason).toContain('backed off until 2026-11-30T12:05:00.000Z');
    const later = planScaleUp({ pods: [pod('a', 1, 1)], pools, now: at(301) });
    expect(later.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
  });

  it('stops at the cost cap: what is left waits, with the reason', () => {
    const pods = Array.from({ length: 4 }, (_, i) => pod(`p${i}`, 4, 1));
    // One node already runs at 0.05; the cap 0.15 leaves room for two more.
    const plan = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16, { size: 1 })], now: NOW, maxHourlyCost: 0.15 });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 2 })]);
    expect(plan.waiting).toEqual([
      { pod: expect.any(String), reason: 'the cost cap (0.15 an hour) is reached' },
      { pod: expect.any(String), reason: 'the cost cap (0.15 an hour) is reached' },
    ]);
  });

  it('lands pods on nodes already being added before it adds more (two triggers for one need: one scale-up)', () => {
    const pods = [pod('a', 2, 1), pod('b', 2, 1)];
    const first = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16)], now: NOW });
    expect(first.scaleUps[0].count).toBe(1);
    const second = planScaleUp({ pods, pools: [pool('scw-buffer', 4, 16, { size: 1, upcoming: 1 })], now: NOW });
    expect(second.scaleUps).toEqual([]);
    expect(second.onUpcoming).toEqual(['default/a', 'default/b']);
  });

  it('tells waiting pods from unplaceable ones: every pool that fits is at its max', () => {
    const plan = planScaleUp({ pods: [pod('a', 1, 1)], pools: [pool('scw-buffer', 4, 16, { size: 3, maxNodes: 3 })], now: NOW });
    expect(plan.unplaceable).toEqual([]);
    expect(plan.waiting).toEqual([{ pod: 'default/a', reason: 'pool scw-buffer is at its max (3 nodes)' }]);
  });
});
