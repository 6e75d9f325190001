import type { SimRequest, SimResponse } from '../../http.js';
import { isoSeconds, KubeStatusError } from '../../world/kube-store.js';
import type { KubeObject } from '../../world/types.js';
import { type DeleteOptions, deleteOptions, isDryRun } from './body.js';
import { API_RESOURCES } from './catalog.js';
import type { ParsedResourcePath } from './paths.js';
import { conflict, successStatus } from './status.js';
import type { KubeEnv } from './types.js';

/** Namespaces the API server refuses to delete. */
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/**
 * DELETE on one object. Pods are deleted gracefully by the cluster (Terminating until their
 * kubelet confirms) and the pod comes back; Nodes go through the cluster so their pods are
 * garbage-collected; ReplicaSets and DaemonSets take their pods with them unless
 * propagationPolicy is Orphan. Other kinds answer with a success Status, as the real server.
 */
export function deleteObject(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): SimResponse {
  const { kube, cluster } = env.world;
  const name = rp.name as string;
  const opts = deleteOptions(req);
  const current = kube.mustGet(rp.resource, rp.namespace, name);
  checkPreconditions(rp.resource, current, opts.preconditions);
  if (rp.resource === 'namespaces' && PROTECTED_NAMESPACES.has(name)) {
    throw new KubeStatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
  const details = { name, ...(rp.group ? { group: rp.group } : {}), kind: rp.resource, uid: current.metadata.uid };
  if (isDryRun(req)) return rp.resource === 'pods' || rp.resource === 'namespaces' ? { status: 200, body: current } : successStatus(200, details);
  switch (rp.resource) {
    case 'pods':
      return { status: 200, body: cluster.deletePod(rp.namespace as string, name, opts.gracePeriodSeconds) };
    case 'nodes':
      cluster.deleteNode(name);
      return successStatus(200, details);
    case 'namespaces':
      return { status: 200, body: deleteNamespace(env, current) };
    case 'deployments':
    case 'replicasets':
    case 'daemonsets':
      kube.remove(rp.resource, rp.namespace, name);
      collectDependents(env, current, opts);
      return successStatus(200, details);
    default:
      kube.remove(rp.resource, rp.namespace, name);
      return successStatus(200, details);
  }
}

export function checkPreconditions(resource: string, current: KubeObject, pre: DeleteOptions['preconditions']): void {
  const name = current.metadata.name;
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw conflict(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`,
    );
  }
}

/**
 * The garbage collector's part: dependents (a Deployment's ReplicaSets, a ReplicaSet's or DaemonSet's pods) are
 * deleted with their own dependents (Background, Foreground) or released (Orphan).
 */
function collectDependents(env: KubeEnv, owner: KubeObject, opts: DeleteOptions): void {
  const { kube, cluster } = env.world;
  const ownedBy = (o: KubeObject) => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid);
  for (const resource of ['replicasets', 'pods']) {
    for (const dependent of kube.list(resource, { namespace: owner.metadata.namespace }).filter(ownedBy)) {
      const ns = dependent.metadata.namespace as string;
      if (opts.propagationPolicy === 'Orphan') {
        kube.mutate(resource, ns, dependent.metadata.name, (p) => {
          p.metadata.ownerReferences = p.metadata.ownerReferences?.filter((r) => r.uid !== owner.metadata.uid);
          if (p.metadata.ownerReferences?.length === 0) delete p.metadata.ownerReferences;
        });
      } else if (resource === 'pods') cluster.deletePod(ns, dependent.metadata.name);
      else {
        kube.remove(resource, ns, dependent.metadata.name);
        collectDependents(env, dependent, opts);
      }
    }
  }
}

/**
 * The namespace controller's work, done at once: workloads first so nothing recreates pods,
 * then the pods (forced) and the rest. The answer is the namespace as the API returns it when
 * deletion starts: Terminating.
 */
function deleteNamespace(env: KubeEnv, ns: KubeObject): KubeObject {
  const { kube, cluster } = env.world;
  const name = ns.metadata.name;
  const namespaced = API_RESOURCES.filter((r) => r.namespaced).map((r) => r.plural);
  for (const resource of [...namespaced.filter((r) => r !== 'pods'), 'pods']) {
    for (const obj of kube.list(resource, { namespace: name })) {
      if (resource === 'pods') cluster.deletePod(name, obj.metadata.name, 0);
      else kube.remove(resource, name, obj.metadata.name);
    }
  }
  kube.remove('namespaces', undefined, name);
  return {
    ...ns,
    metadata: { ...ns.metadata, deletionTimestamp: isoSeconds(env.clock.now()) },
    status: { ...ns.status, phase: 'Terminating' },
  };
}
