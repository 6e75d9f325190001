/**
 * How EventBridge hands one matched event to one rule target. AWS documents no ordering for rule
 * targets and delivery at least once: EventBridge User Guide, "Event delivery from AWS services"
 * (best effort or durable, at least once), "Retrying event delivery" (failed deliveries are retried
 * for up to 24 hours), and "Ordering and deduplicating events" (only FIFO subscribers of a custom
 * bus keep order; an unordered one delivers in parallel). A consumer therefore sees an event late,
 * after a later one, or twice.
 */
export type EventDeliveryMode =
  /** Duplicates, reorders and delays, seeded: what a workflow must survive on AWS (the default). */
  | 'at-least-once'
  /** Each event once, at once, in the order it was put: a kind world for tests about something else. */
  | 'exactly-once';

export interface AtLeastOnceTuning {
  /** Each copy arrives after a delay drawn evenly from [0, maxDelayMs]; events put closer together than this may swap. */
  maxDelayMs: number;
  /** Chance that a target gets a second copy of an event. */
  duplicateChance: number;
  /** A second copy comes after a delay drawn evenly from [0, maxDuplicateDelayMs] (a retry after a lost acknowledgement). */
  maxDuplicateDelayMs: number;
}

export const AT_LEAST_ONCE: AtLeastOnceTuning = { maxDelayMs: 5_000, duplicateChance: 0.1, maxDuplicateDelayMs: 60_000 };

/**
 * When each copy of one event reaches one target, in ms after it was matched; undefined means one
 * copy handed over synchronously (exactly-once). `random` returns floats in [0, 1) from a seeded source.
 */
export function deliveryDelays(mode: EventDeliveryMode, random: () => number, tuning: AtLeastOnceTuning = AT_LEAST_ONCE): number[] | undefined {
  if (mode === 'exactly-once') return undefined;
  const delays = [Math.floor(random() * (tuning.maxDelayMs + 1))];
  if (random() < tuning.duplicateChance) delays.push(Math.floor(random() * (tuning.maxDuplicateDelayMs + 1)));
  return delays;
}
