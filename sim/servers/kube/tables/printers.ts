import { podReady, readyStatus } from '../../../world/cluster/status.js';
import type { KubeObject } from '../../../world/types.js';
import { age, humanDuration } from './duration.js';

/** One column of a meta.k8s.io/v1 Table; priority 1 columns show only with `-o wide`. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer';
  format: string;
  description: string;
  priority: 0 | 1;
}

/** The columns kubectl shows for a kind, and how to fill them. */
export interface Printer {
  columns: TableColumn[];
  cells(obj: KubeObject, now: number): Array<string | number>;
}

function col(name: string, description: string, priority: 0 | 1 = 0, type: 'string' | 'integer' = 'string'): TableColumn {
  return { name, type, format: name === 'Name' ? 'name' : '', description, priority };
}

const NAME = col('Name', 'Name of the object, unique within its namespace.');
const AGE = col('Age', 'Time since the object was created.');

const NODE: Printer = {
  columns: [
    NAME,
    col('Status', 'The status of the node.'),
    col('Roles', 'The roles of the node.'),
    AGE,
    col('Version', 'Kubelet version reported by the node.'),
    col('Internal-IP', 'Internal IP addresses of the node.', 1),
    col('External-IP', 'External IP addresses of the node.', 1),
    col('OS-Image', 'OS image reported by the node.', 1),
    col('Kernel-Version', 'Kernel version reported by the node.', 1),
    col('Container-Runtime', 'Container runtime version reported by the node.', 1),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name,
      nodeStatus(node),
      nodeRoles(node.metadata.labels ?? {}),
      age(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** `Ready`, `NotReady` (False or Unknown), `Unknown` without a Ready condition; `,SchedulingDisabled` when cordoned. */
function nodeStatus(node: KubeObject): string {
  const hasReady = node.status?.conditions?.some((c: { type: string }) => c.type === 'Ready');
  const parts = [hasReady ? (readyStatus(node) === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles come from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` value. */
function nodeRoles(labels: Record<string, string>): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  return node.status?.addresses?.find((a: { type: string }) => a.type === type)?.address ?? '<none>';
}

const POD: Printer = {
  columns: [
    NAME,
    col('Ready', 'Ready containers out of all containers.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'Container restarts, summed over the pod.'),
    AGE,
    col('IP', 'IP address allocated to the pod.', 1),
    col('Node', 'Node the pod is bound to.', 1),
    col('Nominated Node', 'Node nominated for the pod by preemption.', 1),
    col('Readiness Gates', 'Readiness gates that hold.', 1),
  ],
  cells(pod, now) {
    const containers: unknown[] = pod.spec?.containers ?? [];
    const statuses: Array<{ ready?: boolean; restartCount?: number }> | undefined = pod.status?.containerStatuses;
    const ready = statuses ? statuses.filter((s) => s.ready).length : podReady(pod) ? containers.length : 0;
    const restarts = (statuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
    const gates: Array<{ conditionType: string }> = pod.spec?.readinessGates ?? [];
    const gatesMet = gates.filter((g) =>
      pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === g.conditionType && c.status === 'True'),
    );
    return [
      pod.metadata.name,
      `${ready}/${containers.length}`,
      podStatus(pod),
      String(restarts),
      age(pod.metadata.creationTimestamp, now),
      pod.status?.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      gates.length ? `${gatesMet.length}/${gates.length}` : '<none>',
    ];
  },
};

function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return pod.status?.reason || pod.status?.phase || 'Unknown';
}

const NAMESPACE: Printer = {
  columns: [NAME, col('Status', 'The phase of the namespace.'), AGE],
  cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', age(ns.metadata.creationTimestamp, now)],
};

const CONTAINERS = col('Containers', 'Names of the containers in the pod template.', 1);
const IMAGES = col('Images', 'Images of the containers in the pod template.', 1);
const SELECTOR = col('Selector', 'Label selector of the pods.', 1);

function templateColumns(obj: KubeObject): string[] {
  const containers: Array<{ name: string; image?: string }> = obj.spec?.template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(','), selectorString(obj.spec?.selector)];
}

const REPLICA_SET: Printer = {
  columns: [
    NAME,
    col('Desired', 'Number of desired pods.', 0, 'integer'),
    col('Current', 'Number of pods created.', 0, 'integer'),
    col('Ready', 'Number of ready pods.', 0, 'integer'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells: (rs, now) => [
    rs.metadata.name,
    rs.spec?.replicas ?? 1,
    rs.status?.replicas ?? 0,
    rs.status?.readyReplicas ?? 0,
    age(rs.metadata.creationTimestamp, now),
    ...templateColumns(rs),
  ],
};

const DAEMON_SET: Printer = {
  columns: [
    NAME,
    col('Desired', 'Number of nodes that should run the daemon pod.', 0, 'integer'),
    col('Current', 'Number of nodes running at least one daemon pod.', 0, 'integer'),
    col('Ready', 'Number of nodes with a ready daemon pod.', 0, 'integer'),
    col('Up-to-date', 'Number of nodes running the updated daemon pod.', 0, 'integer'),
    col('Available', 'Number of nodes with an available daemon pod.', 0, 'integer'),
    col('Node Selector', 'Node selector of the pod template.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells: (ds, now) => {
    const s = ds.status ?? {};
    const nodeSelector = Object.entries((ds.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return [
      ds.metadata.name,
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      s.updatedNumberScheduled ?? s.currentNumberScheduled ?? 0,
      s.numberAvailable ?? s.numberReady ?? 0,
      nodeSelector || '<none>',
      age(ds.metadata.creationTimestamp, now),
      ...templateColumns(ds),
    ];
  },
};

const POD_DISRUPTION_BUDGET: Printer = {
  columns: [
    NAME,
    col('Min Available', 'Pods that must stay available.'),
    col('Max Unavailable', 'Pods that may be unavailable.'),
    col('Allowed Disruptions', 'Evictions allowed right now.', 0, 'integer'),
    AGE,
  ],
  cells: (pdb, now) => [
    pdb.metadata.name,
    pdb.spec?.minAvailable !== undefined ? String(pdb.spec.minAvailable) : 'N/A',
    pdb.spec?.maxUnavailable !== undefined ? String(pdb.spec.maxUnavailable) : 'N/A',
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb.metadata.creationTimestamp, now),
  ],
};

/** kubectl's Lease columns (pkg/printers/internalversion printers.go: Name, Holder, Age). */
const LEASE: Printer = {
  columns: [NAME, col('Holder', 'The holder of the lease.'), AGE],
  cells: (lease, now) => [lease.metadata.name, lease.spec?.holderIdentity ?? '', age(lease.metadata.creationTimestamp, now)],
};

const DEPLOYMENT: Printer = {
  columns: [
    NAME,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, 'integer'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, 'integer'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells: (d, now) => [
    d.metadata.name,
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
    d.status?.updatedReplicas ?? 0,
    d.status?.availableReplicas ?? 0,
    age(d.metadata.creationTimestamp, now),
    ...templateColumns(d),
  ],
};

/** kubectl's Service columns (pkg/printers/internalversion printers.go, printService). */
const SERVICE: Printer = {
  columns: [
    NAME,
    col('Type', 'Determines how the Service is exposed.'),
    col('Cluster-IP', 'The IP address of the service, assigned by the master.'),
    col('External-IP', 'The list of external IP addresses of the service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE,
    col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells: (svc, now) => {
    const ports: Array<{ port: number; protocol?: string; nodePort?: number }> = svc.spec?.ports ?? [];
    const selector = Object.entries((svc.spec?.selector ?? {}) as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',');
    const external: string[] = [
      ...(svc.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string; hostname?: string }) => i.ip ?? i.hostname ?? ''),
      ...(svc.spec?.externalIPs ?? []),
    ];
    return [
      svc.metadata.name,
      svc.spec?.type ?? 'ClusterIP',
      svc.spec?.clusterIP || '<none>',
      external.length ? external.join(',') : svc.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>',
      ports.length ? ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') : '<none>',
      age(svc.metadata.creationTimestamp, now),
      selector || '<none>',
    ];
  },
};

/** kubectl's Event columns (pkg/printers/internalversion printers.go, printEvent): the server fills the wide ones too. */
const EVENT: Printer = {
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'The object that this event is about.'),
    col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'The number of times this event has occurred.', 1),
    { ...col('Name', 'Name must be unique within a namespace.', 1), format: 'name' },
  ],
  cells: (ev, now) => {
    const since = (t: unknown) => (typeof t === 'string' && t ? humanDuration(now - Date.parse(t)) : '<unknown>');
    const series = ev.series as { count?: number; lastObservedTime?: string } | undefined;
    const first = ev.firstTimestamp ? since(ev.firstTimestamp) : since(ev.eventTime);
    const last = series ? since(series.lastObservedTime) : ev.lastTimestamp ? since(ev.lastTimestamp) : first;
    const count = series ? (series.count ?? 0) : Number(ev.count ?? 0) || 1;
    const involved = (ev.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
    const kind = (involved.kind ?? '').toLowerCase();
    const source = (ev.source ?? {}) as { component?: string; host?: string };
    const component = source.component || String(ev.reportingComponent ?? '');
    const instance = source.host || String(ev.reportingInstance ?? '');
    return [
      last,
      String(ev.type ?? ''),
      String(ev.reason ?? ''),
      involved.name ? `${kind}/${involved.name}` : kind,
      involved.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      String(ev.message ?? '').trim(),
      first,
      count,
      ev.metadata.name,
    ];
  },
};

export const PRINTERS: Record<string, Printer> = {
  deployments: DEPLOYMENT,
  services: SERVICE,
  events: EVENT,
  nodes: NODE,
  pods: POD,
  namespaces: NAMESPACE,
  replicasets: REPLICA_SET,
  daemonsets: DAEMON_SET,
  poddisruptionbudgets: POD_DISRUPTION_BUDGET,
  leases: LEASE,
};

/** A LabelSelector object in its string form (`app=web,tier in (a,b)`), `<none>` when empty. */
export function selectorString(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.length ? terms.sort().join(',') : '<none>';
}
