import { epochMs, plusSeconds } from './time.js';
import type { NodeHealth, NodeHealthInput, UnhealthyCause } from './types.js';

/**
 * Whether a node needs remediation, since when and why (Medik8s NodeHealthCheck: Ready False or Unknown for a
 * duration; Karpenter: a Node whose instance is gone is collected at once).
 *
 * - The provider confirms the VM is gone: unhealthy at once, whatever the Ready condition says. A kubelet whose VM
 *   is gone posts nothing, and its last Ready=True stands until node-monitor-grace-period (40-50 s) passes.
 * - Ready=True otherwise: healthy, also when it was NotReady a moment ago (a node back before remediation is left alone).
 * - Ready False, Unknown or missing: suspect until it has been so for `unhealthyAfterSeconds`, then unhealthy.
 */
export function nodeHealth(input: NodeHealthInput): NodeHealth {
  const ready = input.conditions.find((c) => c.type === 'Ready');
  const cause: UnhealthyCause = !ready ? 'NoReadyCondition' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  const notReadySince = ready?.status === 'True' ? undefined : knownStart(ready?.lastTransitionTime, input.noticedAt, input.now);

  if (input.vm === 'gone') {
    const since = notReadySince ?? input.now;
    const status = ready ? `Ready=${ready.status}` : 'no Ready condition';
    return { verdict: 'unhealthy', cause: 'VmGone', since, reason: `its provider confirms the VM is gone (Node ${status}): remediate at once` };
  }
  if (ready?.status === 'True') return { verdict: 'healthy', reason: 'Ready' };

  const since = notReadySince ?? input.now;
  const remediateAt = plusSeconds(since, input.unhealthyAfterSeconds);
  const what = cause === 'NoReadyCondition' ? 'has no Ready condition' : `Ready=${ready?.status}`;
  const elapsed = Math.floor(((epochMs(input.now) ?? 0) - (epochMs(since) ?? 0)) / 1000);
  if (elapsed >= input.unhealthyAfterSeconds) {
    return { verdict: 'unhealthy', cause, since, reason: `${what} for ${elapsed} s, at least the ${input.unhealthyAfterSeconds} s threshold` };
  }
  return {
    verdict: 'suspect',
    cause,
    since,
    remediateAt,
    reason: `${what} for ${Math.max(elapsed, 0)} s, under the ${input.unhealthyAfterSeconds} s threshold; remediate at ${remediateAt} unless Ready again`,
  };
}

/** The first readable time of: the condition's transition, when the watcher noticed it, now. */
function knownStart(...times: (string | undefined)[]): string | undefined {
  return times.find((t) => epochMs(t) !== undefined);
}
