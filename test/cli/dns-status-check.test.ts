import { describe, expect, it } from 'vitest';
import { describeCheck, exclusion } from '../../cli/dns-status.js';

describe('Function: describeCheck', () => {
  it('shows an undecided target with its passes out of rise', () => {
    expect(describeCheck({ undecided: true, passes: 1, failures: 0, checkedAt: 't', detail: 'connected in 3 ms' }, 2)).toBe(
      'undecided (1/2 passes, 0 failures; connected in 3 ms)',
    );
  });

  it('shows a decided target healthy or unhealthy with its counters', () => {
    expect(describeCheck({ healthy: false, passes: 0, failures: 3, checkedAt: 't', detail: 'HTTP 503' }, 2)).toBe('unhealthy (0 passes, 3 failures; HTTP 503)');
    expect(describeCheck({ healthy: true, passes: 2, failures: 0, checkedAt: 't', detail: 'ok' }, 2)).toBe('healthy (2 passes, 0 failures; ok)');
    expect(describeCheck(undefined, 2)).toBeUndefined();
  });
});

describe('Function: describeCheck (fast re-checks and ejection backoff)', () => {
  const now = '2026-11-30T12:01:00.000Z';

  it('shows a healthy target on its way down with its failures out of fall', () => {
    expect(describeCheck({ healthy: true, passes: 0, failures: 1, checkedAt: 't', detail: 'HTTP 503' }, 2, 3, now)).toBe(
      'healthy, falling (1/3 failures, re-checking fast; HTTP 503)',
    );
  });

  it('shows an unhealthy target held out by the ejection backoff with the passes it needs', () => {
    const backingOff = { healthy: false, passes: 1, failures: 0, ejections: 2, fellAt: '2026-11-30T12:00:30.000Z', checkedAt: 't', detail: 'HTTP 200' };
    expect(describeCheck(backingOff, 2, 3, now)).toBe('unhealthy, backing off (1/4 passes: fell 2 times since 2026-11-30T12:00:30.000Z; HTTP 200)');
    // A quiet period after its last fall, rise passes are enough again: plain unhealthy.
    expect(describeCheck(backingOff, 2, 3, '2026-11-30T13:00:00.000Z')).toBe('unhealthy (1 passes, 0 failures; HTTP 200)');
  });
});

describe('Function: exclusion', () => {
  const failing = { node: 'aws-2', address: '203.0.113.3', healthy: false, reason: 'check-failing' as const, detail: '0 consecutive failures' };

  it('says a new target kept out while undecided (or never checked) is waiting for its checks, not failing them', () => {
    expect(exclusion(failing, { undecided: true, passes: 1, failures: 0, checkedAt: 't', detail: 'connected in 3 ms' })).toBe('waiting for its checks to pass');
    expect(exclusion(failing, undefined)).toBe('waiting for its checks to pass');
  });

  it('says a target decided unhealthy is failing its check', () => {
    const t = { ...failing, detail: '3 consecutive failures' };
    expect(exclusion(t, { healthy: false, passes: 0, failures: 3, checkedAt: 't', detail: 'HTTP 503' })).toBe('check failing: 3 consecutive failures');
  });
});
