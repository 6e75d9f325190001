import { ejectionsAfterFall, risePassesNeeded } from './ejection-backoff.js';
import { isUndecided, nextCheckState, undecidedCheckState } from './hysteresis.js';
import { entrypointTargets } from './targets.js';
import type { DnsNodeView, EligibilityRule, ExclusionReason, TargetCheckState } from './types.js';

/** One address to probe and the node it belongs to. */
export interface CheckCandidate {
  address: string;
  nodeName: string;
}

/** A target's check state (decided or undecided), as functions/adapters/store/dns-check-states.ts stores it. */
export type StoredCheckState = TargetCheckState & {
  /** The node serving on this address when it was last checked. */
  nodeName?: string;
  /** When it was last written (ISO): when it changed, or at most REFRESH_AFTER_MS before the last probe. */
  checkedAt: string;
  /** The probe's last detail, e.g. 'connected in 12 ms', 'connect timeout after 2000 ms'. */
  detail: string;
};

/** One probe's result, as the round reads it. */
export interface ProbeOutcome {
  passed: boolean;
  detail: string;
}

/** The detail of "Shepherd DNS Target Health Changed" (docs/events.md). */
export interface TargetHealthChange {
  entrypoint: string;
  address: string;
  nodeName?: string;
  healthy: boolean;
  passes: number;
  failures: number;
  detail: string;
  checkedAt: string;
}

export interface CheckRoundInputs {
  entrypoint: string;
  limits: { fall: number; rise: number };
  candidates: readonly CheckCandidate[];
  /** By address, what the store holds. */
  previous: ReadonlyMap<string, StoredCheckState>;
  /** By address, this round's probe results (a candidate without one was not probed and keeps its state). */
  results: ReadonlyMap<string, ProbeOutcome>;
  now: string;
}

/**
 * A steady state is written again after this long, so that it never gets older than the store's one-day TTL: a target
 * whose state expired would be undecided again and publish its decision again, once a day.
 */
export const REFRESH_AFTER_MS = 3_600_000;

export interface CheckRound {
  /** The states to store: only those that changed, so that a steady target costs no write. */
  writes: { address: string; state: StoredCheckState }[];
  /** Targets whose health flipped, or was decided for the first time, this round. */
  changes: TargetHealthChange[];
}

/** Reasons that say the address itself is not one to serve on: nothing to probe. */
const NOT_PROBED: ReadonlySet<ExclusionReason> = new Set(['not-eligible', 'no-address', 'invalid-address']);

/**
 * The addresses to probe: every eligible node's public address of the record's family, whatever the node's state
 * (a NotReady or cordoned node is probed too, so its check state is current the moment it comes back). One entry per
 * address, the first node by name owning it.
 */
export function checkCandidates(rule: EligibilityRule, nodes: readonly DnsNodeView[]): CheckCandidate[] {
  const seen = new Set<string>();
  const out: CheckCandidate[] = [];
  for (const t of entrypointTargets({ rule, nodes: [...nodes], announcements: {} })) {
    if (!t.address || (t.reason && NOT_PROBED.has(t.reason)) || seen.has(t.address)) continue;
    seen.add(t.address);
    out.push({ address: t.address, nodeName: t.node });
  }
  return out;
}

/**
 * One round of checks folded into the stored states. A target never checked starts undecided, as a load balancer
 * registers a new target (types.ts, UndecidedCheckState): its first decision, healthy after `rise` passes or unhealthy
 * after `fall` failures, is published like a flip, so DnsFailover adds a new node at once rather than at the next
 * reconcile, and never adds one that has not passed. Until then DnsFailover keeps the address as it is published, so
 * the first rounds after a deploy change no record. Counters stop at rise and fall, which is all the rules read, so
 * that a target that keeps passing (or failing) is written only every REFRESH_AFTER_MS, not every round. A target that
 * fell again soon after its last fall needs more passes to come back (ejection-backoff.ts). A round may carry results
 * for some candidates only (a fast re-check, recheck.ts): the others keep their state.
 */
export function checkRound(inputs: CheckRoundInputs): CheckRound {
  const { limits, now } = inputs;
  const writes: CheckRound['writes'] = [];
  const changes: TargetHealthChange[] = [];
  for (const c of inputs.candidates) {
    const result = inputs.results.get(c.address);
    if (!result) continue;
    const stored = inputs.previous.get(c.address);
    const before: TargetCheckState = stored ?? undecidedCheckState();
    const rise = isUndecided(before) ? limits.rise : risePassesNeeded(before, limits.rise, now);
    const after = boundedCounters(withEjections(before, nextCheckState(before, result.passed, { fall: limits.fall, rise }), now), { fall: limits.fall, rise });
    const changed = !stored || health(stored) !== health(after) || stored.passes !== after.passes || stored.failures !== after.failures;
    const fresh = Date.parse(now) - Date.parse(stored?.checkedAt ?? '') < REFRESH_AFTER_MS;
    if (!changed && stored.nodeName === c.nodeName && fresh) continue;
    const state: StoredCheckState = { ...after, nodeName: c.nodeName, checkedAt: now, detail: result.detail };
    writes.push({ address: c.address, state });
    if (!isUndecided(after) && health(before) !== health(after)) {
      const { healthy, passes, failures } = after;
      changes.push({
        entrypoint: inputs.entrypoint,
        address: c.address,
        nodeName: c.nodeName,
        healthy,
        passes,
        failures,
        detail: result.detail,
        checkedAt: now,
      });
    }
  }
  return { writes, changes };
}

/** A decided target keeps its ejection history; one that was healthy and falls now counts one more ejection. */
function withEjections(before: TargetCheckState, after: TargetCheckState, now: string): TargetCheckState {
  if (isUndecided(before) || isUndecided(after)) return after;
  if (before.healthy && !after.healthy) return { ...after, ejections: ejectionsAfterFall(before, now), fellAt: now };
  return { ...after, ...(before.ejections !== undefined ? { ejections: before.ejections } : {}), ...(before.fellAt ? { fellAt: before.fellAt } : {}) };
}

/** Passes above rise and failures above fall change nothing the rules read. */
function boundedCounters(state: TargetCheckState, limits: { fall: number; rise: number }): TargetCheckState {
  return { ...state, passes: Math.min(state.passes, limits.rise), failures: Math.min(state.failures, limits.fall) };
}

function health(state: TargetCheckState): 'healthy' | 'unhealthy' | 'undecided' {
  if (isUndecided(state)) return 'undecided';
  return state.healthy ? 'healthy' : 'unhealthy';
}
