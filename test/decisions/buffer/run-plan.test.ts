import { describe, expect, it } from 'vitest';
import { planRun } from '../../../functions/buffers/run-plan.js';
import type { BufferClusterRead, BufferKubeNode, BufferKubePod } from '../../../functions/decisions/buffer/kube-types.js';
import { bufferConfig } from '../../helpers/scale-buffer-local.js';

const config = bufferConfig();
const NOW = '2026-11-30T12:00:00.000Z';

function node(name: string, labels: Record<string, string>, cpu = '1900m', memory = '7936Mi'): BufferKubeNode {
  return {
    metadata: { name, labels },
    spec: {},
    status: { allocatable: { cpu, memory, pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string, cpu: string, extra: { nodeName?: string; pending?: boolean; owner?: string } = {}): BufferKubePod {
  return {
    metadata: { name, namespace: 'default', labels: { app: name.split('-')[0] }, ownerReferences: [{ kind: extra.owner ?? 'ReplicaSet', controller: true }] },
    spec: { containers: [{ resources: { requests: { cpu, memory: '256Mi' } } }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
    status: extra.pending ? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } : { phase: 'Running' },
  };
}

const read = (nodes: BufferKubeNode[], pods: BufferKubePod[]): BufferClusterRead => ({ nodes, pods, budgets: [] });
const base = { config, activeClaims: {}, pools: [], cluster: { unneededSince: {}, providers: [] }, now: NOW };

describe('Function: planRun', () => {
  it('manual target on a Scaleway pool: one item of all its nodes, their hourly cost, and the pools already at their target', () => {
    const plan = planRun({
      ...base,
      request: {
        trigger: 'manual',
        targets: [
          { pool: 'scw-buffer', size: 2 },
          { pool: 'gcp-amd64', size: 0 },
        ],
        holdMinutes: 60,
      },
      read: read([], []),
    });
    expect(plan.grow).toEqual([{ pool: 'scw-buffer', count: 2, reason: 'manual target 2 (from 0)' }]);
    const hourly = config.buffers!.pools.find((p) => p.pool === 'scw-buffer')!.hourlyCost;
    expect(plan.scaleUp.scaleUps).toEqual([{ pool: 'scw-buffer', count: 2, pods: [], addedHourlyCost: 2 * hourly }]);
    expect(plan.scaleUp.scaleUps[0].addedHourlyCost).toBeGreaterThan(0);
    expect(plan.atTarget).toEqual([{ pool: 'gcp-amd64', size: 0 }]);
    expect(plan.holds).toEqual([
      { pool: 'scw-buffer', size: 2, until: '2026-11-30T13:00:00.000Z' },
      { pool: 'gcp-amd64', size: 0, until: '2026-11-30T13:00:00.000Z' },
    ]);
  });

  it('paused: automatic scale-down keeps the nodes it would remove, saying so; pending pods still grow a pool; a manual target still acts', () => {
    const scw = (name: string) =>
      node(name, { 'shepherd.io/provider': 'scaleway', 'shepherd.io/pool': 'scw-buffer', 'kubernetes.io/arch': 'amd64' }, '2900m', '3840Mi');
    const home = node('home-1', { 'shepherd.io/provider': 'homelab', 'shepherd.io/pool': 'home', 'kubernetes.io/arch': 'amd64' }, '8', '32Gi');
    const paused = { paused: true as const, by: 'ops', since: '2026-11-30T11:00:00.000Z', reason: 'incident' };
    const longAgo = '2026-11-30T10:00:00.000Z';
    const idle = { ...base, read: read([scw('scw-1'), home], []), cluster: { unneededSince: { 'scw-1': longAgo }, providers: [] } };
    expect(planRun({ ...idle, request: { trigger: 'reconcile' } }).remove).toHaveLength(1);
    const kept = planRun({ ...idle, request: { trigger: 'reconcile' }, paused });
    expect(kept.remove).toEqual([]);
    expect(kept.scaleDown.kept).toContainEqual({
      node: 'scw-1',
      reason: 'kept: remediation paused by ops since 2026-11-30T11:00:00.000Z (incident)',
      blocked: true,
    });
    const grows = planRun({ ...base, request: { trigger: 'reconcile' }, paused, read: read([], [pod('a-1', '1', { pending: true })]) });
    expect(grows.grow).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
    const manual = planRun({ ...idle, request: { trigger: 'manual', targets: [{ pool: 'scw-buffer', size: 0 }], holdMinutes: 0 }, paused });
    expect(manual.remove.map((r) => r.nodeName)).toEqual(['scw-1']);
  });

  it("a manual target's hold: automatic scale-down keeps the pool at the held size until it expires, then removes", () => {
    const scw = (name: string) =>
      node(name, { 'shepherd.io/provider': 'scaleway', 'shepherd.io/pool': 'scw-buffer', 'kubernetes.io/arch': 'amd64' }, '2900m', '3840Mi');
    const home = node('home-1', { 'shepherd.io/provider': 'homelab', 'shepherd.io/pool': 'home', 'kubernetes.io/arch': 'amd64' }, '8', '32Gi');
    const longAgo = '2026-11-30T10:00:00.000Z';
    const inputs = (hold?: { size: number; until: string }) => ({
      ...base,
      request: { trigger: 'reconcile' as const },
      read: read([scw('scw-1'), scw('scw-2'), home], []),
      pools: [{ pool: 'scw-buffer', ...(hold ? { hold } : {}) }],
      cluster: { unneededSince: { 'scw-1': longAgo, 'scw-2': longAgo }, providers: [] },
    });
    const held = planRun(inputs({ size: 2, until: '2026-11-30T12:30:00.000Z' }));
    expect(held.remove).toEqual([]);
    expect(held.scaleDown.kept).toContainEqual(
      expect.objectContaining({ reason: 'pool scw-buffer is held at 2 node(s) by a manual target until 2026-11-30T12:30:00.000Z' }),
    );
    const partly = planRun(inputs({ size: 1, until: '2026-11-30T12:30:00.000Z' }));
    expect(partly.remove).toHaveLength(1);
    const expired = planRun(inputs({ size: 2, until: '2026-11-30T11:59:00.000Z' }));
    expect(expired.remove.map((r) => r.nodeName).sort()).toEqual(['scw-1', 'scw-2']);
  });

  it('pending pods: one item for all the nodes of a Scaleway pool, and the scale-up time remembered', () => {
    const plan = planRun({
      ...base,
      request: { trigger: 'pods-unschedulable', eventId: 'x', observedAt: NOW },
      read: read([], [pod('a-1', '1', { pending: true }), pod('a-2', '1', { pending: true }), pod('a-3', '1', { pending: true })]),
    });
    expect(plan.pendingPods).toBe(3);
    expect(plan.grow).toEqual([{ pool: 'scw-buffer', count: 2, reason: 'pods-unschedulable: 3 pod(s) need it' }]);
    expect(plan.memory.lastScaleUpAt).toBe(NOW);
    expect(plan.remove).toEqual([]);
  });

  it('a pool backed off: the next pool gets one item per node (self-managed)', () => {
    const plan = planRun({
      ...base,
      pools: [{ pool: 'scw-buffer', backoff: { failures: 1, lastFailureAt: NOW, backedOffUntil: '2026-11-30T12:05:00.000Z' } }],
      request: { trigger: 'reconcile' },
      read: read([], [pod('a-1', '1500m', { pending: true }), pod('a-2', '1500m', { pending: true })]),
    });
    expect(plan.grow).toEqual([
      { pool: 'gcp-amd64', count: 1, reason: 'reconcile: 2 pod(s) need it' },
      { pool: 'gcp-amd64', count: 1, reason: 'reconcile: 2 pod(s) need it' },
    ]);
    expect(plan.scaleUp.skipped).toEqual([{ pool: 'scw-buffer', reason: expect.stringContaining('backed off') }]);
  });

  it("a provider gone dark: its nodes' pods are asked of the other providers' pools before they go pending, and the nodes stand in for it", () => {
    const gcpNode = node('gcp-1', { 'shepherd.io/provider': 'gcp', 'shepherd.io/pool': 'gcp-amd64', 'kubernetes.io/arch': 'amd64' });
    const plan = planRun({
      ...base,
      request: { trigger: 'provider-degraded', eventId: 'x', observedAt: NOW, provider: 'gcp' },
      read: read(
        [gcpNode],
        [pod('b-1', '1', { nodeName: 'gcp-1' }), pod('b-2', '1', { nodeName: 'gcp-1' }), pod('ds-1', '1', { nodeName: 'gcp-1', owner: 'DaemonSet' })],
      ),
    });
    // Two movable pods (the DaemonSet's does not move) fit one Scaleway node; GCE's own pool is left out.
    expect(plan.grow).toEqual([expect.objectContaining({ pool: 'scw-buffer', count: 1 })]);
    expect(plan.standingInFor).toEqual(['gcp']);
    expect(plan.degradedProviders).toEqual(['gcp']);
    expect(plan.memory.providers).toEqual([{ provider: 'gcp', degraded: true }]);
  });

  it('scale-down: an empty buffer node goes only after the cooldown, and not while the provider it stands in for is back for less than the recovery period', () => {
    const scw = node('scw-1', { 'shepherd.io/provider': 'scaleway', 'shepherd.io/pool': 'scw-buffer' }, '2900m', '3840Mi');
    const other = node('aws-1', { 'shepherd.io/provider': 'aws', 'shepherd.io/pool': 'aws-amd64' });
    const inputs = {
      ...base,
      activeClaims: { 'scw-buffer': 1 },
      pools: [{ pool: 'scw-buffer', standingInFor: ['gcp'] }],
      request: { trigger: 'reconcile' as const },
      read: read([scw, other], []),
    };
    const first = planRun({
      ...inputs,
      cluster: { unneededSince: {}, providers: [{ provider: 'gcp', degraded: false, recoveredAt: '2026-11-30T11:00:00.000Z' }] },
    });
    expect(first.remove).toEqual([]);
    expect(first.memory.unneededSince).toEqual({ 'scw-1': NOW });
    expect(first.scaleDown.kept).toEqual([{ node: 'scw-1', reason: expect.stringContaining('unneeded for 0 s') }]);

    const later = '2026-11-30T12:11:00.000Z';
    const recent = planRun({
      ...inputs,
      now: later,
      cluster: { unneededSince: first.memory.unneededSince, providers: [{ provider: 'gcp', degraded: false, recoveredAt: '2026-11-30T12:05:00.000Z' }] },
    });
    expect(recent.remove).toEqual([]);
    expect(recent.scaleDown.kept[0].reason).toContain('stands in for gcp, back only since');

    const calm = planRun({
      ...inputs,
      now: later,
      cluster: { unneededSince: first.memory.unneededSince, providers: [{ provider: 'gcp', degraded: false, recoveredAt: '2026-11-30T11:00:00.000Z' }] },
    });
    expect(calm.remove).toEqual([{ nodeName: 'scw-1', pool: 'scw-buffer', reason: expect.stringContaining('empty') }]);
  });

  it('scale-down never takes a node whose pod has no controller (nothing would recreate it)', () => {
    const scw = node('scw-1', { 'shepherd.io/provider': 'scaleway', 'shepherd.io/pool': 'scw-buffer' }, '2900m', '3840Mi');
    const bare = { ...pod('bare-1', '100m', { nodeName: 'scw-1' }), metadata: { name: 'bare-1', namespace: 'default' } };
    const plan = planRun({
      ...base,
      activeClaims: { 'scw-buffer': 1 },
      cluster: { unneededSince: { 'scw-1': '2026-11-30T11:00:00.000Z' }, providers: [] },
      request: { trigger: 'reconcile' },
      read: read([scw, node('aws-1', { 'shepherd.io/pool': 'aws-amd64' })], [bare]),
    });
    expect(plan.remove).toEqual([]);
    expect(plan.scaleDown.kept).toEqual([
      { node: 'scw-1', reason: 'pod default/bare-1 has no controller: nothing would recreate it elsewhere', blocked: true },
    ]);
  });

  it('manual targets: growth to the target, a shrink only of nodes whose pods can move', () => {
    const plan = planRun({
      ...base,
      request: { trigger: 'manual', targets: [{ pool: 'gcp-amd64', size: 2 }], holdMinutes: 60 },
      read: read([], []),
    });
    expect(plan.grow).toEqual([
      { pool: 'gcp-amd64', count: 1, reason: 'manual target 2 (from 0)' },
      { pool: 'gcp-amd64', count: 1, reason: 'manual target 2 (from 0)' },
    ]);
    const gcp = node('gcp-1', { 'shepherd.io/pool': 'gcp-amd64' });
    const shrink = planRun({
      ...base,
      activeClaims: { 'gcp-amd64': 1 },
      request: { trigger: 'manual', targets: [{ pool: 'gcp-amd64', size: 0 }], holdMinutes: 60 },
      read: read([gcp], []),
    });
    expect(shrink.remove).toEqual([{ nodeName: 'gcp-1', pool: 'gcp-amd64', reason: expect.stringContaining('manual target 0 (from 1)') }]);
  });

  it('a provider back: its recovery time is remembered for the scale-down', () => {
    const plan = planRun({
      ...base,
      cluster: { unneededSince: {}, providers: [{ provider: 'gcp', degraded: true }] },
      request: { trigger: 'provider-recovered', eventId: 'y', observedAt: '2026-11-30T11:59:00.000Z', provider: 'gcp' },
      read: read([], []),
    });
    expect(plan.memory.providers).toEqual([{ provider: 'gcp', degraded: false, recoveredAt: '2026-11-30T11:59:00.000Z' }]);
  });

  it('a pool back at its min forgets whom it stood in for: a node added later for pending pods is not removed as a stand-in while used', () => {
    const recovered = { unneededSince: {}, providers: [{ provider: 'gcp', degraded: false, recoveredAt: '2026-11-30T10:00:00.000Z' }] };
    const remembered = [{ pool: 'scw-buffer', standingInFor: ['gcp'] }];
    const atMin = planRun({ ...base, cluster: recovered, pools: remembered, request: { trigger: 'reconcile' }, read: read([], []) });
    expect(atMin.standInsEnded).toEqual(['scw-buffer']);

    // Later pending pods grew the pool by an ordinary node, now 75 % used; its pods would fit on the home node.
    const scw = node('scw-1', { 'shepherd.io/provider': 'scaleway', 'shepherd.io/pool': 'scw-buffer', 'kubernetes.io/arch': 'amd64' }, '2900m', '3840Mi');
    const home = node('home-1', { 'shepherd.io/provider': 'homelab', 'shepherd.io/pool': 'home', 'kubernetes.io/arch': 'amd64' }, '8', '32Gi');
    const used = read([scw, home], [pod('web-1', '2200m', { nodeName: 'scw-1' })]);
    const later = {
      ...base,
      cluster: { ...recovered, unneededSince: { 'scw-1': '2026-11-30T11:00:00.000Z' } },
      request: { trigger: 'reconcile' as const },
      read: used,
    };
    // Its memory, as the store keeps it: cleared when the run at min was recorded (records.ts), so the node is ordinary.
    const cleared = planRun({ ...later, pools: [{ pool: 'scw-buffer' }] });
    expect(cleared.remove).toEqual([]);
    expect(cleared.scaleDown.kept).toEqual([{ node: 'scw-1', reason: expect.stringContaining('in use') }]);
    // Even with the memory not yet cleared, a pool above its min keeps it as a stand-in only while it is one.
    expect(planRun({ ...later, pools: remembered }).standInsEnded).toBeUndefined();
  });
});
