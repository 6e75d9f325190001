import type { SimRequest, SimResponse } from '../../http.js';
import { KubeStatusError, notFound } from '../../world/kube-store.js';
import type { KubeObject } from '../../world/types.js';
import { isDryRun, objectBody } from './body.js';
import { type ApiResource, groupVersion } from './catalog.js';
import { bodyMediaType } from './negotiation.js';
import { applyPatch } from './patch/index.js';
import type { ParsedResourcePath } from './paths.js';
import { wireForm } from './read.js';
import { badRequest } from './status.js';
import type { KubeEnv } from './types.js';
import { validate } from './validation.js';

/** Characters the API server draws `generateName` suffixes from (no vowels, no look-alikes). */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** POST on a collection. Pods go through the cluster (admission defaults, scheduling); new Nodes get node-lifecycle monitoring. */
export function createObject(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): SimResponse {
  const { info } = rp;
  const obj = storedForm(rp, objectBody(req));
  if (info.namespaced) {
    const ns = rp.namespace as string;
    checkNamespace(obj, ns);
    obj.metadata.namespace = ns;
    if (!env.world.kube.get('namespaces', undefined, ns)) throw notFound('namespaces', ns);
  }
  if (!obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName) {
    obj.metadata.name = `${obj.metadata.generateName}${suffix(env)}`;
  }
  if (obj.metadata.resourceVersion) {
    throw new KubeStatusError(500, 'InternalError', 'Internal error occurred: resourceVersion should not be set on objects to be created');
  }
  prepareForCreate(env, info, obj);
  validate(info, obj);
  if (isDryRun(req)) {
    return { status: 201, body: { ...wireForm(info)(obj), apiVersion: groupVersion(rp.group, rp.version), kind: info.kind } };
  }
  let created: KubeObject;
  if (rp.resource === 'pods') created = env.world.cluster.createPod(obj);
  else {
    created = env.world.kube.create(rp.resource, obj);
    if (rp.resource === 'nodes') env.world.cluster.refreshNode(created.metadata.name);
  }
  return { status: 201, body: wireForm(info)(created) };
}

/** PUT on an object or its status. The object endpoint keeps the stored status, the status endpoint everything else. */
export function updateObject(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): SimResponse {
  const obj = storedForm(rp, objectBody(req));
  if (obj.metadata.name !== rp.name) {
    throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${rp.name})`);
  }
  if (rp.info.namespaced) checkNamespace(obj, rp.namespace as string);
  const current = env.world.kube.mustGet(rp.resource, rp.namespace, rp.name);
  return store(env, req, rp, combine(rp, current, obj));
}

/** PATCH on an object or its status, in any of the three patch types (415 otherwise). */
export function patchObject(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): SimResponse {
  const current = env.world.kube.mustGet(rp.resource, rp.namespace, rp.name as string);
  // A patch applies to the object in the form of the version it was sent to.
  const wire = applyPatch(rp.resource, bodyMediaType(req.headers['content-type']), wireForm(rp.info)(current), req.text());
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire) || typeof wire.metadata !== 'object' || wire.metadata === null) {
    throw badRequest('the patch did not produce an object with metadata');
  }
  const patched = rp.info.codec ? rp.info.codec.decode(wire) : wire;
  if (patched.metadata.name !== current.metadata.name) {
    throw badRequest(`the name of the object (${patched.metadata.name ?? ''}) does not match the name on the URL (${rp.name})`);
  }
  if (rp.info.namespaced) checkNamespace(patched, rp.namespace as string);
  return store(env, req, rp, combine(rp, current, patched));
}

/**
 * The object to store: a write to the object never changes status; a write to status changes
 * nothing else. The namespace is the URL's (a body may leave it out).
 */
function combine(rp: ParsedResourcePath, current: KubeObject, incoming: KubeObject): KubeObject {
  if (rp.subresource === 'status') {
    return { ...current, status: incoming.status, metadata: { ...current.metadata, resourceVersion: incoming.metadata.resourceVersion } };
  }
  const next: KubeObject = { ...incoming, metadata: { ...incoming.metadata, namespace: current.metadata.namespace } };
  if (current.status === undefined) delete next.status;
  else next.status = current.status;
  return next;
}

function store(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath, next: KubeObject): SimResponse {
  validate(rp.info, next);
  if (isDryRun(req)) return { status: 200, body: wireForm(rp.info)(next) };
  // The store checks a carried resourceVersion against its own: 409 Conflict when stale.
  return { status: 200, body: wireForm(rp.info)(env.world.kube.update(rp.resource, next)) };
}

/** A request body checked against the URL's version, in the form the store keeps. */
function storedForm(rp: ParsedResourcePath, obj: KubeObject): KubeObject {
  checkTypeMeta(rp, obj);
  return rp.info.codec ? rp.info.codec.decode(obj) : obj;
}

function checkTypeMeta(rp: ParsedResourcePath, obj: KubeObject): void {
  const want = groupVersion(rp.group, rp.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== rp.info.kind) {
    throw badRequest(`the object provided is unrecognized (must be of type ${rp.info.kind}): kind ${obj.kind}`);
  }
}

function checkNamespace(obj: KubeObject, namespace: string): void {
  if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** Clears what only the server sets, and sets what each kind's create strategy sets. */
function prepareForCreate(env: KubeEnv, info: ApiResource, obj: KubeObject): void {
  for (const field of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) delete obj.metadata[field];
  if (info.plural === 'namespaces') {
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
    obj.status = { phase: 'Active' };
  } else if (info.plural === 'services') {
    delete obj.status;
    obj.spec = { type: 'ClusterIP', sessionAffinity: 'None', ...obj.spec };
    obj.spec.ports = (obj.spec.ports ?? []).map((p: { port: number; protocol?: string; targetPort?: unknown }) => ({
      protocol: 'TCP',
      targetPort: p.port,
      ...p,
    }));
    if (!obj.spec.clusterIP) obj.spec.clusterIP = serviceIp(env);
    obj.spec.clusterIPs = [obj.spec.clusterIP];
    obj.status = { loadBalancer: {} };
  } else if (info.plural !== 'nodes') {
    // Controllers own status; the node's kubelet may register one at create.
    delete obj.status;
  }
}

/** A free ClusterIP in the default service range 10.96.0.0/12 (kube-apiserver --service-cluster-ip-range). */
function serviceIp(env: KubeEnv): string {
  const taken = new Set(env.world.kube.list('services').map((s) => s.spec?.clusterIP));
  for (;;) {
    const ip = `10.${96 + env.random.int(0, 15)}.${env.random.int(0, 255)}.${env.random.int(1, 254)}`;
    if (!taken.has(ip)) return ip;
  }
}

function suffix(env: KubeEnv): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += NAME_SUFFIX_ALPHABET[env.random.int(0, NAME_SUFFIX_ALPHABET.length - 1)];
  return out;
}
