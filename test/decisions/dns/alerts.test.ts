import { describe, expect, it } from 'vitest';
import { DNS_REALERT_SECONDS, dnsAlertStep } from '../../../functions/decisions/dns/alerts.js';

const T0 = new Date('2026-11-30T12:00:00.000Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const open = { since: '2026-11-30T11:00:00.000Z', lastAlertAt: T0.toISOString() };

describe('Function: dnsAlertStep', () => {
  it('alerts when the condition starts, opening the alert at that time', () => {
    expect(dnsAlertStep(undefined, true, T0)).toEqual({ action: 'alert', next: { since: T0.toISOString(), lastAlertAt: T0.toISOString() } });
  });

  it('stays quiet while the condition lasts inside the re-alert period', () => {
    expect(dnsAlertStep(open, true, later(300))).toEqual({ action: 'none' });
    expect(dnsAlertStep(open, true, later(DNS_REALERT_SECONDS - 1))).toEqual({ action: 'none' });
  });

  it('re-alerts once the period has passed since the last alert, keeping when it started', () => {
    expect(dnsAlertStep(open, true, later(DNS_REALERT_SECONDS))).toEqual({
      action: 're-alert',
      next: { since: open.since, lastAlertAt: later(DNS_REALERT_SECONDS).toISOString() },
    });
    expect(dnsAlertStep(open, true, later(120), 60).action).toBe('re-alert');
  });

  it('resolves an open alert when the condition ends, and does nothing when none was open', () => {
    expect(dnsAlertStep(open, false, later(10))).toEqual({ action: 'resolve', since: open.since });
    expect(dnsAlertStep(undefined, false, T0)).toEqual({ action: 'none' });
  });

  it('re-alerts when the stored time is unreadable rather than never again', () => {
    expect(dnsAlertStep({ since: 'x', lastAlertAt: 'garbage' }, true, T0).action).toBe('re-alert');
  });
});
