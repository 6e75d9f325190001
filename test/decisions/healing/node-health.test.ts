import { describe, expect, it } from 'vitest';
import { nodeHealth } from '../../../functions/decisions/healing/node-health.js';
import type { NodeCondition, NodeHealthInput } from '../../../functions/decisions/healing/types.js';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const ready = (status: NodeCondition['status'], since = T0): NodeCondition[] => [
  { type: 'MemoryPressure', status: 'False', lastTransitionTime: '2025-12-01T00:00:00Z' },
  { type: 'Ready', status, lastTransitionTime: since, reason: status === 'True' ? 'KubeletReady' : 'NodeStatusUnknown' },
];
const input = (over: Partial<NodeHealthInput>): NodeHealthInput => ({
  conditions: ready('True'),
  vm: 'running',
  now: at(10),
  unhealthyAfterSeconds: 300,
  ...over,
});

describe('Function: nodeHealth', () => {
  it('is healthy while Ready, also right after a NotReady spell', () => {
    expect(nodeHealth(input({ conditions: ready('True', at(5)) }))).toEqual({ verdict: 'healthy', reason: 'Ready' });
    expect(nodeHealth(input({ vm: 'unknown' })).verdict).toBe('healthy');
    expect(nodeHealth(input({ vm: 'stopping' })).verdict).toBe('healthy');
  });

  it('waits out the threshold for Ready=False and Ready=Unknown, from the condition transition', () => {
    for (const status of ['False', 'Unknown'] as const) {
      const cause = status === 'False' ? 'NotReady' : 'Unknown';
      expect(nodeHealth(input({ conditions: ready(status), now: at(299) }))).toEqual({
        verdict: 'suspect',
        cause,
        since: T0,
        remediateAt: at(300),
        reason: `Ready=${status} for 299 s, under the 300 s threshold; remediate at ${at(300)} unless Ready again`,
      });
      expect(nodeHealth(input({ conditions: ready(status), now: at(300) }))).toEqual({
        verdict: 'unhealthy',
        cause,
        since: T0,
        reason: `Ready=${status} for 300 s, at least the 300 s threshold`,
      });
    }
  });

  it('follows the configured threshold', () => {
    expect(nodeHealth(input({ conditions: ready('False'), now: at(60), unhealthyAfterSeconds: 60 })).verdict).toBe('unhealthy');
    expect(nodeHealth(input({ conditions: ready('False'), now: at(60), unhealthyAfterSeconds: 61 })).verdict).toBe('suspect');
  });

  it('remediates at once when the provider confirms the VM is gone, whatever the Node says', () => {
    expect(nodeHealth(input({ conditions: ready('False', at(5)), vm: 'gone' }))).toEqual({
      verdict: 'unhealthy',
      cause: 'VmGone',
      since: at(5),
      reason: 'its provider confirms the VM is gone (Node Ready=False): remediate at once',
    });
    // The last Ready=True of a kubelet whose VM is gone stands until node-monitor-grace-period passes.
    expect(nodeHealth(input({ conditions: ready('True'), vm: 'gone' }))).toMatchObject({ verdict: 'unhealthy', cause: 'VmGone', since: at(10) });
    expect(nodeHealth(input({ conditions: [], vm: 'gone' })).reason).toContain('no Ready condition');
  });

  it('does not take a stopping or unknown VM for gone', () => {
    for (const vm of ['stopping', 'unknown'] as const) {
      expect(nodeHealth(input({ conditions: ready('Unknown'), vm, now: at(100) })).verdict).toBe('suspect');
    }
  });

  it('counts a node without a Ready condition from when the watcher noticed it, else from now', () => {
    expect(nodeHealth(input({ conditions: [], noticedAt: T0, now: at(300) }))).toMatchObject({ verdict: 'unhealthy', cause: 'NoReadyCondition', since: T0 });
    expect(nodeHealth(input({ conditions: [], now: at(300) }))).toMatchObject({ verdict: 'suspect', since: at(300), remediateAt: at(600) });
  });

  it('falls back to noticedAt when the transition time is missing or unreadable', () => {
    const conditions: NodeCondition[] = [{ type: 'Ready', status: 'False', lastTransitionTime: 'not a time' }];
    expect(nodeHealth(input({ conditions, noticedAt: at(100), now: at(400) }))).toMatchObject({ verdict: 'unhealthy', since: at(100) });
    expect(nodeHealth(input({ conditions: [{ type: 'Ready', status: 'False' }], noticedAt: at(200), now: at(400) }))).toMatchObject({
      verdict: 'suspect',
      since: at(200),
    });
  });

  it('treats a transition time in the future (clock skew) as just begun', () => {
    expect(nodeHealth(input({ conditions: ready('False', at(60)), now: at(0) }))).toMatchObject({
      verdict: 'suspect',
      reason: expect.stringContaining('for 0 s'),
    });
  });
});
