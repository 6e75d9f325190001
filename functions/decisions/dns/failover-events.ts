/**
 * DNS failover's events on the project's bus: source `shepherd.dns`, detail-types in the "Shepherd <Thing> <Past
 * tense>" style (functions/decisions/watcher/event-types.ts). The check runner publishes targetHealthChanged;
 * DnsFailover the others. Their schemas are in event-schemas.ts (docs/events.md). No zod here: functions bundle it.
 */
export const DNS_SOURCE = 'shepherd.dns';

export const DNS_DETAIL_TYPES = {
  targetHealthChanged: 'Shepherd DNS Target Health Changed',
  recordsChanged: 'Shepherd DNS Records Changed',
  noHealthyTarget: 'Shepherd DNS No Healthy Target',
  conflictFound: 'Shepherd DNS Conflict Found',
  alertResolved: 'Shepherd DNS Alert Resolved',
} as const;
