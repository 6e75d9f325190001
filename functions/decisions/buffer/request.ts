import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../watcher/event-types.js';
import type { PoolTarget } from './targets.js';

/** What started a ScaleBuffer run, read from its input. */
export type ScaleBufferRequest =
  | { trigger: 'pods-unschedulable'; eventId: string; observedAt: string }
  | { trigger: 'provider-degraded' | 'provider-recovered'; eventId: string; observedAt: string; provider: string; region?: string }
  | { trigger: 'reconcile' }
  /** `holdMinutes`: how long each target stays a floor that automatic scale-down keeps (MANUAL_HOLD_MINUTES). */
  | { trigger: 'manual'; targets: PoolTarget[]; reason?: string; holdMinutes: number };

/** How long a manual target holds by default, and at most (a day: a longer floor belongs in the pool's min). */
export const MANUAL_HOLD_MINUTES = { default: 60, max: 1440 } as const;

export class InvalidScaleBufferInputError extends Error {
  override readonly name = 'InvalidScaleBufferInputError';
}

export function isInvalidScaleBufferInputError(err: unknown): err is InvalidScaleBufferInputError {
  return err instanceof Error && err.name === 'InvalidScaleBufferInputError';
}

const ALLOWED =
  'a watcher event (Pods Became Unschedulable, Provider Degraded, Provider Recovered) as EventBridge delivers it, "trigger": "reconcile", or "targets": an object of pool name to size';

type Json = Record<string, unknown>;

/** The fields of a reconcile's or a manual start's input (a watcher event is read as EventBridge delivers it). */
const INPUT_FIELDS = ['trigger', 'targets', 'reason', 'holdMinutes'];

/**
 * Reads ScaleBuffer's input: the watcher's event as an EventBridge rule delivers it (the envelope, its detail-type
 * and detail), the periodic reconcile's `{ "trigger": "reconcile" }`, or a manual start's `{ "targets": { "<pool>":
 * <size> }, "reason"? }`. Anything else is refused with one sentence naming what is wrong and what is allowed (the
 * Fail-cause convention: no braces in it, so the message quotes no input).
 */
export function readScaleBufferRequest(input: unknown): ScaleBufferRequest {
  if (!isObject(input)) throw invalid('the input is not a JSON object');
  if (input.source !== undefined || input['detail-type'] !== undefined) return fromEvent(input);
  const unknown = Object.keys(input).find((key) => !INPUT_FIELDS.includes(key));
  if (unknown !== undefined)
    throw new InvalidScaleBufferInputError(
      `ScaleBuffer refused its input: ${quote(unknown)} is not a field of scale-buffer's input; allowed: ${INPUT_FIELDS.join(', ')} (or a watcher event).`,
    );
  if (input.trigger === 'reconcile') {
    const extra = INPUT_FIELDS.filter((f) => f !== 'trigger' && input[f] !== undefined);
    if (extra.length > 0)
      throw invalid(
        `a reconcile takes no ${extra.join(' or ')}: it plans from the cluster alone, so ${extra.length === 1 ? 'that field' : 'those fields'} would be ignored; to set pool sizes, give targets without a trigger`,
      );
    return { trigger: 'reconcile' };
  }
  if (input.trigger !== undefined)
    throw invalid(typeof input.trigger === 'string' ? `the trigger ${quote(input.trigger)} is unknown` : 'the trigger is not a string');
  if (input.targets !== undefined) return fromTargets(input);
  throw invalid(typeof input.trigger === 'string' ? `the trigger ${quote(input.trigger)} is unknown` : 'the input names no trigger');
}

function fromEvent(event: Json): ScaleBufferRequest {
  if (event.source !== WATCHER_SOURCE) throw invalid(`the event source ${quote(event.source)} is not ${WATCHER_SOURCE}`);
  const detail = event.detail;
  if (!isObject(detail) || typeof detail.transitionId !== 'string' || typeof detail.observedAt !== 'string')
    throw invalid('the event detail lacks transitionId or observedAt');
  const base = { eventId: detail.transitionId, observedAt: detail.observedAt };
  switch (event['detail-type']) {
    case WATCHER_DETAIL_TYPES.podsUnschedulable:
      return { trigger: 'pods-unschedulable', ...base };
    case WATCHER_DETAIL_TYPES.providerDegraded:
    case WATCHER_DETAIL_TYPES.providerRecovered: {
      if (typeof detail.provider !== 'string' || detail.provider === '') throw invalid('the provider event names no provider');
      const trigger = event['detail-type'] === WATCHER_DETAIL_TYPES.providerDegraded ? 'provider-degraded' : 'provider-recovered';
      return { trigger, ...base, provider: detail.provider, ...(typeof detail.region === 'string' ? { region: detail.region } : {}) };
    }
    default:
      throw invalid(`the event detail-type ${quote(event['detail-type'])} is not one ScaleBuffer acts on`);
  }
}

function fromTargets(input: Json): ScaleBufferRequest {
  const targets = input.targets;
  if (!isObject(targets) || Object.keys(targets).length === 0) throw invalid('targets is not an object of at least one pool name to size');
  const bad = Object.entries(targets).filter(([, size]) => typeof size !== 'number' || !Number.isInteger(size) || size < 0);
  if (bad.length > 0)
    throw invalid(`targets ${bad.map(([pool]) => quote(pool)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a whole number of nodes, 0 or more`);
  if (input.reason !== undefined && typeof input.reason !== 'string') throw invalid('reason is not a string');
  const hold = input.holdMinutes ?? MANUAL_HOLD_MINUTES.default;
  if (typeof hold !== 'number' || !Number.isInteger(hold) || hold < 0 || hold > MANUAL_HOLD_MINUTES.max)
    throw invalid(`holdMinutes is not a whole number of minutes from 0 (no hold) to ${MANUAL_HOLD_MINUTES.max}`);
  return {
    trigger: 'manual',
    targets: Object.entries(targets).map(([pool, size]) => ({ pool, size: size as number })),
    ...(typeof input.reason === 'string' ? { reason: input.reason } : {}),
    holdMinutes: hold,
  };
}

/**
 * The execution name for a triggered run: the same watcher transition (EventBridge delivers at least once; a pass
 * that crashed publishes it again) gives the same name, so Step Functions starts it once. At most 80 characters.
 */
export function scaleBufferExecutionName(request: ScaleBufferRequest): string | undefined {
  if (request.trigger === 'reconcile' || request.trigger === 'manual') return undefined;
  return `${request.trigger}-${request.eventId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
}

function invalid(problem: string): InvalidScaleBufferInputError {
  return new InvalidScaleBufferInputError(`ScaleBuffer refused its input: ${problem}. Allowed: ${ALLOWED}.`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short quoted rendering of a value from the input, never more than 40 characters and never with braces. */
function quote(v: unknown): string {
  const text = typeof v === 'string' ? v : typeof v;
  return `"${text.replace(/[{}]/g, '').slice(0, 40)}"`;
}
