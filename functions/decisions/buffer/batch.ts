export interface BatchWindow {
  /** When the first pending pod of the batch was seen (ISO 8601). */
  firstSeenAt: string;
  /** When the latest one was seen. */
  lastSeenAt: string;
}

export interface BatchPolicy {
  /** buffers.batchIdleSeconds (Karpenter BATCH_IDLE_DURATION, 1 s). */
  batchIdleSeconds: number;
  /** buffers.batchMaxSeconds (Karpenter BATCH_MAX_DURATION, 10 s). */
  batchMaxSeconds: number;
}

/**
 * Whether a batch of pending pods is closed, so that one burst gives one decision: as Karpenter's batcher
 * (https://karpenter.sh/docs/reference/settings/), a batch closes once no pod arrived for the idle time, or at the
 * latest the maximum time after its first pod. `waitSeconds`: how long to wait before asking again (0 once closed).
 */
export function batchClosed(window: BatchWindow, now: string, policy: BatchPolicy): { closed: boolean; waitSeconds: number } {
  const nowMs = Date.parse(now);
  const idleEnds = Date.parse(window.lastSeenAt) + policy.batchIdleSeconds * 1000;
  const maxEnds = Date.parse(window.firstSeenAt) + policy.batchMaxSeconds * 1000;
  const closesAt = Math.min(idleEnds, maxEnds);
  return nowMs >= closesAt ? { closed: true, waitSeconds: 0 } : { closed: false, waitSeconds: Math.ceil((closesAt - nowMs) / 1000) };
}

/**
 * A time the API server wrote (a condition's lastTransitionTime) as the latest instant it may stand for: those times
 * are whole seconds, so "12:00:05Z" is any instant of that second, and a window read from it must not close early.
 */
function latestInstant(time: string): number {
  const ms = Date.parse(time);
  return /\.\d+/.test(time) ? ms : ms + 999;
}

/**
 * The burst still arriving, read from the pending pods' own times (PodScheduled=False's lastTransitionTime, which the
 * scheduler sets when it first finds no node and keeps while the pod stays unschedulable): walking back from the
 * newest, every pod within the idle time of the next one belongs to it, as Karpenter's batcher would have grouped them
 * had it seen each arrive. Read from the cluster, the window does not depend on how often the watcher reports (every
 * minute, or every 10 s): a late report only finds the window shorter, or closed. Pods without a time open no window.
 */
export function currentBurst(since: readonly string[], idleSeconds: number): BatchWindow | undefined {
  const times = since
    .map((s) => ({ s, at: latestInstant(s) }))
    .filter((t) => !Number.isNaN(t.at))
    .sort((a, b) => b.at - a.at);
  if (times.length === 0) return undefined;
  let first = times[0];
  for (const t of times.slice(1)) {
    if (first.at - t.at > idleSeconds * 1000) break;
    first = t;
  }
  return { firstSeenAt: new Date(first.at).toISOString(), lastSeenAt: new Date(times[0].at).toISOString() };
}

export interface BatchCheck {
  closed: boolean;
  /** Seconds to wait before checking again (0 once closed); at least 1 otherwise, a Wait state's whole seconds. */
  waitSeconds: number;
  /** Unschedulable pods seen at this check. */
  pendingPods: number;
  window?: BatchWindow;
  why: string;
}

/**
 * Whether the run that a "pods unschedulable" report started may plan now, or waits for the burst to end (one burst,
 * one decision). The batch's maximum also counts from `checkingSince` (when the run began waiting): a pod whose time
 * is ahead of the function's clock, or a stream that never pauses, cannot hold a run longer than batchMaxSeconds.
 */
export function checkBatch(input: { since: readonly string[]; pendingPods: number; now: string; checkingSince: string; policy: BatchPolicy }): BatchCheck {
  const { now, policy } = input;
  const window = currentBurst(input.since, policy.batchIdleSeconds);
  const base = { pendingPods: input.pendingPods, ...(window ? { window } : {}) };
  if (!window) return { ...base, closed: true, waitSeconds: 0, why: 'no pending pod with a time opens a batch' };
  const hardEnd = Date.parse(input.checkingSince) + policy.batchMaxSeconds * 1000;
  const nowMs = Date.parse(now);
  if (nowMs >= hardEnd) return { ...base, closed: true, waitSeconds: 0, why: `this run has waited batchMaxSeconds (${policy.batchMaxSeconds} s)` };
  const verdict = batchClosed(window, now, policy);
  if (verdict.closed) return { ...base, closed: true, waitSeconds: 0, why: batchClosedWhy(window, now, policy) };
  const waitSeconds = Math.max(1, Math.min(verdict.waitSeconds, Math.ceil((hardEnd - nowMs) / 1000)));
  return { ...base, closed: false, waitSeconds, why: `pods still arriving: the last at ${window.lastSeenAt}, the first at ${window.firstSeenAt}` };
}

function batchClosedWhy(window: BatchWindow, now: string, policy: BatchPolicy): string {
  const maxEnds = Date.parse(window.firstSeenAt) + policy.batchMaxSeconds * 1000;
  return Date.parse(now) >= maxEnds
    ? `batchMaxSeconds (${policy.batchMaxSeconds} s) passed since the burst's first pod`
    : `no pod arrived for batchIdleSeconds (${policy.batchIdleSeconds} s)`;
}
