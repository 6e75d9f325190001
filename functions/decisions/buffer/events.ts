/**
 * ScaleBuffer's events on the project's bus: one per decision, source `shepherd.buffers`, detail-types in the
 * watcher's "Shepherd <Thing> <Past tense>" style. Each detail carries the decision's inputs (trigger, pending pods,
 * degraded providers), the pool, the count and why; the JSON schemas are in event-schemas.ts (docs/events.md).
 * No zod here: the scale-buffer function bundles this module.
 */
export const BUFFER_SOURCE = 'shepherd.buffers';

export const BUFFER_DETAIL_TYPES = {
  scaledUp: 'Shepherd Buffer Scaled Up',
  scaleUpSkipped: 'Shepherd Buffer Scale Up Skipped',
  scaleUpFailed: 'Shepherd Buffer Scale Up Failed',
  scaledDown: 'Shepherd Buffer Scaled Down',
} as const;

export type BufferEventKind = keyof typeof BUFFER_DETAIL_TYPES;
