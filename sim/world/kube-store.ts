import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { KubeObject } from './types.js';

/** A Kubernetes API error, carried as the `Status` object the API server returns. */
export class KubeStatusError extends Error {
  override readonly name = 'KubeStatusError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** ListMeta the Status carries (410 Expired hands back a continue token). */
    readonly listMeta?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: { ...this.listMeta },
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function isKubeStatusError(err: unknown): err is KubeStatusError {
  return err instanceof KubeStatusError;
}

/** Resources the simulated API server stores, by plural name. */
export interface ResourceInfo {
  plural: string;
  kind: string;
  apiVersion: string;
  namespaced: boolean;
}

export const RESOURCES: Record<string, ResourceInfo> = {
  nodes: { plural: 'nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
  namespaces: { plural: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  pods: { plural: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
  poddisruptionbudgets: { plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', namespaced: true },
  daemonsets: { plural: 'daemonsets', kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true },
  replicasets: { plural: 'replicasets', kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true },
  leases: { plural: 'leases', kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  /** Stored as core/v1 Events; the API server also serves them as events.k8s.io/v1 (servers/kube/event-codec.ts). */
  events: { plural: 'events', kind: 'Event', apiVersion: 'v1', namespaced: true },
  deployments: { plural: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true },
  services: { plural: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true },
};

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type ChangeListener = (resource: string, type: ChangeType, obj: KubeObject) => void;

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface KubeStoreOptions {
  /**
   * How often etcd history is compacted (kube-apiserver `--etcd-compaction-interval`, default 5m); 0 never.
   * Each compaction drops the revisions older than the one the previous compaction saw, so a continue token
   * lives 5 to 10 minutes once the store has been written to.
   */
  compactionIntervalMs: number;
}

/** In-memory object store with resourceVersions, selectors and change listeners. */
export class KubeStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv = 1000;
  private readonly listeners: ChangeListener[] = [];
  /** When each revision was written, in order (for compaction). */
  private readonly writes: Array<{ rv: number; at: number }> = [];
  /** Brings a resource up to date before it is read (state that changes with time alone, such as Lease renewals). */
  private readonly readHooks = new Map<string, () => void>();
  private inReadHook = false;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: KubeStoreOptions = { compactionIntervalMs: 0 },
  ) {
    for (const r of Object.keys(RESOURCES)) this.objects.set(r, new Map());
  }

  /** Whether compaction has removed revision `rv` from etcd's history: a list continued from it is 410 Expired. */
  isCompacted(rv: number): boolean {
    const interval = this.options.compactionIntervalMs;
    if (!interval) return false;
    const ticks = Math.floor(this.clock.elapsed() / interval);
    if (ticks < 1) return false;
    const previousTick = this.clock.now() - this.clock.elapsed() + (ticks - 1) * interval;
    // The first write after `rv` (writes are in revision order): compacted once it is older than the previous tick.
    let lo = 0;
    let hi = this.writes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.writes[mid].rv > rv) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.writes.length && this.writes[lo].at <= previousTick;
  }

  private nextRv(): string {
    this.rv++;
    this.writes.push({ rv: this.rv, at: this.clock.now() });
    return String(this.rv);
  }

  /** Runs `hook` before every read of `resource` (not reentrant: the hook's own reads do not run it again). */
  beforeRead(resource: string, hook: () => void): void {
    this.readHooks.set(resource, hook);
  }

  private refreshForRead(resource: string): void {
    const hook = this.readHooks.get(resource);
    if (!hook || this.inReadHook) return;
    this.inReadHook = true;
    try {
      hook();
    } finally {
      this.inReadHook = false;
    }
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** The latest resourceVersion handed out (for list metadata). */
  currentResourceVersion(): string {
    return String(this.rv);
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    this.refreshForRead(resource);
    const obj = this.table(resource).get(key(namespace, name));
    return obj ? clone(obj) : undefined;
  }

  mustGet(resource: string, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(resource, namespace, name);
    if (!obj) throw notFound(resource, name);
    return obj;
  }

  /** Objects sorted by namespace then name (the API server's etcd key order). */
  list(resource: string, opts: ListOptions = {}): KubeObject[] {
    return this.listShared(resource, opts).map(clone);
  }

  /**
   * What `list` returns without copying: the stored objects themselves, for a reader that copies only the part it
   * keeps (a list page of 500 out of 50,000 pods). The caller must not change them.
   */
  listShared(resource: string, opts: ListOptions = {}): KubeObject[] {
    this.refreshForRead(resource);
    const label = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const field = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector, resource) : undefined;
    const out: KubeObject[] = [];
    for (const obj of this.table(resource).values()) {
      if (opts.namespace && obj.metadata.namespace !== opts.namespace) continue;
      if (label && !label(obj.metadata.labels ?? {})) continue;
      if (field && !field(obj)) continue;
      out.push(obj);
    }
    return out.sort((a, b) => key(a.metadata.namespace, a.metadata.name).localeCompare(key(b.metadata.namespace, b.metadata.name)));
  }

  create(resource: string, input: KubeObject): KubeObject {
    const info = this.info(resource);
    const obj = clone(input);
    obj.apiVersion = info.apiVersion;
    obj.kind = info.kind;
    const name = obj.metadata?.name;
    if (!name) throw new KubeStatusError(422, 'Invalid', `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    if (info.namespaced) obj.metadata.namespace = obj.metadata.namespace ?? 'default';
    else delete obj.metadata.namespace;
    const k = key(obj.metadata.namespace, name);
    if (this.table(resource).has(k)) {
      throw new KubeStatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
    }
    obj.metadata.uid = this.random.uuid();
    obj.metadata.resourceVersion = this.nextRv();
    obj.metadata.creationTimestamp = isoSeconds(this.clock.now());
    obj.metadata.generation = 1;
    this.table(resource).set(k, obj);
    this.emit(resource, 'ADDED', obj);
    return clone(obj);
  }

  /**
   * Replaces an object. When the input carries a resourceVersion it must match the stored one
   * (optimistic concurrency, 409 Conflict otherwise).
   */
  update(resource: string, input: KubeObject): KubeObject {
    const info = this.info(resource);
    const ns = info.namespaced ? (input.metadata.namespace ?? 'default') : undefined;
    const current = this.table(resource).get(key(ns, input.metadata.name));
    if (!current) throw notFound(resource, input.metadata.name);
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw new KubeStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${input.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: input.metadata.name, kind: resource },
      );
    }
    const obj = clone(input);
    obj.apiVersion = info.apiVersion;
    obj.kind = info.kind;
    // Immutable server-set fields survive any update.
    obj.metadata.uid = current.metadata.uid;
    obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
    obj.metadata.namespace = current.metadata.namespace;
    if (!info.namespaced) delete obj.metadata.namespace;
    if (current.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    const specChanged = JSON.stringify(obj.spec) !== JSON.stringify(current.spec);
    obj.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    if (JSON.stringify(withoutRv(obj)) === JSON.stringify(withoutRv(current))) return clone(current);
    obj.metadata.resourceVersion = this.nextRv();
    this.table(resource).set(key(obj.metadata.namespace, obj.metadata.name), obj);
    this.emit(resource, 'MODIFIED', obj);
    return clone(obj);
  }

  /** Read-modify-write without conflicts (for the world's own controllers). */
  mutate(resource: string, namespace: string | undefined, name: string, fn: (obj: KubeObject) => void): KubeObject | undefined {
    const obj = this.get(resource, namespace, name);
    if (!obj) return undefined;
    fn(obj);
    delete obj.metadata.resourceVersion;
    return this.update(resource, obj);
  }

  /** Removes an object for good (the world decides when: graceful deletion lives there). */
  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(namespace, name);
    const obj = this.table(resource).get(k);
    if (!obj) return undefined;
    this.table(resource).delete(k);
    obj.metadata.resourceVersion = this.nextRv();
    this.emit(resource, 'DELETED', obj);
    return clone(obj);
  }

  count(resource: string): number {
    return this.table(resource).size;
  }

  info(resource: string): ResourceInfo {
    const info = RESOURCES[resource];
    if (!info) throw new KubeStatusError(404, 'NotFound', `the server could not find the requested resource (${resource})`);
    return info;
  }

  private table(resource: string): Map<string, KubeObject> {
    const t = this.objects.get(resource);
    if (!t) throw new KubeStatusError(404, 'NotFound', `the server could not find the requested resource (${resource})`);
    return t;
  }

  private emit(resource: string, type: ChangeType, obj: KubeObject): void {
    for (const l of this.listeners) l(resource, type, clone(obj));
  }
}

export function notFound(resource: string, name: string): KubeStatusError {
  const group = RESOURCES[resource]?.apiVersion.includes('/') ? `.${RESOURCES[resource].apiVersion.split('/')[0]}` : '';
  return new KubeStatusError(404, 'NotFound', `${resource}${group} "${name}" not found`, { name, kind: resource });
}

function key(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

function withoutRv(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined, generation: undefined } };
}

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

type LabelPredicate = (labels: Record<string, string>) => boolean;

/**
 * Parses a label selector string: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`,
 * comma-separated (AND). Throws a 400 on syntax it does not understand.
 */
export function parseLabelSelector(selector: string): LabelPredicate {
  const terms = splitTerms(selector);
  const preds: LabelPredicate[] = terms.map((raw) => {
    const t = raw.trim();
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const [, k, op, vals] = m;
      const set = new Set(vals.split(',').map((v) => v.trim()));
      return op === 'in' ? (l) => k in l && set.has(l[k]) : (l) => !(k in l) || !set.has(l[k]);
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(t);
    if (m) {
      const [, k, op, v] = m;
      return op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v;
    }
    m = /^(!?)([\w./-]+)$/.exec(t);
    if (m) {
      const [, neg, k] = m;
      return neg ? (l) => !(k in l) : (l) => k in l;
    }
    throw new KubeStatusError(400, 'BadRequest', `unable to parse requirement: invalid label selector term "${t}"`);
  });
  return (labels) => preds.every((p) => p(labels));
}

function splitTerms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.filter((t) => t.trim() !== '');
}

/** Matches a LabelSelector object (matchLabels + matchExpressions), as in PDBs and workloads. */
export function matchesLabelSelector(
  labels: Record<string, string>,
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

type FieldGetter = (o: KubeObject) => string;

const NAME: FieldGetter = (o) => o.metadata.name;
const NAMESPACE: FieldGetter = (o) => o.metadata.namespace ?? '';

const involved =
  (field: string): FieldGetter =>
  (o) =>
    String((o.involvedObject as Record<string, unknown> | undefined)?.[field] ?? '');

/**
 * An Event's selectable fields, as kube-apiserver's event registry builds them (kubernetes
 * pkg/registry/core/event/strategy.go, ToSelectableFields; pkg/apis/core/v1/conversion.go admits the
 * same labels): `source` is source.component, or reportingController when that is empty.
 */
const EVENT_FIELDS: Record<string, FieldGetter> = {
  'metadata.name': NAME,
  'metadata.namespace': NAMESPACE,
  'involvedObject.kind': involved('kind'),
  'involvedObject.namespace': involved('namespace'),
  'involvedObject.name': involved('name'),
  'involvedObject.uid': involved('uid'),
  'involvedObject.apiVersion': involved('apiVersion'),
  'involvedObject.resourceVersion': involved('resourceVersion'),
  'involvedObject.fieldPath': involved('fieldPath'),
  reason: (o) => String(o.reason ?? ''),
  reportingComponent: (o) => String(o.reportingComponent ?? ''),
  source: (o) => String((o.source as { component?: string } | undefined)?.component || o.reportingComponent || ''),
  type: (o) => String(o.type ?? ''),
};

/**
 * The fields each resource may be selected on, as the API server's field label conversions allow
 * (kubernetes pkg/apis/core/v1/conversion.go, pkg/apis/apps/v1/conversion.go; other kinds get
 * runtime.DefaultMetaV1FieldSelectorConversion: metadata.name and metadata.namespace). Cluster-scoped
 * Nodes and Namespaces do not take metadata.namespace.
 */
const SELECTABLE_FIELDS: Record<string, Record<string, FieldGetter>> = {
  nodes: { 'metadata.name': NAME, 'spec.unschedulable': (o) => String(Boolean(o.spec?.unschedulable)) },
  namespaces: { 'metadata.name': NAME, 'status.phase': (o) => o.status?.phase ?? '' },
  pods: {
    'metadata.name': NAME,
    'metadata.namespace': NAMESPACE,
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    // Old v1 clients send spec.host; the server reads it as spec.nodeName.
    'spec.host': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? 'default-scheduler',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(Boolean(o.spec?.hostNetwork)),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.podIPs': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  replicasets: { 'metadata.name': NAME, 'metadata.namespace': NAMESPACE, 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
  events: EVENT_FIELDS,
};

const DEFAULT_FIELDS: Record<string, FieldGetter> = { 'metadata.name': NAME, 'metadata.namespace': NAMESPACE };

/**
 * Parses a field selector (`f=v`, `f==v`, `f!=v`, comma-separated AND) for `resource`. A field the
 * resource cannot be selected on is a 400, with the API server's message `field label not supported: <f>`.
 */
export function parseFieldSelector(selector: string, resource: string): (obj: KubeObject) => boolean {
  const fields = SELECTABLE_FIELDS[resource] ?? DEFAULT_FIELDS;
  const preds = splitTerms(selector).map((raw) => {
    const m = /^\s*([\w.]+)\s*(==|=|!=)\s*([^,]*)\s*$/.exec(raw);
    if (!m) throw new KubeStatusError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${raw.trim()}'`);
    const [, field, op, value] = m;
    const get = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (!get) throw new KubeStatusError(400, 'BadRequest', `field label not supported: ${field}`);
    return (o: KubeObject) => (op === '!=' ? get(o) !== value : get(o) === value);
  });
  return (o) => preds.every((p) => p(o));
}
