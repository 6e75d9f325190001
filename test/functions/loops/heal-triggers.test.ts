import { describe, expect, it } from 'vitest';
import { ProviderFunctionError } from '../../../functions/adapters/lambda/provider-functions.js';
import type { StartOutcome } from '../../../functions/adapters/sfn/heal-executions.js';
import type { OrphanTermination, OrphanTerminationStore } from '../../../functions/adapters/store/orphan-terminations.js';
import type { HealStart } from '../../../functions/decisions/healing/triggers/types.js';
import type { NodeTaint, NodeView, VmRef } from '../../../functions/decisions/provision.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../../functions/decisions/watcher/event-types.js';
import { runTrigger } from '../../../functions/healing/handler-support.js';
import { type IntakeDeps, takeHealTrigger } from '../../../functions/healing/intake.js';
import { collectOrphan, ORPHAN_TERMINATED, type OrphanDeps } from '../../../functions/healing/orphan-collection.js';
import type { VmState } from '../../../functions/providers/types.js';
import { ThrottledError, TransientError } from '../../../functions/runtime/errors.js';
import { rebalanceRecommendation, spotInterruptionWarning, stateChange } from '../../decisions/healing/ec2-event-fixtures.js';

const INSTANCE = 'i-1234567890abcdef0';
const NOW = '2021-02-03T14:05:30Z';
const vm: VmRef = {
  provider: 'aws',
  id: INSTANCE,
  name: 'ip-10-0-0-5',
  zone: 'us-east-2a',
  region: 'us-east-2',
  type: 't3.medium',
  providerID: `aws:///us-east-2a/${INSTANCE}`,
};

/** The outside world of the intake as fakes: one Node of claim c1 on INSTANCE, EC2 answering `state`. */
function intakeWorld(state: VmState, ready: NodeView['ready'] = 'True', providerID: string | undefined = vm.providerID) {
  const started: HealStart[] = [];
  const audits: { event: string; detail: Record<string, unknown> }[] = [];
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const taints: NodeTaint[][] = [];
  const names = new Set<string>();
  const node: NodeView = {
    name: 'aws-amd64-1',
    ...(providerID ? { providerID } : {}),
    ready,
    labels: { 'shepherd.io/claim': 'c1', 'shepherd.io/pool': 'aws-amd64', 'shepherd.io/provider': 'aws' },
  };
  const deps: IntakeDeps = {
    nodes: async () => [node],
    node: async () => ({ taints: taints.at(-1) ?? [], resourceVersion: '7' }),
    taint: async (_name, t) => {
      taints.push(t);
    },
    claim: async (id) => (id === 'c1' ? { claimId: 'c1', pool: 'aws-amd64', status: 'active', vm } : undefined),
    describe: async () => state,
    startHeal: async (s): Promise<StartOutcome> => {
      if (names.has(s.name)) return { started: false, duplicate: true, name: s.name, error: 'ExecutionAlreadyExists' };
      names.add(s.name);
      started.push(s);
      return { started: true, executionArn: `arn:aws:states:us-east-2:123456789012:execution:heal-node:${s.name}` };
    },
    audit: async (event, detail) => {
      audits.push({ event, detail });
    },
    log: (level, message, fields) => logs.push({ level, message, fields }),
  };
  return { deps, started, audits, logs, taints };
}

const policy = { cluster: 'demo', rebalance: 'taint' as const };

describe('Function: takeHealTrigger', () => {
  it('starts one HealNode for a spot warning confirmed by EC2, however often EventBridge delivers it', async () => {
    const w = intakeWorld('running');
    for (let i = 0; i < 3; i++) await takeHealTrigger(spotInterruptionWarning, w.deps, policy, NOW);
    expect(w.started).toHaveLength(1);
    expect(w.started[0].input).toMatchObject({
      nodeName: 'aws-amd64-1',
      reason: 'spot-interruption',
      source: { kind: 'ec2-event', id: spotInterruptionWarning.id },
    });
    expect(w.audits.filter((a) => a.event === 'heal.trigger.started')).toHaveLength(1);
  });

  it('changes nothing for a "terminated" event about an instance EC2 says runs with a Ready Node, and logs and audits why', async () => {
    const w = intakeWorld('running');
    const out = await takeHealTrigger(stateChange('terminated'), w.deps, policy, NOW);
    expect(out).toEqual([expect.objectContaining({ outcome: 'ignored', nodeName: 'aws-amd64-1', instanceId: INSTANCE })]);
    expect(w.started).toEqual([]);
    expect(w.audits).toEqual([
      { event: 'heal.trigger.ignored', detail: expect.objectContaining({ nodeName: 'aws-amd64-1', why: 'stale', vmState: 'running' }) },
    ]);
    expect(w.logs).toContainEqual(expect.objectContaining({ message: 'EC2 event changes nothing', fields: expect.objectContaining({ why: 'stale' }) }));
  });

  it('finds a Kosmos external Node, which has no providerID, through its claim', async () => {
    const w = intakeWorld('running', 'True', undefined);
    expect(await takeHealTrigger(stateChange('terminated'), w.deps, policy, NOW)).toEqual([
      expect.objectContaining({ outcome: 'ignored', nodeName: 'aws-amd64-1' }),
    ]);
    await takeHealTrigger(spotInterruptionWarning, w.deps, policy, NOW);
    expect(w.started.map((s) => s.input.nodeName)).toEqual(['aws-amd64-1']);
  });

  it('starts a vm-gone heal when EC2 confirms the instance is terminated', async () => {
    const w = intakeWorld('gone', 'Unknown');
    await takeHealTrigger(stateChange('terminated'), w.deps, policy, NOW);
    expect(w.started.map((s) => s.input)).toEqual([expect.objectContaining({ reason: 'vm-gone', vmGone: true })]);
  });

  it('only taints the node on a rebalance recommendation when the policy says taint, once', async () => {
    const w = intakeWorld('running');
    await takeHealTrigger(rebalanceRecommendation, w.deps, policy, NOW);
    await takeHealTrigger(rebalanceRecommendation, w.deps, policy, NOW);
    expect(w.started).toEqual([]);
    expect(w.taints).toEqual([[{ key: 'shepherd.io/rebalance-recommendation', value: 'true', effect: 'PreferNoSchedule' }]]);
    const replace = intakeWorld('running');
    await takeHealTrigger(rebalanceRecommendation, replace.deps, { ...policy, rebalance: 'replace' }, NOW);
    expect(replace.started.map((s) => s.input.reason)).toEqual(['rebalance']);
  });

  it('ignores an event about an instance no Node of the cluster carries', async () => {
    const w = intakeWorld('running');
    const foreign = { ...spotInterruptionWarning, detail: { 'instance-id': 'i-0fffffffffffffff0', 'instance-action': 'terminate' } };
    expect(await takeHealTrigger(foreign, w.deps, policy, NOW)).toEqual([expect.objectContaining({ outcome: 'ignored' })]);
    expect(w.started).toEqual([]);
  });

  it("starts a heal for the watcher's NotReady, once per transitionId", async () => {
    const w = intakeWorld('running');
    const event = {
      source: WATCHER_SOURCE,
      'detail-type': WATCHER_DETAIL_TYPES.nodeNotReady,
      detail: { transitionId: 'ab'.repeat(16), cluster: 'demo', observedAt: NOW, node: 'gcp-amd64-1', ready: 'Unknown', since: NOW },
    };
    await takeHealTrigger(event, w.deps, policy, NOW);
    const again = await takeHealTrigger(event, w.deps, policy, NOW);
    expect(w.started.map((s) => s.input)).toEqual([expect.objectContaining({ nodeName: 'gcp-amd64-1', reason: 'not-ready', notReadySince: NOW })]);
    expect(again).toEqual([expect.objectContaining({ outcome: 'duplicate' })]);
  });

  it("starts no heal for the watcher's NotReady of a Node still joining, and audits why under the node's name", async () => {
    const w = intakeWorld('running');
    const event = {
      source: WATCHER_SOURCE,
      'detail-type': WATCHER_DETAIL_TYPES.nodeNotReady,
      detail: {
        transitionId: 'cd'.repeat(16),
        cluster: 'demo',
        observedAt: NOW,
        node: 'aws-amd64-2',
        ready: 'False',
        since: NOW,
        registeredAt: NOW,
        neverReady: true,
      },
    };
    expect(await takeHealTrigger(event, w.deps, policy, NOW)).toEqual([expect.objectContaining({ outcome: 'ignored' })]);
    expect(w.started).toEqual([]);
    expect(w.audits).toEqual([
      {
        event: 'heal.trigger.ignored',
        detail: { nodeName: 'aws-amd64-2', why: 'still-joining', reason: expect.stringContaining('has not been Ready since it registered') },
      },
    ]);
  });

  it('drops malformed and foreign events without throwing or starting anything', async () => {
    const w = intakeWorld('running');
    for (const junk of [
      null,
      'x',
      { source: 'aws.ec2' },
      { ...spotInterruptionWarning, detail: { 'instance-id': 42 } },
      { source: 'someone.else' },
      { source: WATCHER_SOURCE, detail: [] },
    ]) {
      const out = await takeHealTrigger(junk, w.deps, policy, NOW);
      expect(out.map((o) => o.outcome)).toEqual(['dropped']);
    }
    expect(w.started).toEqual([]);
    expect(w.logs.filter((l) => l.level === 'warn')).toHaveLength(6);
  });
});

describe('Function: runTrigger', () => {
  it('throws transient faults for EventBridge to retry, and drops the event on any other error', async () => {
    for (const err of [
      new TransientError('5xx'),
      new ThrottledError('slow down'),
      new ProviderFunctionError('invoke failed'),
      new ProviderFunctionError('x', 'TransientError'),
    ]) {
      await expect(runTrigger('t', () => Promise.reject(err))).rejects.toBe(err);
    }
    for (const err of [
      new Error('bug'),
      new ProviderFunctionError('refused', 'InvalidInputError'),
      Object.assign(new Error('no'), { name: 'StateMachineDoesNotExist' }),
    ]) {
      await expect(runTrigger('t', () => Promise.reject(err))).resolves.toMatchObject({ outcome: 'failed' });
    }
  });
});

/** The table's orphan records in memory, with DynamoOrphanTerminationStore's rules (its own test checks the real one). */
class MemoryTerminations implements OrphanTerminationStore {
  readonly records = new Map<string, OrphanTermination>();
  constructor(private readonly nowSeconds: () => number = () => Date.parse(NOW) / 1000) {}
  async read(provider: string, vmId: string) {
    return this.records.get(`${provider}/${vmId}`);
  }
  async begin(provider: string, vmId: string, transitionId: string, leaseSeconds: number) {
    const current = this.records.get(`${provider}/${vmId}`);
    if (current && !(current.status === 'terminating' && current.leaseUntil < this.nowSeconds())) return { begun: false as const, current };
    this.records.set(`${provider}/${vmId}`, { status: 'terminating', transitionId, leaseUntil: this.nowSeconds() + leaseSeconds, startedAt: NOW });
    return { begun: true as const };
  }
  async finish(provider: string, vmId: string) {
    const current = this.records.get(`${provider}/${vmId}`)!;
    this.records.set(`${provider}/${vmId}`, { status: 'terminated', transitionId: current.transitionId, startedAt: current.startedAt, terminatedAt: NOW });
  }
  async release(provider: string, vmId: string) {
    const current = this.records.get(`${provider}/${vmId}`);
    if (current?.status === 'terminating') this.records.set(`${provider}/${vmId}`, { ...current, leaseUntil: 0 });
  }
}

function orphanWorld(over: Partial<OrphanDeps> = {}) {
  const terminated: string[] = [];
  const published: { detailType: string; detail: Record<string, unknown> }[] = [];
  const audits: string[] = [];
  const deps: OrphanDeps = {
    pause: async () => ({ paused: false }),
    nodes: async () => [],
    listOwned: async () => [vm],
    claims: async () => [],
    terminate: async (_p, v) => {
      terminated.push(v.id);
      return [v.id];
    },
    publish: async (events) => {
      published.push(...events);
      return events.length;
    },
    audit: async (event) => {
      audits.push(event);
    },
    terminations: new MemoryTerminations(),
    log: () => {},
    ...over,
  };
  return { deps, terminated, published, audits };
}

const orphanEvent = {
  source: WATCHER_SOURCE,
  'detail-type': WATCHER_DETAIL_TYPES.orphanVm,
  detail: {
    transitionId: 'cd'.repeat(16),
    cluster: 'demo',
    observedAt: NOW,
    provider: 'aws',
    vm: { id: INSTANCE, name: vm.name, zone: vm.zone, region: vm.region, type: vm.type, providerID: vm.providerID },
    withoutNodeSince: '2021-02-03T13:00:00Z',
    deadlineSeconds: 900,
  },
};

describe('Function: collectOrphan', () => {
  it('terminates a confirmed orphan through its provider, audits it and publishes Orphan VM Terminated', async () => {
    const w = orphanWorld();
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ verdict: 'terminate', terminated: [INSTANCE] });
    expect(w.terminated).toEqual([INSTANCE]);
    expect(w.audits).toEqual(['orphan.terminated']);
    expect(w.published).toEqual([
      expect.objectContaining({ detailType: ORPHAN_TERMINATED, detail: expect.objectContaining({ provider: 'aws', vmId: INSTANCE }) }),
    ]);
  });

  it('keeps the VM when the cluster API does not answer, and terminates nothing', async () => {
    const w = orphanWorld({ nodes: () => Promise.reject(new TransientError('connect ECONNREFUSED')) });
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ verdict: 'keep', why: 'api-unreachable' });
    expect(w.terminated).toEqual([]);
    expect(w.audits).toEqual(['orphan.kept']);
  });

  it('a redelivered event is a no-op while the VM is being deleted (still listed) and after it is gone: one termination, one audit entry', async () => {
    const w = orphanWorld();
    await collectOrphan(orphanEvent, w.deps, 'demo', NOW);
    // EC2 still lists it (shutting-down): the second delivery finds the termination recorded.
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ outcome: 'duplicate' });
    // Gone from the list now: still nothing, not even an "orphan.kept" entry.
    w.deps.listOwned = async () => [];
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ outcome: 'duplicate' });
    expect(w.terminated).toEqual([INSTANCE]);
    expect(w.audits).toEqual(['orphan.terminated']);
    expect(w.published).toHaveLength(1);
  });

  it('two deliveries at once terminate the VM once: the second finds the first holding it', async () => {
    let finishTerminate = () => {};
    const w = orphanWorld();
    const terminate = w.deps.terminate;
    w.deps.terminate = (p, v) => new Promise((resolve) => (finishTerminate = () => resolve(terminate(p, v))));
    const first = collectOrphan(orphanEvent, w.deps, 'demo', NOW);
    await new Promise((r) => setTimeout(r, 10));
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ outcome: 'duplicate' });
    finishTerminate();
    expect(await first).toMatchObject({ verdict: 'terminate' });
    expect(w.terminated).toEqual([INSTANCE]);
    expect(w.audits).toEqual(['orphan.terminated']);
  });

  it('a delivery whose termination failed lets the next delivery terminate the VM at once', async () => {
    const w = orphanWorld();
    const terminate = w.deps.terminate;
    w.deps.terminate = () => Promise.reject(new TransientError('EC2 5xx'));
    await expect(collectOrphan(orphanEvent, w.deps, 'demo', NOW)).rejects.toBeInstanceOf(TransientError);
    w.deps.terminate = terminate;
    expect(await collectOrphan(orphanEvent, w.deps, 'demo', NOW)).toMatchObject({ verdict: 'terminate', terminated: [INSTANCE] });
    expect(w.audits).toEqual(['orphan.terminated']);
  });

  it('drops a malformed orphan event', async () => {
    const w = orphanWorld();
    expect(await collectOrphan({ ...orphanEvent, detail: { ...orphanEvent.detail, vm: 'x' } }, w.deps, 'demo', NOW)).toMatchObject({ outcome: 'dropped' });
    expect(w.terminated).toEqual([]);
  });
});
