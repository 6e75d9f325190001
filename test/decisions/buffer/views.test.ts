import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { boundPod, podSpecView } from '../../../functions/decisions/buffer/pod-views.js';
import { bufferPoolViews } from '../../../functions/decisions/buffer/pool-views.js';
import { planScaleUp } from '../../../functions/decisions/buffer/scale-up.js';
import { NOW } from './fixtures.js';

const MI = 2 ** 20;

describe('Function: podSpecView', () => {
  it('counts the larger of the containers sum and the largest init container, plus overhead', () => {
    const view = podSpecView({
      metadata: { name: 'web-1', namespace: 'shop' },
      spec: {
        containers: [{ resources: { requests: { cpu: '250m', memory: '128Mi' } } }, { resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
        initContainers: [{ resources: { requests: { cpu: '1', memory: '32Mi' } } }],
        overhead: { cpu: '10m', memory: '1Mi' },
      },
    });
    expect(view).toEqual({ namespace: 'shop', name: 'web-1', requests: { cpuMillis: 1010, memoryBytes: 193 * MI } });
  });

  it('keeps nodeSelector, required node affinity and tolerations', () => {
    const terms = [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In' as const, values: ['arm64'] }] }];
    const view = podSpecView({
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        nodeSelector: { disk: 'ssd' },
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
        tolerations: [{ operator: 'Exists' }],
      },
    });
    expect(view).toMatchObject({ nodeSelector: { disk: 'ssd' }, requiredNodeAffinity: terms, tolerations: [{ operator: 'Exists' }] });
  });
});

describe('Function: boundPod', () => {
  it('leaves out DaemonSet and mirror pods, and reads controller, local storage and safe-to-evict', () => {
    expect(boundPod({ metadata: { name: 'ds', ownerReferences: [{ kind: 'DaemonSet', controller: true }] } })).toBeUndefined();
    expect(boundPod({ metadata: { name: 'static', annotations: { 'kubernetes.io/config.mirror': 'x' } } })).toBeUndefined();
    const pod = boundPod({
      metadata: {
        name: 'cache',
        namespace: 'default',
        labels: { app: 'cache' },
        annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
        ownerReferences: [{ kind: 'ReplicaSet', controller: true }],
      },
      spec: { volumes: [{ emptyDir: {} }] },
    });
    expect(pod).toMatchObject({ controller: 'ReplicaSet', labels: { app: 'cache' }, localStorage: true, safeToEvict: true });
    expect(boundPod({ metadata: { name: 'bare', namespace: 'default' } })?.controller).toBeUndefined();
  });
});

describe('Function: bufferPoolViews', () => {
  const raw = JSON.parse(readFileSync(new URL('../../../shepherd.config.json', import.meta.url), 'utf8'));
  raw.buffers = {
    pools: [
      { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.03 },
      { pool: 'aws-arm64', maxNodes: 2, allocatable: { cpu: '1930m', memory: '3.2Gi', pods: 17 }, hourlyCost: 0.04 },
    ],
  };
  const config = parseConfig(raw);

  it("describes the node each buffer pool would add, in priority order, from the config and the pool's state", () => {
    const views = bufferPoolViews(config, { 'aws-arm64': { size: 1, upcoming: 1, backedOffUntil: NOW } });
    expect(views.map((v) => v.pool)).toEqual(['scw-buffer', 'aws-arm64']);
    expect(views[1]).toMatchObject({
      provider: 'aws',
      zones: ['eu-west-3a', 'eu-west-3b'],
      allocatable: { cpuMillis: 1930, memoryBytes: Math.ceil(3.2 * 1024 * MI), pods: 17 },
      maxNodes: 2,
      size: 1,
      upcoming: 1,
      backedOffUntil: NOW,
    });
    expect(views[1].labels).toMatchObject({ 'kubernetes.io/arch': 'arm64', 'shepherd.io/pool': 'aws-arm64', 'shepherd.io/site': 'aws' });
    expect(views[0]).toMatchObject({ size: 0, upcoming: 0, maxNodes: 3, hourlyCost: 0.03 });
  });

  it('lets the scale-up send an arm64 pod of the real shape to the arm64 pool', () => {
    const pods = [
      podSpecView({
        metadata: { name: 'graviton', namespace: 'default' },
        spec: { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, containers: [{ resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
      }),
    ];
    const plan = planScaleUp({ pods, pools: bufferPoolViews(config, {}), now: NOW });
    expect(plan.scaleUps).toEqual([expect.objectContaining({ pool: 'aws-arm64', count: 1 })]);
  });
});
