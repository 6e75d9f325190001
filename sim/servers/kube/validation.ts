import { UNHEALTHY_POD_EVICTION_POLICIES } from '../../world/cluster/disruption-budgets.js';
import { matchesLabelSelector } from '../../world/kube-store.js';
import type { KubeObject } from '../../world/types.js';
import type { ApiResource } from './catalog.js';
import { type FieldCause, invalid } from './status.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws 422 Invalid when an object would not pass the API server's validation of its kind (the checks that matter here). */
export function validate(info: ApiResource, obj: KubeObject): void {
  const kindCauses = info.plural === 'events' ? eventCauses(obj, info.group === 'events.k8s.io') : (KIND_CHECKS[info.plural]?.(obj) ?? []);
  const causes: FieldCause[] = [...nameCauses(info, obj.metadata.name), ...kindCauses];
  if (causes.length > 0) throw invalid(info.kind, obj.metadata.name, causes);
}

function nameCauses(info: ApiResource, name: string): FieldCause[] {
  if (!name) return [required('metadata.name', 'name or generateName is required')];
  // Namespace names become DNS labels; other names may be dotted subdomains.
  const label = info.plural === 'namespaces';
  const ok = label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const what = label ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
  return [
    badValue(
      'metadata.name',
      name,
      `${what} must consist of lower case alphanumeric characters${label ? " or '-'" : ", '-' or '.'"}, and must start and end with an alphanumeric character`,
    ),
  ];
}

function required(field: string, detail?: string): FieldCause {
  return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
}

function badValue(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` };
}

function containerCauses(spec: KubeObject['spec'], path: string): FieldCause[] {
  const containers: Array<{ name?: string; image?: string }> | undefined = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${path}.containers`)];
  return containers.flatMap((c, i) => [
    ...(c.name ? [] : [required(`${path}.containers[${i}].name`)]),
    ...(c.image ? [] : [required(`${path}.containers[${i}].image`)]),
  ]);
}

function workloadCauses(obj: KubeObject): FieldCause[] {
  const selector = obj.spec?.selector;
  if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return [required('spec.selector')];
  const labels: Record<string, string> = obj.spec?.template?.metadata?.labels ?? {};
  const causes = containerCauses(obj.spec?.template?.spec, 'spec.template.spec');
  if (!matchesLabelSelector(labels, selector)) causes.push(badValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  return causes;
}

function pdbCauses(pdb: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  if (pdb.spec?.minAvailable !== undefined && pdb.spec?.maxUnavailable !== undefined) {
    causes.push(badValue('spec', pdb.spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  const policy = pdb.spec?.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !(UNHEALTHY_POD_EVICTION_POLICIES as readonly unknown[]).includes(policy)) {
    const supported = UNHEALTHY_POD_EVICTION_POLICIES.map((p) => `"${p}"`).join(', ');
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.unhealthyPodEvictionPolicy',
      message: `Unsupported value: ${JSON.stringify(policy)}: supported values: ${supported}`,
    });
  }
  return causes;
}

/**
 * An Event (stored as core/v1) as kube-apiserver validates it (kubernetes pkg/apis/core/validation/events.go):
 * an Event without eventTime (the core/v1 recorders') must sit in its object's namespace, or in default (or none)
 * for a cluster-scoped object; one with eventTime needs reportingController, reportingInstance, action and reason.
 * Created through events.k8s.io/v1 it must also have eventTime and type Normal or Warning, and no firstTimestamp.
 * Field names are the ones of the version written to.
 */
function eventCauses(ev: KubeObject, eventsV1: boolean): FieldCause[] {
  const causes: FieldCause[] = [];
  const involvedField = eventsV1 ? 'regarding' : 'involvedObject';
  const involvedNs = (ev.involvedObject as { namespace?: string } | undefined)?.namespace ?? '';
  const ns = ev.metadata.namespace ?? '';
  const mismatch = () => badValue(`${involvedField}.namespace`, involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) causes.push(mismatch());
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') causes.push(mismatch());
    const controllerField = eventsV1 ? 'reportingController' : 'reportingComponent';
    if (!ev.reportingComponent) causes.push(required(controllerField));
    if (!ev.reportingInstance) causes.push(required('reportingInstance'));
    if (!ev.action) causes.push(required('action'));
    if (!ev.reason) causes.push(required('reason'));
  }
  if (eventsV1) {
    if (!ev.eventTime) causes.push(required('eventTime'));
    if (ev.type !== 'Normal' && ev.type !== 'Warning') causes.push(badValue('type', '', `has invalid value: ${ev.type ?? ''}`));
    if (ev.firstTimestamp) causes.push(badValue('deprecatedFirstTimestamp', '', 'needs to be unset'));
  }
  return causes;
}

const KIND_CHECKS: Record<string, (obj: KubeObject) => FieldCause[]> = {
  pods: (pod) => containerCauses(pod.spec, 'spec'),
  replicasets: workloadCauses,
  deployments: workloadCauses,
  daemonsets: workloadCauses,
  poddisruptionbudgets: pdbCauses,
  nodes: () => [],
  namespaces: () => [],
  leases: () => [],
};
