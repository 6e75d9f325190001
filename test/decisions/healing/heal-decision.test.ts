import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALING } from '../../../config/defaults.js';
import { drainPolicy } from '../../../functions/decisions/drain.js';
import { decideHeal, type HealFacts } from '../../../functions/decisions/healing/heal-decision.js';
import { SPOT_DRAIN_SECONDS, UNREACHABLE_DRAIN_SECONDS } from '../../../functions/decisions/healing/heal-plan.js';
import type { NodeCondition } from '../../../functions/decisions/healing/types.js';

const NOW = '2026-11-30T12:00:00.000Z';
const OWNER = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-heal-node:h1';
const ready: NodeCondition[] = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-30T10:00:00Z' }];
const notReadyFor = (seconds: number): NodeCondition[] => [
  { type: 'Ready', status: 'Unknown', lastTransitionTime: new Date(Date.parse(NOW) - seconds * 1000).toISOString() },
];

/** An EC2 node of pool aws-amd64 with an active claim, in a 20-node cluster where nothing else is wrong. */
function facts(over: Partial<Omit<HealFacts, 'plan'>> & { plan?: Partial<HealFacts['plan']> } = {}): HealFacts {
  const { plan, ...rest } = over;
  return {
    plan: {
      nodeName: 'ip-10-0-0-5',
      reason: 'not-ready',
      vmGone: false,
      deleteOnly: false,
      drain: drainPolicy(300, 10),
      notReadySince: null,
      owner: OWNER,
      source: { kind: 'watcher' },
      ...plan,
    },
    node: { exists: true, conditions: notReadyFor(600), claimLabel: 'c0123456789abcdef012345678', pool: 'aws-amd64' },
    claim: { claimId: 'c0123456789abcdef012345678', pool: 'aws-amd64', owner: 'arn:provision', status: 'active' },
    pool: { name: 'aws-amd64', provider: 'aws', launchable: true },
    vm: 'running',
    now: NOW,
    nowSeconds: Date.parse(NOW) / 1000,
    unhealthyAfterSeconds: DEFAULT_HEALING.unhealthyAfterSeconds,
    evictionRetrySeconds: DEFAULT_HEALING.evictionRetrySeconds,
    safety: {
      api: { reachable: true },
      pause: { paused: false },
      inFlight: {},
      unhealthy: [{ name: 'ip-10-0-0-5', provider: 'aws' }],
      clusterSize: 20,
      providerSizes: { aws: 10, gcp: 10 },
      limits: { ...DEFAULT_HEALING },
    },
    ...rest,
  };
}

describe('Function: decideHeal', () => {
  it('heals a node NotReady past the threshold: forced with the short deadline, replaced after the teardown', () => {
    const d = decideHeal(facts());
    expect(d).toMatchObject({ outcome: 'heal', replace: true, replaceEarly: false, unreachable: true });
    if (d.outcome !== 'heal') throw new Error('not healed');
    expect(d.drain.deadlineSeconds).toBe(UNREACHABLE_DRAIN_SECONDS);
  });

  it('leaves a Ready node alone when no loss is announced', () => {
    expect(decideHeal(facts({ node: { ...facts().node, conditions: ready }, plan: { reason: 'manual' } }))).toMatchObject({ outcome: 'left-alone' });
  });

  it('heals a Ready node whose VM the provider says is gone, at once', () => {
    const d = decideHeal(facts({ node: { ...facts().node, conditions: ready }, vm: 'gone', plan: { reason: 'manual' } }));
    expect(d).toMatchObject({ outcome: 'heal', unreachable: true, health: { verdict: 'unhealthy', cause: 'VmGone' } });
  });

  it('waits until remediateAt for a node NotReady under the threshold', () => {
    const d = decideHeal(facts({ node: { ...facts().node, conditions: notReadyFor(100) } }));
    expect(d).toMatchObject({ outcome: 'wait', remediateAt: '2026-11-30T12:03:20.000Z' });
  });

  it('a spot interruption of a Ready node: drained by evictions within the spot deadline, replaced beside the teardown', () => {
    const d = decideHeal(facts({ node: { ...facts().node, conditions: ready }, plan: { reason: 'spot-interruption' } }));
    expect(d).toMatchObject({ outcome: 'heal', replaceEarly: true, unreachable: false });
    if (d.outcome !== 'heal') throw new Error('not healed');
    expect(d.drain.deadlineSeconds).toBe(SPOT_DRAIN_SECONDS);
    const short = decideHeal(facts({ node: { ...facts().node, conditions: ready }, plan: { reason: 'spot-interruption', drain: drainPolicy(30, 10) } }));
    expect(short.outcome === 'heal' && short.drain.deadlineSeconds).toBe(30);
  });

  it('holds when paused, frozen or short-circuited, naming a degraded provider', () => {
    const paused = facts();
    paused.safety.pause = { paused: true, by: 'ops', reason: 'outage' };
    expect(decideHeal(paused)).toMatchObject({ outcome: 'held', verdict: 'paused', degradedProvider: null });
    const dark = facts();
    dark.safety.unhealthy = Array.from({ length: 6 }, (_, i) => ({ name: `aws-${i}`, provider: 'aws' }));
    expect(decideHeal(dark)).toMatchObject({ outcome: 'held', verdict: 'short-circuit', degradedProvider: 'aws' });
    const busy = facts();
    busy.safety.inFlight = { 'aws-amd64': 1 };
    expect(decideHeal(busy)).toMatchObject({ outcome: 'held', verdict: 'pool-busy' });
  });

  it('holds a node another execution is removing or still provisioning', () => {
    const removing = facts({ claim: { ...facts().claim!, status: 'removing', owner: 'arn:remove', leaseExpiresAt: Date.parse(NOW) / 1000 + 60 } });
    expect(decideHeal(removing)).toMatchObject({ outcome: 'held', verdict: 'claim-busy' });
  });

  it('only deletes a home-lab node (no claim) and a node asked to be deleted only', () => {
    const home = facts({
      claim: undefined,
      pool: { name: 'home', provider: 'home', launchable: false },
      node: { ...facts().node, claimLabel: null, pool: 'home' },
    });
    expect(decideHeal(home)).toMatchObject({ outcome: 'heal', replace: false, actionReason: expect.stringContaining('not replaced') });
    expect(decideHeal(facts({ plan: { deleteOnly: true } }))).toMatchObject({
      outcome: 'heal',
      replace: false,
      actionReason: expect.stringContaining('deleteOnly'),
    });
  });

  it('refuses an unknown node by hand naming the field, and does nothing for a trigger about a node already gone', () => {
    const gone = { node: { exists: false, conditions: [], claimLabel: null, pool: null }, claim: undefined, pool: undefined };
    expect(decideHeal(facts({ ...gone, plan: { reason: 'manual', source: { kind: 'manual' } } }))).toMatchObject({
      outcome: 'refuse',
      error: 'NodeNotFoundError',
      reason: expect.stringMatching(/^"nodeName": /),
    });
    expect(decideHeal(facts(gone))).toMatchObject({ outcome: 'nothing' });
  });

  it('refuses a node of no pool shepherd knows when a person asks for it by name', () => {
    const foreign = facts({
      claim: undefined,
      pool: undefined,
      node: { ...facts().node, claimLabel: null, pool: null },
      plan: { reason: 'manual', source: { kind: 'manual' } },
    });
    expect(decideHeal(foreign)).toMatchObject({ outcome: 'refuse', error: 'NodeNotOwnedError', reason: expect.stringMatching(/^"nodeName": /) });
  });

  it('leaves alone, saying why, a node of no pool shepherd knows that a trigger reported (a new node not labelled yet)', () => {
    const unlabelled = { claim: undefined, pool: undefined, node: { ...facts().node, conditions: notReadyFor(5), claimLabel: null, pool: null } };
    for (const source of [
      { kind: 'watcher' as const, id: 'w1' },
      { kind: 'ec2-event' as const, id: 'e1' },
    ]) {
      const d = decideHeal(facts({ ...unlabelled, plan: { source } }));
      expect(d).toEqual({
        outcome: 'left-alone',
        reason: 'node ip-10-0-0-5 is not one shepherd manages (it carries no shepherd.io/claim label and no pool of the config matches its labels): left alone',
      });
    }
    const staleClaim = decideHeal(facts({ ...unlabelled, node: { ...unlabelled.node, claimLabel: 'cgone' } }));
    expect(staleClaim).toMatchObject({ outcome: 'left-alone', reason: expect.stringContaining('its claim cgone is not recorded') });
  });
});

describe('Function: decideHeal (a VM on its way out)', () => {
  it('heals a Ready node whose VM is stopping or shutting down, as unreachable', () => {
    const d = decideHeal(facts({ node: { ...facts().node, conditions: ready }, vm: 'stopping', plan: { reason: 'manual' } }));
    expect(d).toMatchObject({ outcome: 'heal', unreachable: true, reason: 'its provider says the VM is stopping' });
  });
});
