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

/** The window once more pods arrived at `now`. */
export function extendBatch(window: BatchWindow | undefined, now: string): BatchWindow {
  return { firstSeenAt: window?.firstSeenAt ?? now, lastSeenAt: now };
}
