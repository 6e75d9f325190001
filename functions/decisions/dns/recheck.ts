import type { StoredCheckState } from './check-round.js';
import { isUndecided } from './hysteresis.js';
import type { TargetCheckState } from './types.js';

/**
 * Fast re-checks on the way down, HAProxy's `fastinter` ("interval between checks when the server is transitioning UP
 * or DOWN", HAProxy configuration manual, 5.2) applied only DOWN: fail fast, recover calmly. When a target that is
 * healthy (or undecided) fails a check, only the targets in that transition are probed again after
 * `dns.fastCheckIntervalSeconds`, until `fall` is reached or a probe passes; recovery keeps the check interval.
 *
 * The re-check takes simulated and real time honestly: the runner does not sleep (a Lambda would pay for the wait, and
 * locally it would hold the clock); it sends a delayed SQS message of a second kind on the tick queue, naming the
 * addresses and, for each, the state it follows (its `checkedAt`). SQS delivers at least once, so a re-check is run
 * only while the stored state is still the one it names, and its result is written only on that condition (a
 * conditional write, functions/adapters/store/dns-check-states.ts): of two copies one folds its probe, the other is
 * dropped; a re-check overtaken by a round (which then sends its own) is dropped too. A re-check of a chain
 * generation the keep-alive replaced is dropped. These are the pure rules.
 */

/** A target to probe again, and the state (its `checkedAt`) the probe folds onto. */
export interface RecheckTarget {
  address: string;
  after: string;
}

/** The second kind of message on the tick queue. */
export interface RecheckMessage {
  kind: 'recheck';
  /** The chain generation whose round (or re-check) sent it. */
  generation: string;
  entrypoint: string;
  targets: RecheckTarget[];
}

/** Whether a target is on its way down: not (yet) unhealthy, with at least one failure and fewer than `fall`. */
export function isFalling(state: TargetCheckState, fall: number): boolean {
  const down = !isUndecided(state) && !state.healthy;
  return !down && state.failures >= 1 && state.failures < fall;
}

/**
 * The re-check a round's (or a re-check's) writes call for: every written target that is falling, after the fast
 * interval; undefined when none is. Only written states can be falling: a failure always changes the counters.
 */
export function recheckDue(
  writes: readonly { address: string; state: StoredCheckState }[],
  fall: number,
  fastIntervalSeconds: number,
): { delaySeconds: number; targets: RecheckTarget[] } | undefined {
  const targets = writes.filter((w) => isFalling(w.state, fall)).map((w) => ({ address: w.address, after: w.state.checkedAt }));
  return targets.length > 0 ? { delaySeconds: fastIntervalSeconds, targets } : undefined;
}

/**
 * The targets of a re-check to probe now: those whose stored state is still the one the re-check follows and still
 * falling. Anything else was overtaken: a copy of this re-check or a round folded a probe since (and sent the next
 * re-check if one is due), or the target fell, recovered or is no longer stored.
 */
export function recheckTargets(
  message: RecheckMessage,
  stored: ReadonlyMap<string, StoredCheckState>,
  fall: number,
): (RecheckTarget & { nodeName?: string })[] {
  return message.targets.flatMap((t) => {
    const state = stored.get(t.address);
    if (!state || state.checkedAt !== t.after || !isFalling(state, fall)) return [];
    return [{ ...t, ...(state.nodeName ? { nodeName: state.nodeName } : {}) }];
  });
}

/** A re-check read from a message body; undefined when the body is not one (a tick, or garbage). */
export function parseRecheck(body: string): RecheckMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<RecheckMessage>;
    if (value.kind !== 'recheck' || typeof value.generation !== 'string' || value.generation === '' || typeof value.entrypoint !== 'string') return undefined;
    if (!Array.isArray(value.targets)) return undefined;
    const targets = value.targets.filter((t): t is RecheckTarget => typeof t?.address === 'string' && typeof t?.after === 'string');
    if (targets.length === 0 || targets.length !== value.targets.length) return undefined;
    return { kind: 'recheck', generation: value.generation, entrypoint: value.entrypoint, targets: targets.map(({ address, after }) => ({ address, after })) };
  } catch {
    return undefined;
  }
}
