import { describe, expect, it } from 'vitest';
import { isInvalidScaleBufferInputError, readScaleBufferRequest, scaleBufferExecutionName } from '../../../functions/decisions/buffer/request.js';

const transitionId = '0123456789abcdef0123456789abcdef';
const event = (detailType: string, detail: object, source = 'shepherd.watcher') => ({
  version: '0',
  id: 'e1',
  source,
  'detail-type': detailType,
  detail: { transitionId, cluster: 'kosmos-demo', observedAt: '2026-11-30T12:00:00Z', ...detail },
});

function refusal(input: unknown): string {
  try {
    readScaleBufferRequest(input);
  } catch (err) {
    expect(isInvalidScaleBufferInputError(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).not.toContain('{');
    return message;
  }
  throw new Error('expected a refusal');
}

describe('Function: readScaleBufferRequest', () => {
  it("reads the watcher's events as EventBridge delivers them", () => {
    expect(readScaleBufferRequest(event('Shepherd Pods Became Unschedulable', { count: 3, previousCount: 0, sample: [] }))).toEqual({
      trigger: 'pods-unschedulable',
      eventId: transitionId,
      observedAt: '2026-11-30T12:00:00Z',
    });
    expect(readScaleBufferRequest(event('Shepherd Provider Degraded', { provider: 'aws', region: 'eu-west-3', notReady: 4, total: 5 }))).toMatchObject({
      trigger: 'provider-degraded',
      provider: 'aws',
      region: 'eu-west-3',
    });
    expect(readScaleBufferRequest(event('Shepherd Provider Recovered', { provider: 'gcp', notReady: 0, total: 5 }))).toMatchObject({
      trigger: 'provider-recovered',
      provider: 'gcp',
    });
  });

  it('reads a reconcile and a manual start with a target size per pool', () => {
    expect(readScaleBufferRequest({ trigger: 'reconcile' })).toEqual({ trigger: 'reconcile' });
    expect(readScaleBufferRequest({ targets: { 'scw-buffer': 2, 'gcp-amd64': 0 }, reason: 'load test' })).toEqual({
      trigger: 'manual',
      targets: [
        { pool: 'scw-buffer', size: 2 },
        { pool: 'gcp-amd64', size: 0 },
      ],
      reason: 'load test',
      holdMinutes: 60,
    });
    expect(readScaleBufferRequest({ targets: { 'scw-buffer': 2 }, holdMinutes: 0 })).toMatchObject({ holdMinutes: 0 });
    expect(refusal({ targets: { 'scw-buffer': 2 }, holdMinutes: 1441 })).toContain('holdMinutes is not a whole number of minutes from 0 (no hold) to 1440');
    expect(refusal({ targets: { 'scw-buffer': 2 }, holdMinutes: '60' })).toContain('holdMinutes is not a whole number');
  });

  it('refuses a field it does not know, naming it and listing the allowed ones', () => {
    expect(refusal({ targets: { 'scw-buffer': 1 }, reasn: 'x' })).toBe(
      `ScaleBuffer refused its input: "reasn" is not a field of scale-buffer's input; allowed: trigger, targets, reason, holdMinutes (or a watcher event).`,
    );
    // A misspelt targets is named, not reported as a missing trigger.
    expect(refusal({ target: { 'scw-buffer': 1 } })).toContain(
      `"target" is not a field of scale-buffer's input; allowed: trigger, targets, reason, holdMinutes`,
    );
  });

  it('refuses a reconcile given targets or a reason, saying why, and a manual start with a trigger', () => {
    const message = refusal({ trigger: 'reconcile', targets: { 'scw-buffer': 1 } });
    expect(message).toContain('a reconcile takes no targets: it plans from the cluster alone, so that field would be ignored');
    expect(message).toContain('to set pool sizes, give targets without a trigger');
    expect(refusal({ trigger: 'reconcile', targets: { 'scw-buffer': 1 }, reason: 'x' })).toContain('a reconcile takes no targets or reason');
    expect(refusal({ trigger: 'grow', targets: { 'scw-buffer': 1 } })).toContain('the trigger "grow" is unknown');
  });

  it('refuses bad input with one sentence that says what is wrong and what is allowed, quoting no braces', () => {
    expect(refusal('scale')).toContain('ScaleBuffer refused its input: the input is not a JSON object. Allowed: a watcher event');
    expect(refusal({ trigger: 'grow' })).toContain('the trigger "grow" is unknown');
    expect(refusal({})).toContain('the input names no trigger');
    expect(refusal({ targets: { 'scw-buffer': -1, 'gcp-amd64': 1.5 } })).toContain('targets "scw-buffer", "gcp-amd64" are not a whole number of nodes');
    expect(refusal({ targets: {} })).toContain('targets is not an object of at least one pool name to size');
    expect(refusal(event('Shepherd Node Went NotReady', { node: 'n1' }))).toContain('detail-type "Shepherd Node Went NotReady" is not one ScaleBuffer acts on');
    expect(refusal(event('Shepherd Provider Degraded', {}, 'aws.ec2'))).toContain('the event source "aws.ec2" is not shepherd.watcher');
    expect(refusal(event('Shepherd Provider Degraded', { provider: '' }))).toContain('the provider event names no provider');
    expect(refusal({ trigger: '{"a":1}' })).toContain('the trigger ""a":1" is unknown');
  });
});

describe('Function: scaleBufferExecutionName', () => {
  it('names a triggered run by its transition, so a redelivered event starts nothing new; reconcile and manual runs get none', () => {
    const request = readScaleBufferRequest(event('Shepherd Provider Degraded', { provider: 'aws' }));
    expect(scaleBufferExecutionName(request)).toBe(`provider-degraded-${transitionId}`);
    expect(scaleBufferExecutionName(readScaleBufferRequest(event('Shepherd Provider Degraded', { provider: 'aws' })))).toBe(scaleBufferExecutionName(request));
    expect(scaleBufferExecutionName({ trigger: 'reconcile' })).toBeUndefined();
  });
});
