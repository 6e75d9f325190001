import { InvalidInputError } from '../../runtime/errors.js';
import { LEAVING_STATES, SPOT_INTERRUPTION_WARNING, STATE_CHANGE_NOTIFICATION } from '../healing/ec2-events/types.js';
import { HEAL_DETAIL_TYPES, HEAL_SOURCE } from '../healing/heal-events.js';
import { DNS_DETAIL_TYPES, DNS_SOURCE } from './failover-events.js';

/** What one DnsFailover execution does: which entrypoints, why, and what the triggering event announced. */
export interface DnsRunPlan {
  entrypoints: string[];
  /** Why the run started, for the audit log ("EC2 Spot Instance Interruption Warning for i-0abc"). */
  reason: string;
  /** Nodes the triggering event announced as going away, with why. */
  announcedNodes: Record<string, string>;
  /** EC2 instances the triggering event announced as going away, with why (their Node is found by providerID). */
  announcedInstances: Record<string, string>;
}

const MANUAL_FIELDS = new Set(['entrypoints', 'reason']);

/**
 * The plan of one run from its input: a person's `{ entrypoints?, reason? }` (every entrypoint when absent), or the
 * EventBridge event a rule delivered as it is. An event that announces a node going away (a spot warning, an
 * instance leaving, a heal started) names it; every other trigger only says why the run started, since the run reads
 * the Nodes and check states itself. Bad input throws InvalidInputError naming the field.
 */
export function planDnsRun(input: unknown, configured: readonly string[]): DnsRunPlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidInputError('the input must be a JSON object');
  const o = input as Record<string, unknown>;
  if ('detail-type' in o || 'source' in o) return fromEvent(o, configured);
  for (const key of Object.keys(o)) {
    if (!MANUAL_FIELDS.has(key)) throw new InvalidInputError(`"${key}" is not a field of dns-failover's input; allowed: entrypoints, reason`);
  }
  const none = { announcedNodes: {}, announcedInstances: {} };
  const reason = o.reason === undefined ? 'started by hand' : o.reason;
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > 500) throw new InvalidInputError('"reason" must be a string of 1 to 500 characters');
  if (o.entrypoints === undefined) return { entrypoints: [...configured], reason, ...none };
  if (!Array.isArray(o.entrypoints) || o.entrypoints.length === 0) throw new InvalidInputError('"entrypoints" must be a non-empty list of entrypoint names');
  for (const name of o.entrypoints) {
    if (typeof name !== 'string' || !configured.includes(name)) {
      throw new InvalidInputError(`"entrypoints": ${JSON.stringify(name)} is not an entrypoint of the config; entrypoints: ${configured.join(', ') || 'none'}`);
    }
  }
  return { entrypoints: [...new Set(o.entrypoints as string[])], reason, ...none };
}

function fromEvent(event: Record<string, unknown>, configured: readonly string[]): DnsRunPlan {
  const source = event.source;
  const detailType = event['detail-type'];
  if (typeof source !== 'string' || typeof detailType !== 'string')
    throw new InvalidInputError('"source" and "detail-type" must be strings in an EventBridge event');
  const detail = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as Record<string, unknown>;
  const all = { entrypoints: [...configured], announcedNodes: {}, announcedInstances: {} };
  const field = (name: string): string => {
    const value = detail[name];
    if (typeof value !== 'string' || value === '') throw new InvalidInputError(`"detail.${name}" must be a non-empty string in a ${detailType} event`);
    return value;
  };
  if (source === 'aws.ec2' && detailType === SPOT_INTERRUPTION_WARNING) {
    const id = field('instance-id');
    const why = `spot interruption warning (${String(detail['instance-action'] ?? 'terminate')})`;
    return { ...all, reason: `${detailType} for ${id}`, announcedInstances: { [id]: why } };
  }
  if (source === 'aws.ec2' && detailType === STATE_CHANGE_NOTIFICATION) {
    const id = field('instance-id');
    const state = field('state');
    const leaving = (LEAVING_STATES as readonly string[]).includes(state);
    return { ...all, reason: `instance ${id} is ${state}`, announcedInstances: leaving ? { [id]: `instance ${state}` } : {} };
  }
  if (source === HEAL_SOURCE && detailType === HEAL_DETAIL_TYPES.started) {
    const node = field('nodeName');
    return { ...all, reason: `heal of ${node} started`, announcedNodes: { [node]: 'heal started' } };
  }
  if (source === DNS_SOURCE && detailType === DNS_DETAIL_TYPES.targetHealthChanged) {
    const entrypoint = field('entrypoint');
    const address = field('address');
    // A check-state change for an entrypoint since removed from the config changes nothing.
    const entrypoints = configured.includes(entrypoint) ? [entrypoint] : [];
    return { ...all, entrypoints, reason: `target ${address} of ${entrypoint} turned ${detail.healthy === true ? 'healthy' : 'unhealthy'}` };
  }
  const node = typeof detail.nodeName === 'string' ? ` (${detail.nodeName})` : '';
  return { ...all, reason: `${detailType}${node}` };
}
