import { describe, expect, it } from 'vitest';
import { NEVER_READY_SLACK_MS, neverReadySinceRegistration } from '../../functions/decisions/watcher/never-ready.js';

const REGISTERED = '2026-11-30T20:05:40Z';
const later = (ms: number) => new Date(Date.parse(REGISTERED) + ms).toISOString();

describe('Function: neverReadySinceRegistration', () => {
  it('a Node whose Ready=False dates from its registration is still joining', () => {
    expect(neverReadySinceRegistration({ ready: 'False', readySince: REGISTERED, readyReason: 'KubeletNotReady', registeredAt: REGISTERED })).toBe(true);
    // The kubelet computes the first status just before the create, and its clock may be a little off.
    expect(neverReadySinceRegistration({ ready: 'False', readySince: later(-2_000), registeredAt: REGISTERED })).toBe(true);
    expect(neverReadySinceRegistration({ ready: 'False', readySince: later(NEVER_READY_SLACK_MS), registeredAt: REGISTERED })).toBe(true);
  });

  it('a Node whose Ready condition changed after it registered has been Ready: not joining', () => {
    expect(neverReadySinceRegistration({ ready: 'False', readySince: later(NEVER_READY_SLACK_MS + 1_000), registeredAt: REGISTERED })).toBe(false);
    expect(neverReadySinceRegistration({ ready: 'Unknown', readySince: later(3_600_000), readyReason: 'NodeStatusUnknown', registeredAt: REGISTERED })).toBe(
      false,
    );
  });

  it('a Node that never posted its status, by the node-lifecycle controller or by a missing condition, is joining', () => {
    expect(neverReadySinceRegistration({ ready: 'Unknown', readySince: later(60_000), readyReason: 'NodeStatusNeverUpdated', registeredAt: REGISTERED })).toBe(
      true,
    );
    expect(neverReadySinceRegistration({ ready: 'Unknown', registeredAt: REGISTERED })).toBe(true);
  });

  it('a Ready Node, or one with no registration time or unreadable times, is not called joining', () => {
    expect(neverReadySinceRegistration({ ready: 'True', readySince: REGISTERED, registeredAt: REGISTERED })).toBe(false);
    expect(neverReadySinceRegistration({ ready: 'False', readySince: REGISTERED })).toBe(false);
    expect(neverReadySinceRegistration({ ready: 'Unknown' })).toBe(false);
    expect(neverReadySinceRegistration({ ready: 'False', readySince: 'soon', registeredAt: REGISTERED })).toBe(false);
  });
});
