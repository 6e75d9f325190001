import { createHash } from 'node:crypto';
import { log } from '../../runtime/logger.js';
import type { KubeClient } from './client.js';
import { isKubeApiError } from './errors.js';

/** The component shepherd's Events name as their source (source.component and reportingComponent). */
export const EVENT_SOURCE = 'multicloud-shepherd';

/** Events about cluster-scoped objects live in `default`, where client-go's recorder puts them. */
const EVENTS = '/api/v1/namespaces/default/events';

/** The Node an Event is about. Without its uid the Event carries the name as uid, as the kubelet's do. */
export interface NodeRef {
  name: string;
  uid?: string;
}

export interface NodeEvent {
  /** CamelCase, what happened: `Registered`, `Labelled`, `Cordoned`, `Drained`, `Removed`. */
  reason: string;
  type: 'Normal' | 'Warning';
  /** One sentence, naming the execution. */
  message: string;
}

/** The calls of KubeClient recording an Event makes (a test may pass a fake). */
export type EventCalls = Pick<KubeClient, 'create' | 'get' | 'patch'>;

interface StoredEvent {
  count?: number;
}

/**
 * Records a core/v1 Event on a Node, as Cluster Autoscaler and node health checkers do, so `kubectl describe node`
 * and `kubectl get events` show what shepherd did. The same Event again (same node, reason, type and message)
 * raises its count and lastTimestamp instead of adding one, as client-go's recorder aggregates: its name is derived
 * from them, so a retried step finds it (409 on create, then a patch).
 *
 * Best effort: Events are informative, so a failure is logged and never thrown. Returns whether it was recorded.
 * Needs `create`, `get` and `patch` on `events` in the `default` namespace.
 */
export async function recordNodeEvent(client: EventCalls, node: NodeRef, event: NodeEvent, now: Date = new Date()): Promise<boolean> {
  const uid = node.uid || node.name;
  const name = eventName(node.name, [uid, event.type, event.reason, event.message].join('\n'));
  const timestamp = `${now.toISOString().slice(0, 19)}Z`;
  try {
    try {
      await client.create(EVENTS, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: 'default' },
        involvedObject: { apiVersion: 'v1', kind: 'Node', name: node.name, uid },
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: EVENT_SOURCE },
        reportingComponent: EVENT_SOURCE,
        reportingInstance: '',
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      });
    } catch (err) {
      if (!isKubeApiError(err) || err.status !== 409) throw err;
      const path = `${EVENTS}/${encodeURIComponent(name)}`;
      const current = await client.get<StoredEvent>(path);
      if (!current) throw err;
      await client.patch(path, { count: (current.count ?? 1) + 1, lastTimestamp: timestamp }, 'merge');
    }
    return true;
  } catch (err) {
    const error = err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
    log('warn', 'could not record a Kubernetes event; going on', { nodeName: node.name, reason: event.reason, error });
    return false;
  }
}

/** `<node>.<16 hex digits>`, within the 253 characters of an object name. */
function eventName(nodeName: string, identity: string): string {
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return `${nodeName.slice(0, 253 - 17)}.${hash}`;
}

/** The execution's name (what the console and `shepherd executions` show) from its ARN (`$$.Execution.Id`). */
export function executionName(execution: string | undefined): string {
  if (!execution) return 'an unnamed execution';
  return execution.slice(execution.lastIndexOf(':') + 1);
}
