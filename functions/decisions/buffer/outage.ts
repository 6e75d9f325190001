import { planScaleUp, type ScaleUpPlan } from './scale-up.js';
import { podKey } from './scheduling.js';
import type { BufferPoolView, PodSpecView } from './types.js';

/** A provider (or one of its regions) the watcher reported degraded. */
export interface DegradedScope {
  provider: string;
  region?: string;
}

/** A Node of a degraded scope and the pods bound to it (DaemonSet and mirror pods left out: they do not move). */
export interface LostNode {
  name: string;
  provider: string;
  region?: string;
  pods: PodSpecView[];
}

export interface OutageInput {
  degraded: DegradedScope[];
  lostNodes: LostNode[];
  pools: BufferPoolView[];
  now: string;
  maxHourlyCost?: number;
  /** Pods already pending: the pending-pods scale-up covers them, so the outage does not count them twice. */
  alreadyPending?: string[];
}

export interface OutagePlan extends ScaleUpPlan {
  /** The providers the added nodes stand in for: they go only once these have recovered for the recovery period. */
  standingInFor: string[];
  /** How many pods the lost nodes ran, before any was placed. */
  lostPods: number;
}

/**
 * The capacity a degraded provider had, requested from buffer pools on other providers before its pods go pending:
 * the node-lifecycle controller evicts them only after tolerationSeconds (300 s,
 * https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions), and Scaleway's
 * autoscaler, like Cluster Autoscaler, reacts only to pods already pending. What it had is measured by the pods its
 * nodes ran (their requests, selectors and tolerations), not by their allocatable: empty room needs no stand-in, and
 * a pod pinned to the lost provider cannot go elsewhere (reported unplaceable). Pools on a degraded provider are
 * left out (a region's outage leaves out its whole provider: a pool's region is not known here), and each pool's
 * maximum and the cluster-wide cost cap apply as for any scale-up.
 */
export function planOutageCapacity(input: OutageInput): OutagePlan {
  const dark = new Set(input.degraded.map((d) => d.provider));
  const lost = input.lostNodes.filter((n) => input.degraded.some((d) => d.provider === n.provider && (!d.region || d.region === n.region)));
  const pending = new Set(input.alreadyPending ?? []);
  const pods = lost.flatMap((n) => n.pods).filter((p) => !pending.has(podKey(p)));
  const pools = input.pools.filter((p) => !dark.has(p.provider));
  const plan =
    pools.length > 0
      ? planScaleUp({ pods, pools, now: input.now, maxHourlyCost: input.maxHourlyCost })
      : {
          scaleUps: [],
          unplaceable: pods.map((p) => ({ pod: podKey(p), reasons: {} })),
          waiting: [],
          skipped: [],
          onUpcoming: [],
        };
  return { ...plan, standingInFor: [...dark].sort(), lostPods: pods.length };
}
