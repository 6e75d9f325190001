import { describe, expect, it } from 'vitest';
import { parseEc2Event } from '../../../functions/decisions/healing/ec2-events/parse.js';
import type { Ec2HealingEvent } from '../../../functions/decisions/healing/ec2-events/types.js';
import { type ConfirmationContext, eventConfirmation, eventKey } from '../../../functions/decisions/healing/event-confirmation.js';
import type { InstanceFacts } from '../../../functions/decisions/healing/types.js';
import { healthScheduledChange, rebalanceRecommendation, spotInterruptionWarning, stateChange } from './ec2-event-fixtures.js';

function parsed(raw: unknown): Ec2HealingEvent {
  const result = parseEc2Event(raw);
  if (!result.ok) throw new Error(result.summary);
  return result.event;
}

const ID = 'i-1234567890abcdef0';
const spot = parsed(spotInterruptionWarning); // 2021-02-03T14:05:00Z
const rebalance = parsed(rebalanceRecommendation);
const terminated = parsed(stateChange('terminated'));
const scheduled = parsed(healthScheduledChange);

const ours = (over: Partial<InstanceFacts> = {}): InstanceFacts => ({ state: 'running', clusterTagged: true, nodeReady: 'True', ...over });
const ctx = (over: Partial<ConfirmationContext> = {}): ConfirmationContext => ({ handled: [], now: '2021-02-03T14:05:30Z', rebalancePolicy: 'taint', ...over });

describe('Function: eventConfirmation', () => {
  it('acts on a fresh spot warning for an instance of ours that still runs: cordon, drain and replace before it goes', () => {
    expect(eventConfirmation(spot, ID, ours(), ctx())).toEqual({
      decision: 'act',
      action: 'replace',
      reason: `spot interruption warning (terminate) for ${ID}: EC2 confirms the instance is running (its Node is Ready); replace its node`,
    });
  });

  it('ignores a spot warning older than the notice whose instance still runs with a Ready Node, as stale or replayed', () => {
    expect(eventConfirmation(spot, ID, ours(), ctx({ now: '2021-02-03T14:10:00Z' })).decision).toBe('act'); // 300 s: the boundary
    expect(eventConfirmation(spot, ID, ours(), ctx({ now: '2021-02-03T14:10:01Z' }))).toMatchObject({
      decision: 'ignore',
      why: 'stale',
      reason: expect.stringContaining('301 s old'),
    });
    // The same old warning whose Node is no longer Ready, or whose VM is stopping, is acted on.
    expect(eventConfirmation(spot, ID, ours({ nodeReady: 'Unknown' }), ctx({ now: '2021-02-03T15:00:00Z' })).decision).toBe('act');
    expect(eventConfirmation(spot, ID, ours({ state: 'stopping' }), ctx({ now: '2021-02-03T15:00:00Z' })).decision).toBe('act');
  });

  it('acts on a state change EC2 confirms, and ignores a forged or stale "terminated" for a running instance', () => {
    for (const state of ['gone', 'stopping'] as const) {
      expect(eventConfirmation(terminated, ID, ours({ state, nodeReady: 'Unknown' }), ctx())).toMatchObject({ decision: 'act', action: 'replace' });
    }
    expect(eventConfirmation(terminated, ID, ours(), ctx())).toEqual({
      decision: 'ignore',
      why: 'stale',
      reason: `state change to terminated for ${ID}: EC2 says the instance is running (its Node is Ready); the event is stale, replayed or forged`,
    });
    // Running with a NotReady Node: the event is still false; the watcher's threshold decides about the Node.
    expect(eventConfirmation(terminated, ID, ours({ nodeReady: 'False' }), ctx())).toMatchObject({ decision: 'ignore', why: 'stale' });
  });

  it('ignores a state change that needs no healing', () => {
    for (const state of ['pending', 'running']) {
      expect(eventConfirmation(parsed(stateChange(state)), ID, ours(), ctx())).toMatchObject({ decision: 'ignore', why: 'not-actionable' });
    }
  });

  it('answers a rebalance recommendation as the policy says, and replaces a node whose VM is already stopping or gone', () => {
    expect(eventConfirmation(rebalance, ID, ours(), ctx({ rebalancePolicy: 'taint' }))).toMatchObject({
      decision: 'act',
      action: 'taint',
      reason: expect.stringContaining('healing.rebalanceRecommendation is taint'),
    });
    expect(eventConfirmation(rebalance, ID, ours(), ctx({ rebalancePolicy: 'replace' }))).toMatchObject({ decision: 'act', action: 'replace' });
    for (const state of ['gone', 'stopping'] as const) {
      expect(eventConfirmation(rebalance, ID, ours({ state, nodeReady: 'Unknown' }), ctx({ rebalancePolicy: 'taint' }))).toMatchObject({
        decision: 'act',
        action: 'replace',
      });
    }
  });

  it('replaces ahead of an AWS Health scheduled change, and ignores a closed one', () => {
    expect(eventConfirmation(scheduled, 'i-abcd1111', ours(), ctx())).toMatchObject({
      decision: 'act',
      action: 'replace',
      reason: expect.stringContaining('scheduled change AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED for i-abcd1111'),
    });
    const closed = { ...scheduled, statusCode: 'closed' as const };
    expect(eventConfirmation(closed, 'i-abcd1111', ours(), ctx())).toMatchObject({ decision: 'ignore', why: 'not-actionable' });
  });

  it('never touches an instance not tagged for this cluster, whatever the event says', () => {
    for (const event of [spot, rebalance, terminated, scheduled]) {
      expect(eventConfirmation(event, ID, ours({ clusterTagged: false, state: 'gone' }), ctx())).toMatchObject({ decision: 'ignore', why: 'foreign-instance' });
    }
  });

  it('ignores an instance EC2 cannot describe or place', () => {
    expect(eventConfirmation(terminated, ID, ours({ clusterTagged: undefined, state: 'gone' }), ctx())).toMatchObject({
      decision: 'ignore',
      why: 'unknown-instance',
    });
    expect(eventConfirmation(spot, ID, ours({ state: 'unknown' }), ctx())).toMatchObject({ decision: 'ignore', why: 'unknown-instance' });
  });

  it('ignores an instance of ours that has no Node', () => {
    expect(eventConfirmation(terminated, ID, ours({ state: 'gone', nodeReady: undefined }), ctx())).toMatchObject({ decision: 'ignore', why: 'no-node' });
  });

  it('handles each event once per instance: a redelivery is a duplicate, another instance of the same Health event is not', () => {
    const handled = [eventKey(scheduled, 'i-abcd1111')];
    expect(eventConfirmation(scheduled, 'i-abcd1111', ours({ state: 'gone' }), ctx({ handled }))).toMatchObject({
      decision: 'ignore',
      why: 'duplicate',
      reason: expect.stringContaining(`event ${scheduled.id} was already handled`),
    });
    expect(eventConfirmation(scheduled, 'i-0123456789abcdef0', ours(), ctx({ handled })).decision).toBe('act');
    // Another event about the same death (another id) is not a duplicate here; the node's lease makes it one heal.
    expect(eventConfirmation({ ...terminated, id: 'other' }, ID, ours({ state: 'gone' }), ctx({ handled: [eventKey(terminated, ID)] })).decision).toBe('act');
  });
});

describe('Function: eventKey', () => {
  it('is the event id and the instance', () => {
    expect(eventKey(spot, ID)).toBe(`12345678-1234-1234-1234-123456789012/${ID}`);
  });
});
