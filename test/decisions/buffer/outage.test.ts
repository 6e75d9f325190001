import { describe, expect, it } from 'vitest';
import { planOutageCapacity } from '../../../functions/decisions/buffer/outage.js';
import { NOW, pod, pool } from './fixtures.js';

describe('Function: planOutageCapacity', () => {
  const pools = [pool('aws-buffer', 4, 16, { provider: 'aws' }), pool('scw-buffer', 4, 16, { provider: 'scaleway' })];
  const lostNodes = [
    { name: 'aws-1', provider: 'aws', region: 'eu-west-3', pods: [pod('web-1', 2, 2), pod('web-2', 2, 2)] },
    { name: 'aws-2', provider: 'aws', region: 'eu-west-3', pods: [pod('api-1', 3, 2)] },
    { name: 'gcp-1', provider: 'gcp', region: 'europe-west1', pods: [pod('db-1', 2, 2)] },
  ];

  it("requests what the dark provider's pods need from pools on other providers, before they go pending", () => {
    const plan = planOutageCapacity({ degraded: [{ provider: 'aws' }], lostNodes, pools, now: NOW });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 2 })]);
    expect(plan.scaleUps[0].pods.sort()).toEqual(['default/api-1', 'default/web-1', 'default/web-2']);
    expect(plan.standingInFor).toEqual(['aws']);
    expect(plan.lostPods).toBe(3);
  });

  it('counts only the degraded region, and not the pods already pending', () => {
    const plan = planOutageCapacity({
      degraded: [{ provider: 'aws', region: 'eu-west-3' }],
      lostNodes: [...lostNodes, { name: 'aws-9', provider: 'aws', region: 'us-east-1', pods: [pod('far', 1, 1)] }],
      pools,
      now: NOW,
      alreadyPending: ['default/api-1'],
    });
    expect(plan.lostPods).toBe(2);
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
  });

  it('stays within the cost cap and reports pods pinned to the dark provider as unplaceable', () => {
    const pinned = pod('pinned', 1, 1, { nodeSelector: { 'shepherd.io/provider': 'aws' } });
    const withPinned = [{ ...lostNodes[0], pods: [...lostNodes[0].pods, pinned] }, lostNodes[1]];
    const scw = pool('scw-buffer', 4, 16, { provider: 'scaleway', labels: { 'shepherd.io/provider': 'scaleway' } });
    const plan = planOutageCapacity({ degraded: [{ provider: 'aws' }], lostNodes: withPinned, pools: [scw], now: NOW, maxHourlyCost: 0.05 });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
    expect(plan.waiting).toHaveLength(2);
    expect(plan.unplaceable).toEqual([
      { pod: 'default/pinned', reasons: { 'scw-buffer': 'nodeSelector shepherd.io/provider=aws (the node has shepherd.io/provider=scaleway)' } },
    ]);
  });

  it('asks nothing of a dark provider when its own pools are the only buffers', () => {
    const plan = planOutageCapacity({ degraded: [{ provider: 'aws' }], lostNodes, pools: [pools[0]], now: NOW });
    expect(plan.scaleUps).toEqual([]);
    expect(plan.unplaceable.map((u) => u.pod)).toHaveLength(3);
  });
});
