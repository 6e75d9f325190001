import type { BusEvent } from '../adapters/events/bus-publisher.js';
import type { OrphanTermination, OrphanTerminationStore } from '../adapters/store/orphan-terminations.js';
import { type CountedClaim, type OrphanFacts, orphanConfirmation } from '../decisions/healing/triggers/orphan-confirmation.js';
import type { OrphanVerdict } from '../decisions/healing/triggers/types.js';
import { orphanReportOf } from '../decisions/healing/triggers/watcher-trigger.js';
import type { PauseSwitch } from '../decisions/healing/types.js';
import type { VmRef } from '../decisions/provision.js';
import { vmView } from '../decisions/watcher/transitions.js';
import type { NodeObservation } from '../decisions/watcher/types.js';
import { isSecretValueError } from '../runtime/errors.js';
import type { LogLevel } from '../runtime/logger.js';
import { ORPHAN_COLLECTOR_TIMEOUT_SECONDS } from './constants.js';

/** The source of the bus events of healing (shared with HealNode's). */
export const HEALING_SOURCE = 'shepherd.healing';
export const ORPHAN_TERMINATED = 'Shepherd Orphan VM Terminated';

export interface OrphanDeps {
  pause(): Promise<PauseSwitch>;
  nodes(): Promise<NodeObservation[]>;
  listOwned(provider: string): Promise<VmRef[]>;
  /** The claims the provider's pools count now. */
  claims(provider: string): Promise<CountedClaim[]>;
  terminate(provider: string, vm: VmRef): Promise<string[]>;
  /** The orphans this collector took on, so that a redelivered event terminates and audits nothing twice. */
  terminations: OrphanTerminationStore;
  publish(events: readonly BusEvent[]): Promise<number>;
  audit(event: string, detail: Record<string, unknown>): Promise<void>;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

export type OrphanOutcome =
  | { outcome: 'dropped'; reason: string }
  /** Another delivery of the event terminated the VM already, or is terminating it now: nothing done, nothing audited. */
  | { outcome: 'duplicate'; reason: string }
  | (OrphanVerdict & { terminated?: string[] });

/**
 * One "Shepherd Orphan VM Found" event: confirm it with everything it depends on (orphanConfirmation), then terminate
 * the VM through its provider's function, audit it and publish "Shepherd Orphan VM Terminated". The termination is
 * remembered in the table (orphan-terminations.ts): a redelivered event finds it and does nothing. A malformed event is
 * logged and dropped. Errors reading the pause switch or the claims, or terminating, are thrown (the caller rethrows
 * transient ones for EventBridge to deliver the event again); the cluster API and the provider list failing are facts
 * that keep the VM.
 */
export async function collectOrphan(event: unknown, deps: OrphanDeps, cluster: string, now: string): Promise<OrphanOutcome> {
  const parsed = orphanReportOf(event, cluster);
  if (!parsed.ok) {
    deps.log(parsed.why === 'malformed' ? 'warn' : 'info', 'orphan event dropped', {
      reason: parsed.reason,
      ...(parsed.why === 'malformed' ? { problems: parsed.problems } : {}),
    });
    return { outcome: 'dropped', reason: parsed.reason };
  }
  const { report } = parsed;
  const vmKey = report.vm.id || report.vm.name;
  const handled = handledAlready(await deps.terminations.read(report.provider, vmKey), now);
  if (handled) return duplicate(deps, report, handled);
  const [pause, cluster_, provider, claims] = await Promise.all([
    deps.pause(),
    observe(() => deps.nodes()),
    observe(() => deps.listOwned(report.provider)),
    deps.claims(report.provider),
  ]);
  const facts: OrphanFacts = {
    pause,
    claims,
    ...(cluster_.ok ? { nodes: cluster_.value } : { apiError: cluster_.error }),
    ...(provider.ok ? { listed: provider.value } : { providerError: provider.error }),
  };
  const verdict = orphanConfirmation(report, facts);
  const about = { provider: report.provider, vmId: report.vm.id, transitionId: report.transitionId, withoutNodeSince: report.withoutNodeSince };
  if (verdict.verdict === 'keep') {
    deps.log('info', 'orphan kept', { ...about, why: verdict.why, reason: verdict.reason });
    await deps.audit('orphan.kept', { ...about, why: verdict.why, reason: verdict.reason });
    return verdict;
  }
  const begun = await deps.terminations.begin(report.provider, vmKey, report.transitionId, ORPHAN_COLLECTOR_TIMEOUT_SECONDS);
  if (!begun.begun) return duplicate(deps, report, handledAlready(begun.current, now) ?? 'another delivery of the event took it on');
  let terminated: string[];
  try {
    terminated = await deps.terminate(report.provider, verdict.vm);
    deps.log('info', 'orphan terminated', { ...about, reason: verdict.reason, terminated });
    await deps.audit('orphan.terminated', { ...about, reason: verdict.reason, terminated });
    await deps.publish([
      {
        detailType: ORPHAN_TERMINATED,
        detail: { cluster, ...about, vm: vmView(verdict.vm), reason: verdict.reason, terminatedAt: now },
        ...(verdict.vm.providerID ? { resources: [verdict.vm.providerID] } : {}),
      },
    ]);
  } catch (err) {
    // The next delivery (EventBridge retries a transient fault) takes it on at once; terminating again is harmless.
    await deps.terminations.release(report.provider, vmKey).catch((e) => deps.log('warn', 'could not release the orphan', { ...about, error: String(e) }));
    throw err;
  }
  await deps.terminations.finish(report.provider, vmKey);
  return { ...verdict, terminated };
}

/** Why the orphan needs nothing more: terminated already, or being terminated by a delivery whose lease holds. */
function handledAlready(record: OrphanTermination | undefined, now: string): string | undefined {
  if (record?.status === 'terminated') return `terminated at ${record.terminatedAt} (event ${record.transitionId})`;
  if (record?.status === 'terminating' && record.leaseUntil * 1000 > Date.parse(now)) {
    return `being terminated since ${record.startedAt} by another delivery of event ${record.transitionId}`;
  }
  return undefined;
}

/** A redelivery: logged, not audited (the audit log has one entry per orphan). */
function duplicate(deps: OrphanDeps, report: { provider: string; vm: { id: string }; transitionId: string }, why: string): OrphanOutcome {
  const reason = `${report.provider} VM ${report.vm.id}: ${why}; nothing to do`;
  deps.log('info', 'orphan event redelivered', { provider: report.provider, vmId: report.vm.id, transitionId: report.transitionId, reason });
  return { outcome: 'duplicate', reason };
}

async function observe<T>(read: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    // A kubeconfig that cannot be used is a configuration fault, not an unreachable API.
    if (isSecretValueError(err)) throw err;
    const e = err as Error;
    return { ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 300) };
  }
}
