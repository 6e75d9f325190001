import type { EntrypointConfig } from '../../config/types.js';
import type { ActiveCheck, TargetProbe } from '../adapters/probe/types.js';
import type { DnsCheckStateStore } from '../adapters/store/dns-check-states.js';
import { checkCandidates, checkRound, type ProbeOutcome, type TargetHealthChange } from '../decisions/dns/check-round.js';
import { type RecheckTarget, recheckDue } from '../decisions/dns/recheck.js';
import type { DnsNodeView } from '../decisions/dns/types.js';

export interface RoundDeps {
  nodes(): Promise<DnsNodeView[]>;
  probe: TargetProbe;
  states: DnsCheckStateStore;
  publish(changes: TargetHealthChange[]): Promise<void>;
  now(): Date;
  /** The fast re-check interval (dns.fastCheckIntervalSeconds). */
  fastIntervalSeconds: number;
}

/** A re-check to send (functions/dns-checks/recheck.ts): the falling targets of one entrypoint. */
export interface DueRecheck {
  entrypoint: string;
  delaySeconds: number;
  targets: RecheckTarget[];
}

export interface RoundSummary {
  entrypoints: number;
  probed: number;
  failed: number;
  written: number;
  changes: TargetHealthChange[];
  /** The targets on their way down, to probe again after the fast interval. */
  rechecks: DueRecheck[];
}

/**
 * One round of active checks: the Nodes are listed once, then for every entrypoint with a `check` its candidate
 * addresses are probed in parallel (each probe bounded by the check's timeout), the states folded (checkRound),
 * the changed ones stored, and each flip of health published for DnsFailover. A probe that throws counts as a
 * failed check, not as a failed round. The targets on their way down are returned as re-checks due (the caller sends
 * them on the tick queue, recheck.ts).
 */
export async function runCheckRound(deps: RoundDeps, entrypoints: readonly EntrypointConfig[]): Promise<RoundSummary> {
  const checked = entrypoints.filter((e): e is EntrypointConfig & { check: ActiveCheck } => e.check !== undefined);
  const summary: RoundSummary = { entrypoints: checked.length, probed: 0, failed: 0, written: 0, changes: [], rechecks: [] };
  if (checked.length === 0) return summary;
  const nodes = await deps.nodes();
  await Promise.all(
    checked.map(async (entrypoint) => {
      const candidates = checkCandidates(
        { eligiblePools: entrypoint.eligiblePools, selector: entrypoint.selector, addressSource: entrypoint.addressSource, type: entrypoint.type },
        nodes,
      );
      const [previous, outcomes] = await Promise.all([deps.states.list(entrypoint.name), probeAll(deps.probe, entrypoint.check, candidates)]);
      const round = checkRound({
        entrypoint: entrypoint.name,
        limits: { fall: entrypoint.fall, rise: entrypoint.rise },
        candidates,
        previous,
        results: new Map(outcomes),
        now: deps.now().toISOString(),
      });
      await Promise.all(round.writes.map((w) => deps.states.put(entrypoint.name, w.address, w.state)));
      summary.probed += outcomes.length;
      summary.failed += outcomes.filter(([, o]) => !o.passed).length;
      summary.written += round.writes.length;
      summary.changes.push(...round.changes);
      const due = recheckDue(round.writes, entrypoint.fall, deps.fastIntervalSeconds);
      if (due) summary.rechecks.push({ entrypoint: entrypoint.name, ...due });
    }),
  );
  // After the states are stored: DnsFailover, started by the event, reads them.
  if (summary.changes.length > 0) await deps.publish(summary.changes);
  return summary;
}

/** Probes the addresses in parallel (each bounded by the check's timeout); a probe that throws is a failed check. */
export function probeAll(probe: TargetProbe, check: ActiveCheck, targets: readonly { address: string }[]): Promise<(readonly [string, ProbeOutcome])[]> {
  return Promise.all(
    targets.map(async ({ address }) => {
      try {
        const r = await probe.probe({ address, check });
        return [address, { passed: r.passed, detail: r.detail }] as const;
      } catch (err) {
        return [address, { passed: false, detail: `probe failed: ${(err as Error).message}` }] as const;
      }
    }),
  );
}
