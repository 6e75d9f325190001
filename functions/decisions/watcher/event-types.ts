/**
 * The cluster watcher's events on the project's bus: their source and detail-types. No project convention existed
 * for the bus's own events, so they follow the brief's "Shepherd <Thing> <Past tense>". Each detail's JSON schema is
 * in event-schemas.ts (docs/events.md is generated from it); this module carries no zod, so the watcher bundles none.
 */
export const WATCHER_SOURCE = 'shepherd.watcher';

export const WATCHER_DETAIL_TYPES = {
  nodeNotReady: 'Shepherd Node Went NotReady',
  nodeReady: 'Shepherd Node Became Ready',
  nodeVmGone: 'Shepherd Node VM Gone',
  orphanVm: 'Shepherd Orphan VM Found',
  podsUnschedulable: 'Shepherd Pods Became Unschedulable',
  podsSchedulable: 'Shepherd Pods Became Schedulable',
  providerDegraded: 'Shepherd Provider Degraded',
  providerRecovered: 'Shepherd Provider Recovered',
  apiUnreachable: 'Shepherd Cluster API Became Unreachable',
  apiReachable: 'Shepherd Cluster API Became Reachable',
} as const;

export type WatcherEventKind = keyof typeof WATCHER_DETAIL_TYPES;
export type WatcherDetailType = (typeof WATCHER_DETAIL_TYPES)[WatcherEventKind];
