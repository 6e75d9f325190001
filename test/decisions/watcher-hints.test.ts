import { describe, expect, it } from 'vitest';
import { hintVerdict } from '../../functions/decisions/watcher/hints.js';
import { decidePass } from '../../functions/decisions/watcher/transitions.js';
import {
  emptySnapshot,
  type NodeObservation,
  type UnschedulablePods,
  type WatcherPolicy,
  type WatcherSnapshot,
} from '../../functions/decisions/watcher/types.js';

const policy: WatcherPolicy = { cluster: 'demo', registrationTimeoutSeconds: 900, degradedPercent: 45, degradedMinNodes: 2, podSampleSize: 2 };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const node = (name: string, fields: Partial<NodeObservation> = {}): NodeObservation => ({
  name,
  ready: 'True',
  provider: 'aws',
  region: 'eu-west-3',
  ...fields,
});
const down = (name: string) => node(name, { ready: 'Unknown', readySince: at(-5), readyReason: 'NodeStatusUnknown' });
const pods = (count: number): UnschedulablePods => ({
  count,
  sample: Array.from({ length: Math.min(count, 2) }, (_, i) => ({ namespace: 'default', name: `p${i}` })),
});
const noPods = pods(0);

/** The snapshot a full pass (with no VM lists, which these cases do not need) leaves after observing the cluster. */
function afterPass(nodes: NodeObservation[], seen = noPods, previous: WatcherSnapshot = emptySnapshot()): WatcherSnapshot {
  return decidePass(previous, { at: at(0), cluster: { reachable: true, nodes, pods: seen }, providers: [] }, policy, '1').next;
}

describe('Function: hintVerdict', () => {
  it('asks for a pass when a Node went NotReady since the last pass, naming the Node', () => {
    const snapshot = afterPass([node('a'), node('b'), node('c')]);
    const verdict = hintVerdict(snapshot, { reachable: true, nodes: [down('a'), node('b'), node('c')], pods: noPods }, policy, at(10));
    expect(verdict).toEqual({ pass: true, reasons: [{ kind: 'nodeNotReady', subject: 'a' }] });
  });

  it('asks for a pass when a provider went degraded, naming the provider and its region', () => {
    const snapshot = afterPass([node('a'), node('b'), node('c')]);
    const verdict = hintVerdict(snapshot, { reachable: true, nodes: [down('a'), down('b'), node('c')], pods: noPods }, policy, at(10));
    expect(verdict.pass).toBe(true);
    expect(verdict.pass && verdict.reasons).toEqual(
      expect.arrayContaining([
        { kind: 'providerDegraded', subject: 'aws' },
        { kind: 'providerDegraded', subject: 'aws/eu-west-3' },
      ]),
    );
  });

  it('asks for a pass when more pods are unschedulable than the last pass saw, and not for as many or fewer', () => {
    const snapshot = afterPass([node('a')], pods(3));
    expect(hintVerdict(snapshot, { reachable: true, nodes: [node('a')], pods: pods(5) }, policy, at(10))).toEqual({
      pass: true,
      reasons: [{ kind: 'podsUnschedulable', subject: '5 pods' }],
    });
    expect(hintVerdict(snapshot, { reachable: true, nodes: [node('a')], pods: pods(3) }, policy, at(10))).toEqual({ pass: false, reason: 'nothing-new' });
    expect(hintVerdict(snapshot, { reachable: true, nodes: [node('a')], pods: pods(1) }, policy, at(10))).toEqual({ pass: false, reason: 'nothing-new' });
  });

  it('asks nothing once the pass saved what the hint saw: the same world gives one hint, not one a round', () => {
    const world = { reachable: true as const, nodes: [down('a'), node('b')], pods: pods(2) };
    const before = afterPass([node('a'), node('b')]);
    expect(hintVerdict(before, world, policy, at(10)).pass).toBe(true);
    const after = afterPass(world.nodes, world.pods, before);
    expect(hintVerdict(after, world, policy, at(20))).toEqual({ pass: false, reason: 'nothing-new' });
  });

  it('leaves to the schedule what does not grow buffers: a Node Ready again, pods placed, a provider recovered', () => {
    const snapshot = afterPass([down('a'), down('b'), node('c')], pods(4));
    expect(hintVerdict(snapshot, { reachable: true, nodes: [node('a'), node('b'), node('c')], pods: noPods }, policy, at(10))).toEqual({
      pass: false,
      reason: 'nothing-new',
    });
  });

  it('leaves an unreachable API server to the scheduled pass, and concludes nothing about pods it could not list', () => {
    const snapshot = afterPass([node('a')]);
    expect(hintVerdict(snapshot, { reachable: false, error: 'ECONNREFUSED' }, policy, at(10))).toEqual({ pass: false, reason: 'unreachable' });
    expect(hintVerdict(snapshot, { reachable: true, nodes: [node('a')] }, policy, at(10))).toEqual({ pass: false, reason: 'nothing-new' });
  });
});
