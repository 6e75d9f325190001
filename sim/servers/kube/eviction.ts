import type { SimRequest, SimResponse } from '../../http.js';
import { type DeleteOptions, objectBody } from './body.js';
import { checkPreconditions } from './delete.js';
import type { ParsedResourcePath } from './paths.js';
import { badRequest, successStatus } from './status.js';
import type { KubeEnv } from './types.js';

const EVICTION_VERSIONS = ['policy/v1', 'policy/v1beta1'];

/**
 * POST .../pods/{name}/eviction with a policy/v1 Eviction: 201 and a success Status when the
 * pod may go (it is then deleted gracefully), 429 TooManyRequests with a DisruptionBudget cause
 * when a PodDisruptionBudget forbids it (the cluster decides).
 */
export function evictPod(env: KubeEnv, req: SimRequest, rp: ParsedResourcePath): SimResponse {
  const eviction = objectBody(req);
  if (eviction.apiVersion !== undefined && !EVICTION_VERSIONS.includes(eviction.apiVersion)) {
    throw badRequest(`the API version in the data (${eviction.apiVersion}) does not match the expected API version (policy/v1)`);
  }
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw badRequest(`the object provided is unrecognized (must be of type Eviction): kind ${eviction.kind}`);
  }
  if (eviction.metadata.name !== rp.name) throw badRequest('name in URL does not match name in Eviction object');
  if (eviction.metadata.namespace && eviction.metadata.namespace !== rp.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (req.query.has('dryRun')) throw badRequest('dryRun is not supported for evictions by the simulated API server');
  const opts = (eviction.deleteOptions ?? {}) as DeleteOptions;
  const namespace = rp.namespace as string;
  const pod = env.world.kube.mustGet('pods', namespace, rp.name as string);
  checkPreconditions('pods', pod, opts.preconditions);
  env.world.cluster.evictPod(namespace, pod.metadata.name, opts.gracePeriodSeconds);
  return successStatus(201);
}
