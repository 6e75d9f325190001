import type { UnschedulablePod, UnschedulablePods } from './types.js';

/** The fields of a Pod (core/v1) the watcher reads. */
export interface PendingPod {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

/**
 * The pod as an unschedulable pod, if it is one: Pending with PodScheduled=False for reason Unschedulable (what
 * kube-scheduler sets when no node fits, and what Cluster Autoscaler and Karpenter react to). A pod being deleted is
 * not demand.
 */
export function unschedulable(pod: PendingPod): UnschedulablePod | undefined {
  if (pod.status?.phase !== 'Pending' || pod.metadata?.deletionTimestamp) return undefined;
  const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    ...(scheduled.lastTransitionTime ? { since: scheduled.lastTransitionTime } : {}),
    ...(scheduled.message ? { message: scheduled.message.slice(0, 300) } : {}),
  };
}

/**
 * Counts unschedulable pods page by page, keeping a sample and the oldest time only, so that a pass never holds
 * more than one page of pods. `restart` forgets what was counted (the list started over after a 410).
 */
export class UnschedulableTally {
  private tally: UnschedulablePods = { count: 0, sample: [] };

  constructor(private readonly sampleSize: number) {}

  add(pods: readonly PendingPod[]): void {
    for (const pod of pods) {
      const u = unschedulable(pod);
      if (!u) continue;
      this.tally.count++;
      if (this.tally.sample.length < this.sampleSize) this.tally.sample.push(u);
      if (u.since && (!this.tally.oldestSince || u.since < this.tally.oldestSince)) this.tally.oldestSince = u.since;
    }
  }

  restart(): void {
    this.tally = { count: 0, sample: [] };
  }

  result(): UnschedulablePods {
    return this.tally;
  }
}
