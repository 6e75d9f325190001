import type { KubeObject } from '../../world/types.js';
import type { ObjectCodec } from './catalog.js';

/** Fields that keep their name in both versions. */
const SHARED = ['reason', 'type', 'eventTime', 'series', 'action', 'related', 'reportingInstance'] as const;

/** core/v1 field -> events.k8s.io/v1 field, for the ones that were renamed (kubernetes pkg/apis/events/v1/conversion.go). */
const RENAMED: ReadonlyArray<readonly [string, string]> = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

/**
 * events.k8s.io/v1 field selector labels and the core/v1 ones they select on (kubernetes
 * pkg/apis/events/v1/conversion.go, AddFieldLabelConversionsForEvent); others are refused.
 */
const FIELD_LABELS: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

function convert(obj: KubeObject, apiVersion: string, pairs: ReadonlyArray<readonly [string, string]>): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: obj.metadata };
  for (const field of SHARED) if (obj[field] !== undefined) out[field] = obj[field];
  for (const [from, to] of pairs) if (obj[from] !== undefined) out[to] = obj[from];
  return out;
}

/** The same Event objects in the events.k8s.io/v1 shape: the store keeps core/v1, as etcd does. */
export const EVENTS_V1_CODEC: ObjectCodec = {
  decode: (obj) =>
    convert(
      obj,
      'v1',
      RENAMED.map(([core, events]) => [events, core] as const),
    ),
  encode: (obj) => convert(obj, 'events.k8s.io/v1', RENAMED),
  fieldLabel: (label) => (Object.hasOwn(FIELD_LABELS, label) ? FIELD_LABELS[label] : undefined),
};
