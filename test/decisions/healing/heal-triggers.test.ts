import { describe, expect, it } from 'vitest';
import { parseEc2Event } from '../../../functions/decisions/healing/ec2-events/parse.js';
import type { Ec2HealingEvent } from '../../../functions/decisions/healing/ec2-events/types.js';
import {
  healStartForEc2Event,
  instanceFacts,
  instanceOwnership,
  nodeOfInstance,
  SPOT_DRAIN_TIMEOUT_SECONDS,
} from '../../../functions/decisions/healing/triggers/ec2-trigger.js';
import { healExecutionName } from '../../../functions/decisions/healing/triggers/execution-name.js';
import { type OrphanFacts, orphanConfirmation } from '../../../functions/decisions/healing/triggers/orphan-confirmation.js';
import { REBALANCE_TAINT, withRebalanceTaint } from '../../../functions/decisions/healing/triggers/rebalance-taint.js';
import type { OrphanReport } from '../../../functions/decisions/healing/triggers/types.js';
import { healStartForWatcherEvent, orphanReportOf } from '../../../functions/decisions/healing/triggers/watcher-trigger.js';
import type { NodeView, VmRef } from '../../../functions/decisions/provision.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../../functions/decisions/watcher/event-types.js';
import { spotInterruptionWarning, stateChange } from './ec2-event-fixtures.js';

const INSTANCE = 'i-1234567890abcdef0';
const vm: VmRef = {
  provider: 'aws',
  id: INSTANCE,
  name: 'ip-10-0-0-5',
  zone: 'us-east-2a',
  region: 'us-east-2',
  type: 't3.medium',
  providerID: `aws:///us-east-2a/${INSTANCE}`,
};
const node = (labels: Record<string, string> = { 'shepherd.io/claim': 'c1', 'shepherd.io/pool': 'aws-amd64' }): NodeView => ({
  name: 'aws-amd64-1',
  providerID: `aws:///us-east-2a/${INSTANCE}`,
  ready: 'True',
  labels,
});
const parsed = (raw: unknown): Ec2HealingEvent => {
  const p = parseEc2Event(raw);
  if (!p.ok) throw new Error(p.summary);
  return p.event;
};

describe('Function: healExecutionName', () => {
  it('names an execution after its trigger, so the same trigger gives the same name', () => {
    expect(healExecutionName('ec2', '12345678-1234-1234-1234-123456789012', INSTANCE)).toBe(`ec2-12345678-1234-1234-1234-123456789012-${INSTANCE}`);
    expect(healExecutionName('watcher', 'a'.repeat(32))).toBe(`watcher-${'a'.repeat(32)}`);
  });

  it('hashes ids that are not name-safe or too long, into a valid name that still differs per id', () => {
    const forged = healExecutionName('ec2', 'id with spaces/and:colons', INSTANCE);
    const other = healExecutionName('ec2', 'id with spaces/and:colons!', INSTANCE);
    for (const name of [forged, other, healExecutionName('watcher', 'x'.repeat(200))]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(forged).not.toBe(other);
  });
});

describe('Function: withRebalanceTaint', () => {
  it('adds the rebalance taint to the taints the Node has, once', () => {
    const own = { key: 'shepherd.io/dedicated', value: 'gcp', effect: 'NoSchedule' as const };
    expect(withRebalanceTaint([own])).toEqual([own, REBALANCE_TAINT]);
    expect(withRebalanceTaint([own, REBALANCE_TAINT])).toBeUndefined();
    expect(REBALANCE_TAINT.effect).toBe('PreferNoSchedule');
  });
});

describe('Function: instanceOwnership', () => {
  it("is the cluster's when the Node carrying the providerID has a claim that launched this very instance", () => {
    const n = nodeOfInstance([node()], INSTANCE);
    expect(n?.name).toBe('aws-amd64-1');
    expect(instanceOwnership(INSTANCE, n, { claimId: 'c1', pool: 'aws-amd64', status: 'active', vm })).toMatchObject({
      clusterTagged: true,
      pool: 'aws-amd64',
      vm,
    });
  });

  it('is not when the Node has no claim label, its claim is unknown or names another VM; unknown without a Node', () => {
    expect(instanceOwnership(INSTANCE, node({}), undefined).clusterTagged).toBe(false);
    expect(instanceOwnership(INSTANCE, node(), undefined).clusterTagged).toBe(false);
    expect(
      instanceOwnership(INSTANCE, node(), { claimId: 'c1', pool: 'aws-amd64', status: 'active', vm: { ...vm, id: 'i-0000000000000000f' } }).clusterTagged,
    ).toBe(false);
    expect(instanceOwnership(INSTANCE, undefined, undefined).clusterTagged).toBeUndefined();
    expect(nodeOfInstance([node()], 'i-0fffffffffffffff0')).toBeUndefined();
  });

  it("gives eventConfirmation EC2's state and the Node's Ready status", () => {
    const own = instanceOwnership(INSTANCE, node(), { claimId: 'c1', pool: 'aws-amd64', status: 'active', vm });
    expect(instanceFacts(own, node(), 'running')).toEqual({ state: 'running', clusterTagged: true, nodeReady: 'True' });
    expect(instanceFacts(instanceOwnership(INSTANCE, undefined, undefined), undefined, 'unknown')).toEqual({ state: 'unknown' });
  });
});

describe('Function: healStartForEc2Event', () => {
  it('starts a spot heal named after the event and instance, with a drain that ends before the two-minute notice', () => {
    const start = healStartForEc2Event(parsed(spotInterruptionWarning), INSTANCE, 'aws-amd64-1', { state: 'running', clusterTagged: true, nodeReady: 'True' });
    expect(start).toEqual({
      name: `ec2-${spotInterruptionWarning.id}-${INSTANCE}`,
      input: {
        nodeName: 'aws-amd64-1',
        reason: 'spot-interruption',
        source: { kind: 'ec2-event', id: spotInterruptionWarning.id, at: spotInterruptionWarning.time },
        drainTimeoutSeconds: SPOT_DRAIN_TIMEOUT_SECONDS,
      },
    });
    expect(SPOT_DRAIN_TIMEOUT_SECONDS).toBeLessThan(120);
  });

  it('maps terminated to vm-gone (vmGone when EC2 says gone) and the other leaving states to vm-stopping', () => {
    const gone = healStartForEc2Event(parsed(stateChange('terminated')), INSTANCE, 'n', { state: 'gone', clusterTagged: true, nodeReady: 'Unknown' });
    expect(gone.input).toMatchObject({ reason: 'vm-gone', vmGone: true });
    const stopping = healStartForEc2Event(parsed(stateChange('stopping')), INSTANCE, 'n', { state: 'stopping', clusterTagged: true, nodeReady: 'True' });
    expect(stopping.input.reason).toBe('vm-stopping');
    expect(stopping.input.vmGone).toBeUndefined();
  });
});

const watcherEvent = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'e1',
  source: WATCHER_SOURCE,
  'detail-type': detailType,
  account: '123456789012',
  region: 'eu-west-3',
  time: '2026-11-30T10:00:00Z',
  resources: [],
  detail,
});
const TRANSITION = '0123456789abcdef0123456789abcdef';
const common = { transitionId: TRANSITION, cluster: 'demo', observedAt: '2026-11-30T10:00:00.000Z' };

describe('Function: healStartForWatcherEvent', () => {
  it('starts a not-ready heal with notReadySince, named after the transition', () => {
    const v = healStartForWatcherEvent(
      watcherEvent(WATCHER_DETAIL_TYPES.nodeNotReady, { ...common, node: 'gcp-amd64-1', ready: 'Unknown', since: '2026-11-30T09:59:10Z' }),
      'demo',
    );
    expect(v).toEqual({
      act: true,
      name: `watcher-${TRANSITION}`,
      input: {
        nodeName: 'gcp-amd64-1',
        reason: 'not-ready',
        notReadySince: '2026-11-30T09:59:10Z',
        source: { kind: 'watcher', id: TRANSITION, at: common.observedAt },
      },
    });
  });

  it('starts no heal for a Node not Ready once since it registered (still joining), naming it for the audit', () => {
    const joining = { ...common, node: 'aws-amd64-7', ready: 'False', since: '2026-11-30T09:59:58Z', registeredAt: '2026-11-30T09:59:58Z' };
    expect(healStartForWatcherEvent(watcherEvent(WATCHER_DETAIL_TYPES.nodeNotReady, { ...joining, neverReady: true }), 'demo')).toEqual({
      act: false,
      why: 'still-joining',
      nodeName: 'aws-amd64-7',
      reason:
        "node aws-amd64-7 has not been Ready since it registered (registered 2026-11-30T09:59:58Z): a node still joining is its provisioning's to wait for, not a heal",
    });
    // The same Node once it has been Ready: a NotReady spell of a node that worked is healed.
    expect(healStartForWatcherEvent(watcherEvent(WATCHER_DETAIL_TYPES.nodeNotReady, { ...joining, neverReady: false }), 'demo')).toMatchObject({
      act: true,
      input: { nodeName: 'aws-amd64-7', reason: 'not-ready' },
    });
  });

  it('starts a vm-gone heal with vmGone', () => {
    const v = healStartForWatcherEvent(
      watcherEvent(WATCHER_DETAIL_TYPES.nodeVmGone, { ...common, node: 'scw-1', provider: 'scaleway', cause: 'missing', nodeReady: 'Unknown' }),
      'demo',
    );
    expect(v).toMatchObject({ act: true, input: { nodeName: 'scw-1', reason: 'vm-gone', vmGone: true } });
  });

  it('starts nothing for another watcher event or another cluster', () => {
    expect(
      healStartForWatcherEvent(watcherEvent(WATCHER_DETAIL_TYPES.nodeReady, { ...common, node: 'n', notReadySince: common.observedAt }), 'demo'),
    ).toMatchObject({
      act: false,
      why: 'not-actionable',
    });
    expect(
      healStartForWatcherEvent(
        watcherEvent(WATCHER_DETAIL_TYPES.nodeVmGone, { ...common, node: 'n', provider: 'aws', cause: 'missing', nodeReady: 'False' }),
        'other',
      ),
    ).toMatchObject({ act: false, why: 'other-cluster' });
  });

  it('names every problem of a malformed event, and never throws', () => {
    const v = healStartForWatcherEvent(
      watcherEvent(WATCHER_DETAIL_TYPES.nodeNotReady, { transitionId: 'nope', cluster: 'demo', node: 'Bad Name!', observedAt: 'yesterday' }),
      'demo',
    );
    expect(v.act).toBe(false);
    if (v.act || v.why !== 'malformed') throw new Error('expected malformed');
    expect(v.problems.map((p) => p.split(':')[0])).toEqual(['detail.transitionId', 'detail.node', 'detail.observedAt', 'detail.since']);
    for (const junk of [
      null,
      'text',
      42,
      [],
      { source: WATCHER_SOURCE },
      { source: WATCHER_SOURCE, 'detail-type': WATCHER_DETAIL_TYPES.nodeNotReady, detail: 'x' },
    ]) {
      expect(healStartForWatcherEvent(junk, 'demo')).toMatchObject({ act: false, why: 'malformed' });
    }
  });
});

const report: OrphanReport = {
  transitionId: TRANSITION,
  cluster: 'demo',
  provider: 'aws',
  withoutNodeSince: '2026-11-30T09:00:00Z',
  vm: { id: INSTANCE, name: 'ip-10-0-0-5', zone: 'us-east-2a', region: 'us-east-2', type: 't3.medium', providerID: vm.providerID },
};
const facts = (over: Partial<OrphanFacts> = {}): OrphanFacts => ({ pause: { paused: false }, nodes: [], listed: [vm], claims: [], ...over });

describe('Function: orphanReportOf', () => {
  it('reads the orphan from the watcher event, and names the problems of a malformed one', () => {
    const ok = orphanReportOf(
      watcherEvent(WATCHER_DETAIL_TYPES.orphanVm, {
        ...common,
        provider: 'aws',
        vm: report.vm,
        withoutNodeSince: report.withoutNodeSince,
        deadlineSeconds: 900,
      }),
      'demo',
    );
    expect(ok).toEqual({ ok: true, report: { ...report, cluster: 'demo' } });
    const bad = orphanReportOf(watcherEvent(WATCHER_DETAIL_TYPES.orphanVm, { ...common, provider: 'aws', vm: { name: 'x' }, withoutNodeSince: 3 }), 'demo');
    expect(bad).toMatchObject({
      ok: false,
      why: 'malformed',
      problems: [expect.stringMatching(/^detail.withoutNodeSince/), expect.stringMatching(/^detail.vm.id/)],
    });
  });
});

describe('Function: orphanConfirmation', () => {
  it('terminates the VM as the provider lists it now when every check agrees', () => {
    expect(orphanConfirmation(report, facts())).toMatchObject({ verdict: 'terminate', vm });
  });

  it('keeps it while paused, while the cluster API or the provider does not answer, and when it is gone already', () => {
    expect(orphanConfirmation(report, facts({ pause: { paused: true, by: 'ops', reason: 'drill' } }))).toMatchObject({ verdict: 'keep', why: 'paused' });
    expect(orphanConfirmation(report, facts({ nodes: undefined, apiError: 'TransientError: ECONNREFUSED' }))).toMatchObject({
      verdict: 'keep',
      why: 'api-unreachable',
    });
    expect(orphanConfirmation(report, facts({ listed: undefined, providerError: 'ProviderFunctionError: 503' }))).toMatchObject({
      verdict: 'keep',
      why: 'provider-unreachable',
    });
    expect(orphanConfirmation(report, facts({ listed: [] }))).toMatchObject({ verdict: 'keep', why: 'vm-gone' });
  });

  it('keeps it when a Node pairs with it now (it joined late)', () => {
    const joined = { name: 'ip-10-0-0-5', ready: 'True' as const, providerID: vm.providerID };
    expect(orphanConfirmation(report, facts({ nodes: [joined] }))).toMatchObject({ verdict: 'keep', why: 'has-node' });
  });

  it('keeps it when a counted claim holds it, or a Scaleway claim still waits for a node of its pool', () => {
    expect(orphanConfirmation(report, facts({ claims: [{ claimId: 'c1', pool: 'aws-amd64', status: 'removing', vm: { id: INSTANCE } }] }))).toMatchObject({
      verdict: 'keep',
      why: 'claimed',
    });
    const scw: VmRef = { provider: 'scaleway', id: 'n-1', name: 'scw-buffer-1', zone: '', region: 'fr-par', type: 'DEV1-M', poolId: 'p1' };
    const scwReport = { ...report, provider: 'scaleway', vm: { id: 'n-1', name: 'scw-buffer-1', zone: '', region: 'fr-par', type: 'DEV1-M', poolId: 'p1' } };
    const waiting = { claimId: 'c2', pool: 'scw-buffer', status: 'launched' as const, vm: { id: '', poolId: 'p1' } };
    expect(orphanConfirmation(scwReport, facts({ listed: [scw], claims: [waiting] }))).toMatchObject({ verdict: 'keep', why: 'claimed' });
    expect(orphanConfirmation(scwReport, facts({ listed: [scw], claims: [{ ...waiting, status: 'active' }] }))).toMatchObject({ verdict: 'terminate' });
  });
});
