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
