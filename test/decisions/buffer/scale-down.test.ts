import { describe, expect, it } from 'vitest';
import { type BoundPod, type BufferNode, planScaleDown, type ScaleDownInput, standInsEnded } from '../../../functions/decisions/buffer/scale-down.js';
import type { NodeView } from '../../../functions/decisions/buffer/types.js';
import { at, NOW, pod } from './fixtures.js';

const GI = 2 ** 30;
const policy = { scaleDownUnneededSeconds: 600, scaleDownUtilizationThreshold: 0.5, scaleDownDelayAfterScaleUpSeconds: 600, recoveryPeriodSeconds: 600 };

function bound(name: string, cpu: number, extra: Partial<BoundPod> = {}): BoundPod {
  return { ...pod(name, cpu, 0.5), controller: 'ReplicaSet', labels: { app: name.split('-')[0] }, ...extra };
}

function node(name: string, pods: BoundPod[], extra: Partial<BufferNode> = {}): BufferNode {
  const cpu = pods.reduce((s, p) => s + p.requests.cpuMillis, 0);
  const mem = pods.reduce((s, p) => s + p.requests.memoryBytes, 0);
  return {
    name,
    pool: 'scw-buffer',
    labels: { 'kubernetes.io/arch': 'amd64' },
    taints: [],
    allocatable: { cpuMillis: 4000, memoryBytes: 16 * GI, pods: 110 },
    used: { cpuMillis: cpu, memoryBytes: mem, pods: pods.length },
    pods,
    ...extra,
  };
}

function roomy(name: string, freeCpu: number): NodeView {
  return {
    name,
    labels: { 'kubernetes.io/arch': 'amd64' },
    taints: [],
    allocatable: { cpuMillis: 4000, memoryBytes: 16 * GI, pods: 110 },
    used: { cpuMillis: 4000 - freeCpu * 1000, memoryBytes: 0, pods: 3 },
  };
}

function input(over: Partial<ScaleDownInput>): ScaleDownInput {
  return {
    now: NOW,
    bufferNodes: [],
    otherNodes: [roomy('aws-1', 3)],
    pools: [{ pool: 'scw-buffer', min: 0, size: 2 }],
    unneededSince: {},
    providers: [{ provider: 'aws', degraded: false, recoveredAt: at(-3600) }],
    budgets: [],
    policy,
    ...over,
  };
}

describe('Function: planScaleDown', () => {
  it('remembers an unneeded node and removes it only after 10 min unneeded', () => {
    const b1 = node('b1', [bound('web-1', 1)]);
    const first = planScaleDown(input({ bufferNodes: [b1] }));
    expect(first.remove).toEqual([]);
    expect(first.unneededSince).toEqual({ b1: NOW });
    expect(first.kept).toEqual([{ node: 'b1', reason: 'unneeded for 0 s of the 600 s before removal' }]);
    const later = planScaleDown(input({ bufferNodes: [b1], now: at(600), unneededSince: first.unneededSince }));
    expect(later.remove).toEqual([{ node: 'b1', pool: 'scw-buffer', reason: `unneeded since ${NOW} (25 % requested, 1 pod(s) fit elsewhere)` }]);
  });

  it('keeps a node used above the threshold and forgets that it was unneeded', () => {
    const busy = node('b1', [bound('web-1', 2.5)]);
    const plan = planScaleDown(input({ bufferNodes: [busy], now: at(900), unneededSince: { b1: NOW } }));
    expect(plan.remove).toEqual([]);
    expect(plan.unneededSince).toEqual({});
    expect(plan.kept[0].reason).toBe('in use: its pods request 63 % of it (threshold 50 %)');
  });

  it('never removes a node whose pods cannot move: no controller, local storage, safe-to-evict false, no room elsewhere', () => {
    const cases: [BoundPod, string][] = [
      [bound('bare-1', 1, { controller: undefined }), 'pod default/bare-1 has no controller: nothing would recreate it elsewhere'],
      [bound('cache-1', 1, { localStorage: true }), 'pod default/cache-1 keeps data in local storage (emptyDir or hostPath)'],
      [bound('job-1', 1, { safeToEvict: false }), 'pod default/job-1 is annotated cluster-autoscaler.kubernetes.io/safe-to-evict: "false"'],
      [bound('big-1', 1.9, { requests: { cpuMillis: 1900, memoryBytes: GI } }), 'pod default/big-1 fits on no other node'],
    ];
    for (const [p, reason] of cases) {
      const plan = planScaleDown(input({ bufferNodes: [node('b1', [p])], otherNodes: [roomy('aws-1', 1.5)], now: at(900), unneededSince: { b1: NOW } }));
      expect(plan.remove, reason).toEqual([]);
      expect(plan.kept).toEqual([{ node: 'b1', reason, blocked: true }]);
    }
  });

  it('keeps a node whose pod a PodDisruptionBudget protects, and says which budget', () => {
    const budgets = [{ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, disruptionsAllowed: 0 }];
    const plan = planScaleDown(input({ bufferNodes: [node('b1', [bound('web-1', 1)])], budgets, now: at(900), unneededSince: { b1: NOW } }));
    expect(plan.remove).toEqual([]);
    expect(plan.kept).toEqual([{ node: 'b1', reason: 'PodDisruptionBudget default/web allows no disruption of pod default/web-1 now', blocked: true }]);
  });

  it('does not count the same free room for two nodes, nor a budget allowing one disruption twice', () => {
    // aws-1 has room for one 1-CPU pod: b1 and b2 cannot both move there.
    const b1 = node('b1', [bound('web-1', 1)]);
    const b2 = node('b2', [bound('web-2', 1)]);
    const plan = planScaleDown(input({ bufferNodes: [b1, b2], otherNodes: [roomy('aws-1', 1)], now: at(900), unneededSince: { b1: NOW, b2: NOW } }));
    expect(plan.remove.map((r) => r.node)).toEqual(['b1']);
    expect(plan.kept).toEqual([{ node: 'b2', reason: 'pod default/web-2 fits on no other node', blocked: true }]);
    const budgets = [{ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, disruptionsAllowed: 1 }];
    const budgeted = planScaleDown(
      input({ bufferNodes: [b1, b2], otherNodes: [roomy('aws-1', 3)], budgets, now: at(900), unneededSince: { b1: NOW, b2: NOW } }),
    );
    expect(budgeted.kept.find((k) => k.node === 'b2')?.reason).toBe('PodDisruptionBudget default/web allows no disruption of pod default/web-2 now');
  });

  it('waits 10 min after a scale-up, and for the provider it stood in for to be back for the recovery period', () => {
    const b1 = node('b1', [], { standingInFor: ['aws'] });
    const afterAdd = planScaleDown(input({ bufferNodes: [b1], now: at(900), unneededSince: { b1: NOW }, lastScaleUpAt: at(600) }));
    expect(afterAdd.kept[0].reason).toBe(`a scale-up happened at ${at(600)}, less than 600 s ago`);
    const dark = planScaleDown(input({ bufferNodes: [b1], now: at(900), unneededSince: { b1: NOW }, providers: [{ provider: 'aws', degraded: true }] }));
    expect(dark.kept[0].reason).toBe('it stands in for aws, which is still degraded');
    const justBack = planScaleDown(
      input({ bufferNodes: [b1], now: at(900), unneededSince: { b1: NOW }, providers: [{ provider: 'aws', degraded: false, recoveredAt: at(600) }] }),
    );
    expect(justBack.kept[0].reason).toContain('back only since');
    const back = planScaleDown(
      input({ bufferNodes: [b1], now: at(1200), unneededSince: { b1: NOW }, providers: [{ provider: 'aws', degraded: false, recoveredAt: at(600) }] }),
    );
    expect(back.remove.map((r) => r.node)).toEqual(['b1']);
  });

  it("keeps the recovered provider's own nodes in a buffer pool while stand-ins for it remain, and removes the stand-in", () => {
    // gcp-amd64 is listed in `buffers` too: after gcp's outage its nodes are back and empty, the stand-in holds the pods.
    const stand = node('b1', [bound('web-1', 1.5), bound('web-2', 1.5)], { standingInFor: ['gcp'] });
    const gcp = (name: string) => node(name, [], { pool: 'gcp-amd64', labels: { 'kubernetes.io/arch': 'amd64', 'shepherd.io/provider': 'gcp' } });
    const providers = [{ provider: 'gcp', degraded: false, recoveredAt: at(0) }];
    const pools = [
      { pool: 'scw-buffer', min: 0, size: 1 },
      { pool: 'gcp-amd64', min: 0, size: 2 },
    ];
    const plan = planScaleDown(
      input({ bufferNodes: [stand, gcp('gcp-1'), gcp('gcp-2')], otherNodes: [], pools, providers, now: at(900), unneededSince: { b1: at(-900) } }),
    );
    expect(plan.remove.map((r) => r.node)).toEqual(['b1']);
    expect(plan.kept.filter((k) => k.node.startsWith('gcp-')).map((k) => k.reason)).toEqual([
      'its provider gcp came back from an outage that stand-in nodes still cover: the stand-ins go first',
      'its provider gcp came back from an outage that stand-in nodes still cover: the stand-ins go first',
    ]);
    // Once no node stands in for gcp, its empty nodes are ordinary candidates again.
    const after = planScaleDown(input({ bufferNodes: [gcp('gcp-1')], otherNodes: [], pools, providers, now: at(900), unneededSince: { 'gcp-1': NOW } }));
    expect(after.remove.map((r) => r.node)).toEqual(['gcp-1']);
  });

  it('a stand-in for a provider that is back goes however full, once its pods fit there and the recovery period passed', () => {
    const lent = node('b1', [bound('web-1', 1.5), bound('web-2', 1.5)], { standingInFor: ['aws'] });
    const back = [roomy('aws-1', 4)];
    const providers = [{ provider: 'aws', degraded: false, recoveredAt: at(0) }];
    const early = planScaleDown(input({ bufferNodes: [lent], otherNodes: back, providers, now: at(300), unneededSince: { b1: at(-900) } }));
    expect(early.kept[0].reason).toContain('back only since');
    const later = planScaleDown(input({ bufferNodes: [lent], otherNodes: back, providers, now: at(900), unneededSince: { b1: at(-900) } }));
    expect(later.remove).toEqual([{ node: 'b1', pool: 'scw-buffer', reason: `unneeded since ${at(-900)} (75 % requested, 2 pod(s) fit elsewhere)` }]);
    const stillDark = planScaleDown(
      input({ bufferNodes: [lent], otherNodes: back, providers: [{ provider: 'aws', degraded: true }], now: at(900), unneededSince: { b1: NOW } }),
    );
    expect(stillDark.kept[0].reason).toBe('in use: its pods request 75 % of it (threshold 50 %)');
    const notLent = planScaleDown(input({ bufferNodes: [node('b2', [bound('web-3', 3)])], otherNodes: back, now: at(900), unneededSince: { b2: NOW } }));
    expect(notLent.kept[0].reason).toBe('in use: its pods request 75 % of it (threshold 50 %)');
  });

  it('never goes below the pool min, and removes at most one node with pods per run while empty ones go together', () => {
    const nodes = [node('e1', []), node('e2', []), node('p1', [bound('web-1', 0.5)]), node('p2', [bound('web-2', 0.5)])];
    const since = Object.fromEntries(nodes.map((n) => [n.name, NOW]));
    const plan = planScaleDown(input({ bufferNodes: nodes, now: at(900), unneededSince: since, pools: [{ pool: 'scw-buffer', min: 0, size: 4 }] }));
    expect(plan.remove.map((r) => r.node)).toEqual(['e1', 'e2', 'p1']);
    expect(plan.kept).toEqual([{ node: 'p2', reason: 'another node with pods is being removed in this run; one at a time' }]);
    const atMin = planScaleDown(input({ bufferNodes: nodes, now: at(900), unneededSince: since, pools: [{ pool: 'scw-buffer', min: 3, size: 4 }] }));
    expect(atMin.remove.map((r) => r.node)).toEqual(['e1']);
    expect(atMin.kept.map((k) => k.reason)).toContain('pool scw-buffer is at its min (3)');
  });
});

describe('Function: standInsEnded', () => {
  it('ends the stand-in memory of a pool back at its min, and only of such a pool', () => {
    const pools = [
      { pool: 'scw-buffer', size: 0, min: 0, standingInFor: ['aws'] },
      { pool: 'gcp-amd64', size: 2, min: 0, standingInFor: ['aws'] },
      { pool: 'aws-buffer', size: 1, min: 1, standingInFor: [] },
      { pool: 'home', size: 1, min: 1 },
    ];
    expect(standInsEnded(pools)).toEqual(['scw-buffer']);
    expect(standInsEnded([{ pool: 'scw-buffer', size: 1, min: 1, standingInFor: ['gcp'] }])).toEqual(['scw-buffer']);
  });
});
