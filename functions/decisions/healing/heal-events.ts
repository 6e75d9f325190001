/**
 * HealNode's events on the project's bus: one per step, source `shepherd.healing`, detail-types in the watcher's
 * "Shepherd <Thing> <Past tense>" style (functions/decisions/watcher/event-types.ts). Each detail carries nodeName,
 * executionArn, reason and the step's facts; the JSON schemas are in heal-event-schemas.ts (docs/events.md).
 * No zod here: the heal function bundles this module.
 */
export const HEAL_SOURCE = 'shepherd.healing';

export const HEAL_DETAIL_TYPES = {
  started: 'Shepherd Heal Started',
  skipped: 'Shepherd Heal Skipped',
  waiting: 'Shepherd Heal Waiting',
  held: 'Shepherd Heal Held',
  providerDegraded: 'Shepherd Heal Provider Degraded',
  cordoned: 'Shepherd Heal Node Cordoned',
  drained: 'Shepherd Heal Node Drained',
  nodeDeleted: 'Shepherd Heal Node Deleted',
  vmTerminated: 'Shepherd Heal VM Terminated',
  replacementStarted: 'Shepherd Heal Replacement Started',
  succeeded: 'Shepherd Heal Succeeded',
  failed: 'Shepherd Heal Failed',
} as const;

export type HealStep = keyof typeof HEAL_DETAIL_TYPES;

export function isHealStep(step: unknown): step is HealStep {
  return typeof step === 'string' && Object.hasOwn(HEAL_DETAIL_TYPES, step);
}
