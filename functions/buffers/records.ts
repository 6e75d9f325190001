import type { ShepherdConfig } from '../../config/types.js';
import type { BusEvent, BusPublisher } from '../adapters/events/bus-publisher.js';
import type { DynamoBufferStateStore } from '../adapters/store/buffer-state.js';
import type { DynamoClaimStore } from '../adapters/store/claims.js';
import { backoffAfterFailure, outOfCapacityUntil } from '../decisions/buffer/backoff.js';
import { BUFFER_DETAIL_TYPES } from '../decisions/buffer/events.js';
import { log } from '../runtime/logger.js';
import type { BufferRunPlan } from './run-plan.js';

/** What one nested ProvisionNode or RemoveNode execution came to (the workflow's Map item result). */
export interface StepResult {
  pool: string;
  nodeName?: string;
  /** Nodes the item asked for (growth). */
  count?: number;
  reason?: string;
  ok: boolean;
  /** The nested execution's error and cause (`States.TaskFailed` and DescribeExecution's answer), when it failed. */
  error?: { Error?: string; Cause?: string };
}

export interface RecordDeps {
  claims: DynamoClaimStore;
  state: DynamoBufferStateStore;
  bus: BusPublisher;
}

/** The decision's inputs, in every audit entry and event of the run. */
function inputs(plan: BufferRunPlan) {
  return { trigger: plan.trigger, pendingPods: plan.pendingPods, degradedProviders: plan.degradedProviders };
}

/**
 * After planning: the cluster memory (provider health, unneeded nodes, the scale-up's time) is saved, and a run that
 * adds nothing while pods wait says why, once: "Scale Up Skipped" with the unplaceable pods and each pool's reason.
 */
export async function recordPlan(deps: RecordDeps, plan: BufferRunPlan): Promise<void> {
  await deps.state.saveCluster(plan.memory);
  // A pool back at its min stands in for nothing: a node added to it later is an ordinary node (decisions: standInsEnded).
  for (const pool of plan.standInsEnded ?? []) {
    const { standingInFor: _ended, ...rest } = await deps.state.pool(pool);
    await deps.state.savePool(rest);
  }
  for (const { pool, ...hold } of plan.holds ?? []) {
    const memory = await deps.state.pool(pool);
    const { hold: _previous, ...rest } = memory;
    await deps.state.savePool(hold.size > 0 ? { ...rest, hold } : rest);
    await deps.claims.audit('buffer-target-held', { ...inputs(plan), pool, ...hold });
  }
  // A node only its pods keep (a PDB, nothing to recreate them, no room elsewhere) is audited on every run that
  // removes nothing, so the log says why the buffer does not shrink; a run that removes audits all it kept then.
  if (plan.remove.length === 0)
    for (const kept of plan.scaleDown.kept.filter((k) => k.blocked))
      await deps.claims.audit('buffer-node-kept', { ...inputs(plan), nodeName: kept.node, why: kept.reason });
  const { unplaceable, waiting, skipped } = plan.scaleUp;
  if (plan.grow.length > 0 || (unplaceable.length === 0 && waiting.length === 0)) return;
  const detail = { ...inputs(plan), unplaceable, waiting, skipped };
  await deps.claims.audit('buffer-scale-up-skipped', detail);
  await publish(deps, [{ detailType: BUFFER_DETAIL_TYPES.scaleUpSkipped, detail }]);
}

/**
 * After the nested ProvisionNode runs, per pool: the nodes added (audit + "Scaled Up"), and for a pool whose nodes
 * failed, its memory: a backoff that grows from backoffSeconds to maxBackoffSeconds (Cluster Autoscaler), and for a
 * capacity error its offerings out of capacity for insufficientCapacityCacheSeconds (Karpenter), audited and
 * published as "Scale Up Failed".
 */
export async function recordGrowth(deps: RecordDeps, config: ShepherdConfig, plan: BufferRunPlan, results: StepResult[]) {
  const now = new Date().toISOString();
  const pools = [...new Set(results.map((r) => r.pool))];
  const events: BusEvent[] = [];
  const outcome: Record<string, { added: number; failed: number; backedOffUntil?: string; outOfCapacityUntil?: string }> = {};
  for (const pool of pools) {
    const mine = results.filter((r) => r.pool === pool);
    const nodes = (list: StepResult[]) => list.reduce((n, r) => n + (r.count ?? 1), 0);
    const added = nodes(mine.filter((r) => r.ok));
    const failures = mine.filter((r) => !r.ok);
    const memory = await deps.state.pool(pool);
    const scaleUp = plan.scaleUp.scaleUps.find((s) => s.pool === pool);
    const facts = {
      ...inputs(plan),
      pool,
      requested: nodes(mine),
      added,
      pods: scaleUp?.pods ?? [],
      standingInFor: plan.standingInFor,
      reason: mine[0]?.reason,
      // The fallback's trace: why a pool earlier in the priority order did not take these pods (backed off, out of capacity, at max).
      skipped: plan.scaleUp.skipped,
    };
    outcome[pool] = { added, failed: nodes(failures) };
    if (added > 0) {
      const standingInFor = [...new Set([...(memory.standingInFor ?? []), ...plan.standingInFor])].sort();
      await deps.state.savePool({ ...memory, standingInFor });
      await deps.claims.audit('buffer-scaled-up', facts);
      events.push({ detailType: BUFFER_DETAIL_TYPES.scaledUp, detail: facts });
    }
    if (failures.length > 0) {
      const noCapacity = failures.every((f) => (f.error?.Cause ?? '').includes('InsufficientCapacityError'));
      const latest = await deps.state.pool(pool);
      // Every failed scale-up backs the pool off (Cluster Autoscaler backs off a node group on out-of-resources errors
      // too); a capacity error also marks its offerings out of capacity for the shorter cache (Karpenter).
      const backoff = backoffAfterFailure(latest.backoff, now, config.scaling);
      const next = noCapacity
        ? { ...latest, backoff, outOfCapacityUntil: outOfCapacityUntil(now, config.scaling.insufficientCapacityCacheSeconds) }
        : { ...latest, backoff };
      await deps.state.savePool(next);
      const until = { backedOffUntil: backoff.backedOffUntil, ...(noCapacity ? { outOfCapacityUntil: next.outOfCapacityUntil } : {}) };
      Object.assign(outcome[pool], until);
      const detail = { ...facts, failed: nodes(failures), outOfCapacity: noCapacity, ...until, errors: failures.map((f) => firstSentence(f.error?.Cause)) };
      await deps.claims.audit('buffer-scale-up-failed', detail);
      events.push({ detailType: BUFFER_DETAIL_TYPES.scaleUpFailed, detail });
    }
  }
  await publish(deps, events);
  return { pools: outcome };
}

/** After the nested RemoveNode runs: each node removed is audited (in its history) and published as "Scaled Down". */
export async function recordRemoval(deps: RecordDeps, plan: BufferRunPlan, results: StepResult[]) {
  const events: BusEvent[] = [];
  for (const r of results) {
    const item = plan.remove.find((x) => x.nodeName === r.nodeName);
    const detail = {
      ...inputs(plan),
      pool: r.pool,
      nodeName: r.nodeName,
      removed: r.ok,
      reason: item?.reason,
      ...(r.ok ? {} : { error: firstSentence(r.error?.Cause) }),
    };
    await deps.claims.audit(r.ok ? 'buffer-scaled-down' : 'buffer-scale-down-failed', detail);
    if (r.ok) events.push({ detailType: BUFFER_DETAIL_TYPES.scaledDown, detail });
  }
  for (const kept of plan.scaleDown.kept) await deps.claims.audit('buffer-node-kept', { ...inputs(plan), nodeName: kept.node, why: kept.reason });
  await publish(deps, events);
  return { removed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}

/** Events are the bus's copy of the audit: a failure to publish is logged, never fails the run. */
async function publish(deps: RecordDeps, events: BusEvent[]): Promise<void> {
  if (events.length === 0) return;
  await deps.bus.publish(events).catch((err) => log('warn', 'buffer events not published', { error: (err as Error).message }));
}

/** The nested execution's own cause sentence, from DescribeExecution's answer (no JSON, no secrets). */
function firstSentence(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const described = JSON.parse(cause) as { Cause?: string; cause?: string; Error?: string; error?: string };
    const inner = described.Cause ?? described.cause ?? '';
    const brace = inner.indexOf('{');
    return (brace > 0 ? inner.slice(0, brace) : inner).trim() || (described.Error ?? described.error ?? 'failed');
  } catch {
    const brace = cause.indexOf('{');
    return (brace > 0 ? cause.slice(0, brace) : cause).trim();
  }
}
