import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../watcher/event-types.js';
import { epochMs } from '../time.js';
import { healExecutionName } from './execution-name.js';
import type { OrphanReport, TriggerVerdict } from './types.js';

const TRANSITION_ID = /^[0-9a-f]{32}$/;
/** A Node name is a DNS subdomain: at most 253 characters of lower-case letters, digits, '-' and '.'. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

type Fields = Record<string, unknown>;

/**
 * The HealNode execution a watcher event calls for, or why it calls for none. "Node Went NotReady" starts a heal
 * with `notReadySince` (HealNode waits out healing.unhealthyAfterSeconds from then and leaves a node Ready again
 * alone), unless the Node has not been Ready once since it registered (`neverReady`: still joining); "Node VM Gone" starts one with `vmGone` (HealNode asks the provider before it destroys anything). The
 * execution name comes from the transitionId, so a pass that publishes the same transition again, or a redelivery,
 * collides with the first start. Never throws: a malformed event is named field by field, for the handler to log.
 */
export function healStartForWatcherEvent(event: unknown, cluster: string): TriggerVerdict {
  const problems: string[] = [];
  const envelope = envelopeOf(event, problems);
  if (!envelope) return malformed(problems);
  const { detailType, detail } = envelope;
  if (detailType !== WATCHER_DETAIL_TYPES.nodeNotReady && detailType !== WATCHER_DETAIL_TYPES.nodeVmGone) {
    return { act: false, why: 'not-actionable', reason: `watcher event ${JSON.stringify(detailType.slice(0, 80))} starts no heal` };
  }
  const transitionId = matching(detail, 'transitionId', TRANSITION_ID, '32 hex digits', problems);
  const eventCluster = matching(detail, 'cluster', /^.+$/, 'the cluster name', problems);
  const node = matching(detail, 'node', NODE_NAME, 'a Node name', problems);
  const observedAt = time(detail, 'observedAt', problems);
  const since = detailType === WATCHER_DETAIL_TYPES.nodeNotReady ? time(detail, 'since', problems) : undefined;
  if (problems.length > 0) return malformed(problems);
  if (eventCluster !== cluster) {
    return { act: false, why: 'other-cluster', reason: `the event is about cluster ${JSON.stringify(eventCluster)}, this is ${JSON.stringify(cluster)}` };
  }
  const source = { kind: 'watcher' as const, id: transitionId!, at: observedAt! };
  const name = healExecutionName('watcher', transitionId!);
  if (detailType === WATCHER_DETAIL_TYPES.nodeNotReady) {
    if (detail.neverReady === true) {
      // A Node still joining (kubelet or CNI not ready yet): ProvisionNode waits for it and rolls back at its
      // registration timeout; a heal now would race the provisioning that has not labelled the Node yet.
      const registered = typeof detail.registeredAt === 'string' ? ` (registered ${detail.registeredAt})` : '';
      return {
        act: false,
        why: 'still-joining',
        nodeName: node!,
        reason: `node ${node} has not been Ready since it registered${registered}: a node still joining is its provisioning's to wait for, not a heal`,
      };
    }
    return { act: true, name, input: { nodeName: node!, reason: 'not-ready', notReadySince: since!, source } };
  }
  return { act: true, name, input: { nodeName: node!, reason: 'vm-gone', vmGone: true, source } };
}

/** The orphan a "Shepherd Orphan VM Found" event reports, or the problems that make it unusable. */
export function orphanReportOf(event: unknown, cluster: string): { ok: true; report: OrphanReport } | ({ ok: false } & Exclude<TriggerVerdict, { act: true }>) {
  const problems: string[] = [];
  const envelope = envelopeOf(event, problems);
  if (!envelope) return { ok: false, ...malformed(problems) };
  if (envelope.detailType !== WATCHER_DETAIL_TYPES.orphanVm) {
    return { ok: false, act: false, why: 'not-actionable', reason: `watcher event ${JSON.stringify(envelope.detailType.slice(0, 80))} reports no orphan` };
  }
  const { detail } = envelope;
  const transitionId = matching(detail, 'transitionId', TRANSITION_ID, '32 hex digits', problems);
  const eventCluster = matching(detail, 'cluster', /^.+$/, 'the cluster name', problems);
  const provider = matching(detail, 'provider', /^[a-z0-9-]+$/, 'a provider name', problems);
  const withoutNodeSince = time(detail, 'withoutNodeSince', problems);
  const vm = isObject(detail.vm) ? detail.vm : undefined;
  if (!vm) problems.push(`detail.vm: ${detail.vm === undefined ? 'missing' : 'not an object'}; expected the VM as its provider lists it`);
  const id = vm ? text(vm, 'id', 'detail.vm.', problems) : undefined;
  if (problems.length > 0 || !vm) return { ok: false, ...malformed(problems) };
  if (eventCluster !== cluster) {
    return {
      ok: false,
      act: false,
      why: 'other-cluster',
      reason: `the event is about cluster ${JSON.stringify(eventCluster)}, this is ${JSON.stringify(cluster)}`,
    };
  }
  const optional = (key: string) => (typeof vm[key] === 'string' ? (vm[key] as string) : '');
  return {
    ok: true,
    report: {
      transitionId: transitionId!,
      cluster,
      provider: provider!,
      withoutNodeSince: withoutNodeSince!,
      vm: {
        id: id!,
        name: optional('name'),
        zone: optional('zone'),
        region: optional('region'),
        type: optional('type'),
        ...(optional('providerID') ? { providerID: optional('providerID') } : {}),
        ...(optional('poolId') ? { poolId: optional('poolId') } : {}),
      },
    },
  };
}

function envelopeOf(event: unknown, problems: string[]): { detailType: string; detail: Fields } | undefined {
  if (!isObject(event)) {
    problems.push('(event): not an object; expected an EventBridge event');
    return undefined;
  }
  if (event.source !== WATCHER_SOURCE) problems.push(`source: got ${describe(event.source)}; expected "${WATCHER_SOURCE}"`);
  const detailType = typeof event['detail-type'] === 'string' ? event['detail-type'] : undefined;
  if (!detailType) problems.push(`detail-type: got ${describe(event['detail-type'])}; expected a watcher detail-type`);
  if (!isObject(event.detail)) problems.push(`detail: got ${describe(event.detail)}; expected an object`);
  return problems.length === 0 ? { detailType: detailType!, detail: event.detail as Fields } : undefined;
}

function malformed(problems: string[]): Exclude<TriggerVerdict, { act: true }> {
  return { act: false, why: 'malformed', problems, reason: `malformed watcher event (${problems.length} problem${problems.length === 1 ? '' : 's'}); dropped` };
}

function matching(fields: Fields, key: string, pattern: RegExp, expected: string, problems: string[], prefix = 'detail.'): string | undefined {
  const value = fields[key];
  if (typeof value === 'string' && pattern.test(value)) return value;
  problems.push(`${prefix}${key}: got ${describe(value)}; expected ${expected}`);
  return undefined;
}

function text(fields: Fields, key: string, prefix: string, problems: string[]): string | undefined {
  return matching(fields, key, /^.+$/, 'a non-empty string', problems, prefix);
}

function time(fields: Fields, key: string, problems: string[]): string | undefined {
  const value = fields[key];
  if (typeof value === 'string' && epochMs(value) !== undefined) return value;
  problems.push(`detail.${key}: got ${describe(value)}; expected an ISO 8601 time`);
  return undefined;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
