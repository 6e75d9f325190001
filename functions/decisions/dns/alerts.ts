/**
 * When DnsFailover publishes an alert (no healthy target, a foreign record at an entrypoint name) and when it says the
 * alert is over. Every run sees the condition again while it lasts (each trigger, each 5-minute reconcile); publishing
 * every time buries the one event that matters. As Alertmanager does, an alert is published when the condition starts
 * and repeated only after a re-alert period; its end is published once. The audit log still has every run's decision.
 */

/** The kinds of alert DnsFailover opens, one per entrypoint at a time. */
export type DnsAlertKind = 'no-healthy-target' | 'conflict-found';

/** An open alert, as stored between runs. */
export interface OpenDnsAlert {
  /** ISO time the condition was first seen (the first alert). */
  since: string;
  /** ISO time of the last alert published (the first, or the last repeat). */
  lastAlertAt: string;
}

/**
 * How long an open alert stays quiet before it is published again. Alertmanager's `repeat_interval` defaults to 4 h;
 * an entrypoint with no healthy target serves dead addresses, so an hour.
 */
export const DNS_REALERT_SECONDS = 3600;

export type DnsAlertStep =
  /** The condition started (no open alert): publish and open it. */
  | { action: 'alert'; next: OpenDnsAlert }
  /** Still on, and quiet for the re-alert period: publish again. */
  | { action: 're-alert'; next: OpenDnsAlert }
  /** It ended with an alert open: publish the resolution and close it. */
  | { action: 'resolve'; since: string }
  /** Nothing to publish: still on inside the period, or off with nothing open. */
  | { action: 'none' };

/** What this run does about one alert, from the open alert (if any), whether the condition holds now, and the time. */
export function dnsAlertStep(open: OpenDnsAlert | undefined, active: boolean, now: Date, realertSeconds = DNS_REALERT_SECONDS): DnsAlertStep {
  const at = now.toISOString();
  if (!active) return open ? { action: 'resolve', since: open.since } : { action: 'none' };
  if (!open) return { action: 'alert', next: { since: at, lastAlertAt: at } };
  const quietFor = (now.getTime() - Date.parse(open.lastAlertAt)) / 1000;
  // An unreadable time counts as long ago: a repeat too many beats an alert never repeated.
  if (!(quietFor < realertSeconds)) return { action: 're-alert', next: { since: open.since, lastAlertAt: at } };
  return { action: 'none' };
}
