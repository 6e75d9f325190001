import type { BufferClusterMemory } from '../../adapters/store/buffer-state.js';

/** What the scheduled reconcile does after planning as the workflow's plan step would. */
export type ReconcileDecision =
  | { start: false; why: string }
  /** Start one ScaleBuffer execution with this name; the execution plans again under its leases. */
  | { start: true; name: string; why: string };

/**
 * The reconcile starts a (Standard, ~44 transitions) ScaleBuffer execution only when its plan would add or remove
 * something; the name is the schedule's period (the event's time to the minute), so a delivery EventBridge repeats
 * starts nothing: Step Functions refuses a second execution of that name.
 */
export function reconcileDecision(plan: { grow: { count: number }[]; remove: unknown[] }, scheduledAt: string): ReconcileDecision {
  const adds = plan.grow.reduce((n, g) => n + g.count, 0);
  const removes = plan.remove.length;
  if (adds === 0 && removes === 0) return { start: false, why: 'nothing to add or remove' };
  return { start: true, name: reconcileExecutionName(scheduledAt), why: `the plan adds ${adds} and removes ${removes} node(s)` };
}

/** `reconcile-20261130T2010`: the scheduled time to the minute (one schedule period is at least a minute). */
export function reconcileExecutionName(scheduledAt: string): string {
  const at = new Date(scheduledAt);
  const iso = Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString();
  return `reconcile-${iso.slice(0, 16).replace(/[-:]/g, '')}`;
}

/**
 * Whether the reconcile must save the cluster memory although it starts nothing: the set of unneeded nodes and their
 * first-seen times are the scale-down cooldown's clock, which only a saved "since" can run.
 */
export function unneededChanged(before: BufferClusterMemory, after: BufferClusterMemory): boolean {
  const a = before.unneededSince;
  const b = after.unneededSince;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].some((k) => a[k] !== b[k]);
}
