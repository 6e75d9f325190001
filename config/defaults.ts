/**
 * Default policy numbers. Each follows a system that already solved the same problem; the comment names it,
 * so a change here is a deliberate departure from that system (see /work/shared/FIELD-NOTES.md).
 */

export const DEFAULT_PROVISIONING = {
  /** Karpenter's node registration TTL and Cluster Autoscaler's max-node-provision-time: 15 min. */
  registrationTimeoutSeconds: 900,
  /** Ours: 60 checks within the registration timeout; Cluster Autoscaler scans every 10 s. */
  pollIntervalSeconds: 15,
} as const;

export const DEFAULT_HEALING = {
  /** Medik8s NodeHealthCheck: remediate after Ready=False/Unknown for 300 s. */
  unhealthyAfterSeconds: 300,
  /** Cluster Autoscaler stops acting when 45 % of nodes are unready (mass loss looks like a partition)... */
  maxUnhealthyPercent: 45,
  /** ...once more than 3 are (its ok-total-unready-count), so one dead node of a small cluster is still healed. */
  okUnhealthyNodes: 3,
  /** The same share within one provider: a provider or region going dark is not a reason to replace its nodes. */
  maxUnhealthyPercentPerProvider: 45,
  /** Ours: a provider's second unhealthy node can trip its short-circuit (a dark provider may hold only two nodes). */
  okUnhealthyNodesPerProvider: 1,
  /** Gardener MCM: one replacement in flight per machine group. */
  maxConcurrentPerPool: 1,
  /** Gardener MCM forces a drain after 5 min. */
  drainTimeoutSeconds: 300,
  /** Eviction blocked by a PodDisruptionBudget (HTTP 429): drainers retry every 5-20 s. */
  evictionRetrySeconds: 10,
  /** Gardener MCM freezes when the API server has been unreachable for 30 s. */
  apiUnreachableFreezeSeconds: 30,
  /** Gardener MCM sweeps orphan VMs (tagged VM, no machine) every 15 min. */
  orphanSweepMinutes: 15,
  /**
   * AWS Node Termination Handler only cordons on a rebalance recommendation unless told to drain
   * (enableRebalanceDraining: false): the signal is early and often not followed by an interruption.
   */
  rebalanceRecommendation: 'taint',
  /** The cluster watcher's schedule: EventBridge schedules run at most once a minute. */
  watcherIntervalMinutes: 1,
} as const;

export const DEFAULT_WATCHER = {
  /** The cluster watcher runs unless switched off (its schedule rule is then disabled, not removed). */
  enabled: true,
  /** Issue 9: every minute, EventBridge's finest schedule. */
  everyMinutes: 1,
  /** Cluster Autoscaler's max-total-unready-percentage: 45 % of a provider's (or region's) nodes NotReady at once. */
  degradedPercent: 45,
  /** Cluster Autoscaler's ok-total-unready-count: up to 3 unready nodes are node problems, not a degraded provider. */
  degradedMinNodes: 4,
  /** Ours: an unschedulable-pods event names this many pods; the count covers them all. */
  podSampleSize: 10,
  /**
   * Ours (issue 11): seconds between two cluster-hint rounds, which run only with buffer pools (a Node gone NotReady or
   * pods gone unschedulable start a watcher pass at once). Cluster Autoscaler scans every 10 s.
   */
  hintSeconds: 10,
} as const;

export const DEFAULT_SCALING = {
  /** Cluster Autoscaler scale-down-unneeded-time: 10 min. */
  scaleDownUnneededSeconds: 600,
  /** Cluster Autoscaler scale-down-utilization-threshold: 50 %. */
  scaleDownUtilizationThreshold: 0.5,
  /** Cluster Autoscaler scale-down-delay-after-add: 10 min. */
  scaleDownDelayAfterScaleUpSeconds: 600,
  /** Cluster Autoscaler node-group backoff starts at 5 min... */
  backoffSeconds: 300,
  /** ...and grows to at most 30 min. */
  maxBackoffSeconds: 1800,
  /** Karpenter caches insufficient-capacity offerings for 3 min. */
  insufficientCapacityCacheSeconds: 180,
} as const;

/** Cloudflare's DNS-only minimum TTL; short, so an entrypoint moves quickly. */
export const DEFAULT_ENTRYPOINT_TTL = 60;

/** GCE's auto-created network. */
export const DEFAULT_GCP_NETWORK = 'global/networks/default';

export const DEFAULT_BUFFERS = {
  /** The kubelet's default maxPods. */
  podsPerNode: 110,
  /** Ours, on Cluster Autoscaler's 10 min scale-down-unneeded-time: a provider that came back must stay back as long. */
  recoveryPeriodSeconds: 600,
  /** Karpenter BATCH_IDLE_DURATION: 1 s without a new pending pod closes a batch... */
  batchIdleSeconds: 1,
  /** ...and BATCH_MAX_DURATION: 10 s after the first pod at the latest. */
  batchMaxSeconds: 10,
} as const;

/**
 * DNS failover. An active check fails after 3 misses and passes again after 2 successes (HAProxy's `fall 3 rise 2`
 * defaults), with a 2 s timeout; one run changes at most 10 records (a Free zone's batch takes 200).
 */
export const DEFAULT_DNS_FAILOVER = {
  checkTimeoutMs: 2000,
  fall: 3,
  rise: 2,
  maxChangesPerRun: 10,
  /** Seconds between two rounds of active checks: fall 3 at 10 s notices a dead target in about 30 s. */
  checkIntervalSeconds: 10,
  /**
   * Seconds between the re-checks of a target on its way down (HAProxy's `fastinter`, applied only down): with fall 3
   * a dead target falls within one interval + 2 x (2 s + the 2 s timeout) + the timeout of its loss, about 20 s.
   */
  fastCheckIntervalSeconds: 2,
} as const;
