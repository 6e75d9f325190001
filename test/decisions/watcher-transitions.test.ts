import { describe, expect, it } from 'vitest';
import type { VmRef } from '../../functions/decisions/provision.js';
import { WATCHER_DETAIL_SCHEMAS } from '../../functions/decisions/watcher/event-schemas.js';
import { pairNodesWithVms } from '../../functions/decisions/watcher/pairing.js';
import { decidePass } from '../../functions/decisions/watcher/transitions.js';
import {
  emptySnapshot,
  type NodeObservation,
  type Observation,
  type ProviderObservation,
  type Transition,
  type UnschedulablePods,
  type WatcherPolicy,
  type WatcherSnapshot,
} from '../../functions/decisions/watcher/types.js';
import { UnschedulableTally, unschedulable } from '../../functions/decisions/watcher/unschedulable-pods.js';
import { MAX_VM_CONFIRMATIONS_PER_PASS, vmsToConfirm } from '../../functions/decisions/watcher/vm-confirmation.js';

const policy: WatcherPolicy = { cluster: 'demo', registrationTimeoutSeconds: 900, degradedPercent: 45, degradedMinNodes: 2, podSampleSize: 2 };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const node = (name: string, fields: Partial<NodeObservation> = {}): NodeObservation => ({
  name,
  ready: 'True',
  provider: 'gcp',
  region: 'europe-west1',
  providerID: `gce://p/europe-west1-b/${name}`,
  ...fields,
});
const vm = (name: string, fields: Partial<VmRef> = {}): VmRef => ({
  provider: 'gcp',
  id: `id-${name}`,
  name,
  zone: 'europe-west1-b',
  region: 'europe-west1',
  type: 'e2-medium',
  providerID: `gce://p/europe-west1-b/${name}`,
  ...fields,
});
const gcp = (vms: VmRef[], preemptions: { vmId: string; noticeId: string }[] = []): ProviderObservation => ({
  provider: 'gcp',
  listed: true,
  vms,
  preemptions,
});
const noPods: UnschedulablePods = { count: 0, sample: [] };

function observe(minute: number, nodes: NodeObservation[], providers: ProviderObservation[] = [], pods = noPods): Observation {
  return { at: at(minute), cluster: { reachable: true, nodes, pods }, providers };
}

/** Runs passes one after another, each from the snapshot the previous one left, as the handler does. */
function passes(...observations: Observation[]): { perPass: Transition[][]; last: WatcherSnapshot } {
  let snapshot = emptySnapshot();
  const perPass: Transition[][] = [];
  observations.forEach((o, generation) => {
    const { transitions, next } = decidePass(snapshot, o, policy, String(generation));
    perPass.push(transitions);
    snapshot = next;
  });
  return { perPass, last: snapshot };
}

const kinds = (ts: Transition[]) => ts.map((t) => t.kind);

describe('Function: decidePass', () => {
  it('publishes a NotReady Node once, with the time its Ready condition changed, and Ready again once', () => {
    const down = node('n1', { ready: 'Unknown', readySince: at(-2), readyReason: 'NodeStatusUnknown' });
    const { perPass } = passes(observe(0, [node('n1')]), observe(1, [down]), observe(2, [down]), observe(3, [node('n1')]), observe(4, [node('n1')]));
    expect(perPass.map(kinds)).toEqual([[], ['nodeNotReady'], [], ['nodeReady'], []]);
    expect(perPass[1][0].detail).toMatchObject({
      node: 'n1',
      ready: 'Unknown',
      since: at(-2),
      reason: 'NodeStatusUnknown',
      provider: 'gcp',
      observedAt: at(1),
    });
    expect(perPass[3][0].detail).toMatchObject({ node: 'n1', notReadySince: at(-2) });
  });

  it('marks a Node that registered NotReady and was never Ready as neverReady; one that was Ready and fell is not', () => {
    // Registered at minute 0 with Ready=False since then (kubelet's first status): still joining.
    const joining = node('n2', { ready: 'False', readySince: at(0), readyReason: 'KubeletNotReady', registeredAt: at(0) });
    const { perPass } = passes(
      observe(0, [node('n1')]),
      observe(1, [node('n1'), joining]),
      observe(2, [node('n1'), { ...joining, ready: 'True', readySince: at(2) }]),
    );
    expect(perPass.map(kinds)).toEqual([[], ['nodeNotReady'], ['nodeReady']]);
    expect(perPass[1][0].detail).toMatchObject({ node: 'n2', neverReady: true, registeredAt: at(0), since: at(0) });
    // Ready at minute 2, NotReady again at minute 5: a spell of a node that worked.
    const fell = decidePass(emptySnapshot(), observe(6, [{ ...joining, readySince: at(5) }]), policy, '1').transitions;
    expect(fell[0].detail).toMatchObject({ node: 'n2', neverReady: false });
  });

  it('the same observation twice publishes nothing the second time, and a repeat from the same snapshot repeats the ids', () => {
    const o = observe(1, [node('n1', { ready: 'False' })], [gcp([])]);
    const first = decidePass(emptySnapshot(), o, policy, '7');
    const again = decidePass(emptySnapshot(), o, policy, '7');
    expect(again.transitions.map((t) => t.detail.transitionId)).toEqual(first.transitions.map((t) => t.detail.transitionId));
    expect(decidePass(first.next, { ...o, at: at(2) }, policy, '8').transitions).toEqual([]);
    expect(decidePass(emptySnapshot(), o, policy, '8').transitions[0].detail.transitionId).not.toBe(first.transitions[0].detail.transitionId);
  });

  it('a NotReady Node whose VM is missing from its provider list: VM gone at once, once', () => {
    const down = node('n1', { ready: 'Unknown' });
    const { perPass } = passes(observe(0, [node('n1')], [gcp([vm('n1')])]), observe(1, [down], [gcp([])]), observe(2, [down], [gcp([])]));
    expect(perPass.map(kinds)).toEqual([[], ['nodeNotReady', 'nodeVmGone'], []]);
    expect(perPass[1][1].detail).toMatchObject({ node: 'n1', provider: 'gcp', cause: 'missing', nodeReady: 'Unknown' });
  });

  it('a Ready Node whose VM is missing from one list is not gone yet (lists may lag a launch); missing twice it is', () => {
    const { perPass } = passes(observe(0, [node('n1')], [gcp([])]), observe(1, [node('n1')], [gcp([])]), observe(2, [node('n1')], [gcp([])]));
    expect(perPass.map(kinds)).toEqual([[], ['nodeVmGone'], []]);
  });

  it('a Ready Node whose VM one list missed is VM-gone at once when its provider, asked about the VM itself, says it is gone', () => {
    const gone = { ...observe(1, [node('n1')], [gcp([])]), vmStates: { n1: 'gone' as const } };
    const { perPass, last } = passes(observe(0, [node('n1')], [gcp([vm('n1')])]), gone, observe(2, [node('n1')], [gcp([])]));
    expect(perPass.map(kinds)).toEqual([[], ['nodeVmGone'], []]);
    expect(perPass[1][0].detail).toMatchObject({ node: 'n1', provider: 'gcp', cause: 'missing', nodeReady: 'True' });
    expect(last.nodes.n1).toMatchObject({ vmMissingSince: at(1), vmGoneAt: at(1) });
  });

  it('a listing gap the provider does not confirm (running, unknown: EC2 right after a launch) waits for the second pass', () => {
    for (const state of ['running', 'unknown', 'stopping'] as const) {
      const once = { ...observe(0, [node('n1')], [gcp([])]), vmStates: { n1: state } };
      const { perPass } = passes(once, observe(1, [node('n1')], [gcp([])]));
      expect(perPass.map(kinds)).toEqual([[], ['nodeVmGone']]);
    }
  });

  it('a VM that shows up again clears the missing mark', () => {
    const { perPass } = passes(observe(0, [node('n1')], [gcp([])]), observe(1, [node('n1')], [gcp([vm('n1')])]), observe(2, [node('n1')], [gcp([])]));
    expect(perPass.map(kinds)).toEqual([[], [], []]);
  });

  it('a provider that could not be listed concludes nothing about its Nodes or VMs, and keeps what was known', () => {
    const failed: ProviderObservation = { provider: 'gcp', listed: false, error: 'ProviderFunctionError: throttled' };
    const { perPass, last } = passes(observe(0, [node('n1')], [gcp([])]), observe(1, [node('n1', { ready: 'False' })], [failed]));
    expect(perPass.map(kinds)).toEqual([[], ['nodeNotReady']]);
    expect(last.nodes.n1.vmMissingSince).toBe(at(0));
  });

  it('Nodes without a provider label (not shepherd-made) are never judged VM-gone', () => {
    const foreign = node('other', { provider: undefined, ready: 'Unknown' });
    const { perPass } = passes(observe(0, [foreign], [gcp([])]), observe(1, [foreign], [gcp([])]));
    expect(perPass.flat().filter((t) => t.kind === 'nodeVmGone')).toEqual([]);
  });

  it('a preemption the provider reports (GCE zone operation) makes its Node VM-gone once, even while the VM is still listed', () => {
    const v = vm('n1');
    const notice = { vmId: v.id, noticeId: 'operation-123' };
    const { perPass, last } = passes(
      observe(0, [node('n1')], [gcp([v])]),
      observe(1, [node('n1')], [gcp([v], [notice])]),
      observe(2, [node('n1')], [gcp([v], [notice])]),
    );
    expect(perPass.map(kinds)).toEqual([[], ['nodeVmGone'], []]);
    expect(perPass[1][0].detail).toMatchObject({ cause: 'preempted', noticeId: 'operation-123', vm: { id: v.id } });
    expect(last.notices).toEqual({ 'operation-123': 'gcp' });
    expect(decidePass(last, observe(3, [node('n1')], [gcp([v])]), policy, '9').next.notices).toEqual({});
  });

  it('a VM without a Node is an orphan once it has been so for the registration deadline, published once', () => {
    const stray = vm('stray');
    const { perPass } = passes(
      observe(0, [], [gcp([stray])]),
      observe(14, [], [gcp([stray])]),
      observe(15, [], [gcp([stray])]),
      observe(16, [], [gcp([stray])]),
    );
    expect(perPass.map(kinds)).toEqual([[], [], ['orphanVm'], []]);
    expect(perPass[2][0].detail).toMatchObject({ provider: 'gcp', vm: { id: stray.id }, withoutNodeSince: at(0), deadlineSeconds: 900 });
  });

  it('a VM that gets its Node before the deadline is not an orphan', () => {
    const v = vm('late');
    const { perPass, last } = passes(observe(0, [], [gcp([v])]), observe(10, [node('late')], [gcp([v])]), observe(30, [node('late')], [gcp([v])]));
    expect(perPass.flat()).toEqual([]);
    expect(last.vms).toEqual({});
  });

  it('many NotReady Nodes of one provider: degraded once (provider and region), recovered once', () => {
    const up = [node('a'), node('b'), node('c')];
    const down = [node('a', { ready: 'Unknown' }), node('b', { ready: 'Unknown' }), node('c')];
    const { perPass } = passes(observe(0, up), observe(1, down), observe(2, down), observe(3, up));
    expect(perPass[1].filter((t) => t.kind === 'providerDegraded').map((t) => t.detail)).toEqual([
      expect.objectContaining({ provider: 'gcp', notReady: 2, total: 3, percent: 66.7, thresholdPercent: 45 }),
      expect.objectContaining({ provider: 'gcp', region: 'europe-west1', notReady: 2, total: 3 }),
    ]);
    expect(perPass[2]).toEqual([]);
    expect(perPass[3].filter((t) => t.kind === 'providerRecovered').map((t) => t.detail)).toEqual([
      expect.objectContaining({ provider: 'gcp', notReady: 0, total: 3, degradedSince: at(1) }),
      expect.objectContaining({ provider: 'gcp', region: 'europe-west1', degradedSince: at(1) }),
    ]);
  });

  it('one NotReady Node of a small provider is a node problem, not a degraded provider (degradedMinNodes)', () => {
    const { perPass } = passes(observe(0, [node('a', { ready: 'Unknown' })]));
    expect(kinds(perPass[0])).toEqual(['nodeNotReady']);
  });

  it('API server unreachable: one event, nothing about Nodes, the snapshot kept; reachable again: one event', () => {
    const down = node('n1', { ready: 'Unknown' });
    const unreachable: Observation = { at: at(1), cluster: { reachable: false, error: 'KubeConnectionError: ECONNRESET' }, providers: [gcp([])] };
    const { perPass, last } = passes(
      observe(0, [node('n1')], [gcp([vm('n1')])]),
      unreachable,
      { ...unreachable, at: at(2) },
      observe(3, [down], [gcp([vm('n1')])]),
    );
    expect(perPass.map(kinds)).toEqual([[], ['apiUnreachable'], [], ['apiReachable', 'nodeNotReady']]);
    expect(perPass[1][0].detail).toMatchObject({ error: 'KubeConnectionError: ECONNRESET', lastReachableAt: at(0) });
    expect(perPass[3][0].detail).toMatchObject({ unreachableSince: at(1) });
    expect(last.api).toEqual({ lastReachableAt: at(3) });
  });

  it('unschedulable pods: one event when more than before (count and sample), one when none are left; fewer is quiet', () => {
    const pods = (count: number) => ({ count, oldestSince: at(-1), sample: [{ namespace: 'default', name: 'web-1' }] });
    const { perPass } = passes(
      observe(0, [], [], pods(3)),
      observe(1, [], [], pods(3)),
      observe(2, [], [], pods(2)),
      observe(3, [], [], pods(5)),
      observe(4, [], [], noPods),
    );
    expect(perPass.map(kinds)).toEqual([['podsUnschedulable'], [], [], ['podsUnschedulable'], ['podsSchedulable']]);
    expect(perPass[3][0].detail).toMatchObject({ count: 5, previousCount: 2 });
    expect(perPass[4][0].detail).toMatchObject({ previousCount: 5, unschedulableSince: at(0) });
  });

  it('a pod list that failed leaves the pod state as it was', () => {
    const { perPass } = passes(
      observe(0, [], [], { count: 2, sample: [] }),
      { at: at(1), cluster: { reachable: true, nodes: [] }, providers: [] },
      observe(2, [], [], { count: 2, sample: [] }),
    );
    expect(perPass.map(kinds)).toEqual([['podsUnschedulable'], [], []]);
  });

  it('every detail it publishes matches its JSON schema in the catalog', () => {
    const v = vm('n1');
    const { perPass } = passes(
      observe(0, [node('a'), node('b'), node('n1')], [gcp([v, vm('stray')])], {
        count: 1,
        oldestSince: at(0),
        sample: [{ namespace: 'x', name: 'p', since: at(0), message: '0/3 nodes' }],
      }),
      { at: at(1), cluster: { reachable: false, error: 'KubeApiError: 503' }, providers: [] },
      observe(20, [node('a', { ready: 'False' }), node('b', { ready: 'Unknown' }), node('n1')], [gcp([v, vm('stray')], [{ vmId: v.id, noticeId: 'op' }])]),
      observe(21, [node('a'), node('b')], [gcp([])]),
    );
    const seen = new Set<string>();
    for (const t of perPass.flat()) {
      seen.add(t.kind);
      expect(WATCHER_DETAIL_SCHEMAS[t.kind].safeParse(t.detail).error?.issues ?? [], t.kind).toEqual([]);
    }
    expect([...seen].sort()).toEqual(Object.keys(WATCHER_DETAIL_SCHEMAS).sort());
  });
});

describe('Function: vmsToConfirm', () => {
  const claimed = (name: string, fields: Partial<NodeObservation> = {}) => node(name, { pool: 'gcp-amd64', claim: `claim-${name}`, ...fields });

  it('asks only about Ready, claimed Nodes whose VM a complete list missed for the first time', () => {
    const previous: WatcherSnapshot = { ...emptySnapshot(), nodes: { twice: { vmMissingSince: at(0) } } };
    const failed: ProviderObservation = { provider: 'aws', listed: false, error: 'x' };
    const o = observe(
      1,
      [
        claimed('gone'),
        claimed('listed'),
        claimed('down', { ready: 'Unknown' }),
        claimed('twice'),
        node('unclaimed'),
        claimed('aws-node', { provider: 'aws' }),
      ],
      [gcp([vm('listed')]), failed],
    );
    expect(vmsToConfirm(previous, o)).toEqual([{ node: 'gone', provider: 'gcp', pool: 'gcp-amd64', claim: 'claim-gone' }]);
  });

  it(`asks about at most ${MAX_VM_CONFIRMATIONS_PER_PASS} VMs a pass (a list missing many VMs is more likely a provider fault)`, () => {
    const nodes = Array.from({ length: 50 }, (_, i) => claimed(`n${i}`));
    expect(vmsToConfirm(emptySnapshot(), observe(0, nodes, [gcp([])]))).toHaveLength(MAX_VM_CONFIRMATIONS_PER_PASS);
  });

  it('asks nothing while the API server is unreachable', () => {
    expect(vmsToConfirm(emptySnapshot(), { at: at(0), cluster: { reachable: false, error: 'x' }, providers: [gcp([])] })).toEqual([]);
  });
});

describe('Function: pairNodesWithVms', () => {
  it('pairs by providerID, then by name, then by IP among Nodes labelled with the VM provider, and leaves the rest unpaired', () => {
    const nodes = [
      node('by-id', { providerID: 'gce://p/z/vm-1' }),
      node('vm-2', { providerID: undefined }),
      node('kosmos-x', { providerID: undefined, internalIp: '10.0.0.7' }),
      node('vm-4', { providerID: 'gce://p/z/another' }),
    ];
    const vms = [
      vm('vm-1', { providerID: 'gce://p/z/vm-1' }),
      vm('vm-2', { providerID: 'gce://p/z/vm-2' }),
      vm('vm-3', { providerID: 'gce://p/z/vm-3', privateIp: '10.0.0.7' }),
      vm('vm-4', { providerID: 'gce://p/z/vm-4' }),
    ];
    const { vmOfNode, unpaired } = pairNodesWithVms(nodes, vms);
    expect(Object.fromEntries([...vmOfNode].map(([n, v]) => [n, v.name]))).toEqual({ 'by-id': 'vm-1', 'vm-2': 'vm-2', 'kosmos-x': 'vm-3' });
    expect(unpaired.map((v) => v.name)).toEqual(['vm-4']);
  });

  it('does not pair by an IP two labelled Nodes share (sites reuse private ranges)', () => {
    const nodes = [node('a', { providerID: undefined, internalIp: '10.0.0.4' }), node('b', { providerID: undefined, internalIp: '10.0.0.4' })];
    expect(pairNodesWithVms(nodes, [vm('c', { providerID: undefined, privateIp: '10.0.0.4' })]).unpaired).toHaveLength(1);
  });
});

describe('Class: UnschedulableTally', () => {
  const pod = (name: string, since: string, reason = 'Unschedulable') => ({
    metadata: { name, namespace: 'default' },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason, lastTransitionTime: since, message: '0/2 nodes are available' }],
    },
  });

  it('counts only Pending pods the scheduler marked Unschedulable, keeps a sample and the oldest, and forgets on restart', () => {
    const tally = new UnschedulableTally(2);
    tally.add([pod('a', at(5)), pod('b', at(1)), pod('c', at(3), 'SchedulerError'), { metadata: { name: 'd' }, status: { phase: 'Running' } }]);
    tally.add([pod('e', at(2))]);
    expect(tally.result()).toEqual({
      count: 3,
      oldestSince: at(1),
      sample: [
        { namespace: 'default', name: 'a', since: at(5), message: '0/2 nodes are available' },
        { namespace: 'default', name: 'b', since: at(1), message: '0/2 nodes are available' },
      ],
    });
    tally.restart();
    tally.add([pod('f', at(9))]);
    expect(tally.result().count).toBe(1);
  });

  it('a pod being deleted is not demand', () => {
    expect(unschedulable({ ...pod('a', at(0)), metadata: { name: 'a', deletionTimestamp: at(1) } })).toBeUndefined();
  });
});
