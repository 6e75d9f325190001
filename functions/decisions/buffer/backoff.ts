/** What a pool's failed scale-ups left behind: how many in a row, the last one, and until when the pool is skipped. */
export interface PoolBackoff {
  failures: number;
  lastFailureAt: string;
  backedOffUntil: string;
}

export interface BackoffPolicy {
  /** scaling.backoffSeconds (Cluster Autoscaler initial-node-group-backoff-duration, 5 min). */
  backoffSeconds: number;
  /** scaling.maxBackoffSeconds (Cluster Autoscaler max-node-group-backoff-duration, 30 min). */
  maxBackoffSeconds: number;
}

/**
 * Cluster Autoscaler forgets a node group's failures after node-group-backoff-reset-timeout (3 h) without one
 * (https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md, "What are the parameters to CA?").
 */
export const BACKOFF_RESET_SECONDS = 3 * 3600;

/**
 * The backoff after a failed scale-up (a launch that failed, a node that never became Ready): the first failure
 * skips the pool for backoffSeconds, each further one doubles it, up to maxBackoffSeconds, as Cluster Autoscaler's
 * exponential node-group backoff does (5, 10, 20, 30 min). A failure long after the last starts again from the first.
 */
export function backoffAfterFailure(previous: PoolBackoff | undefined, now: string, policy: BackoffPolicy): PoolBackoff {
  const nowMs = Date.parse(now);
  const fresh = !previous || nowMs - Date.parse(previous.lastFailureAt) > BACKOFF_RESET_SECONDS * 1000;
  const failures = fresh ? 1 : previous.failures + 1;
  const seconds = Math.min(policy.maxBackoffSeconds, policy.backoffSeconds * 2 ** (failures - 1));
  return { failures, lastFailureAt: now, backedOffUntil: new Date(nowMs + seconds * 1000).toISOString() };
}

/**
 * Until when a pool whose offerings all answered "no capacity" is skipped: Karpenter keeps insufficient-capacity
 * offerings out of its choices for 3 min (scaling.insufficientCapacityCacheSeconds; pkg/cache's
 * UnavailableOfferingsTTL). The failed scale-up behind it also backs the pool off (records.ts), as Cluster Autoscaler
 * backs off a node group whose scale-up hit an out-of-resources error.
 */
export function outOfCapacityUntil(now: string, cacheSeconds: number): string {
  return new Date(Date.parse(now) + cacheSeconds * 1000).toISOString();
}
