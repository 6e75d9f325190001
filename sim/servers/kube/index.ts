import { timingSafeEqual } from 'node:crypto';
import type { SimEnv } from '../../env.js';
import type { ServerSpec, SimRequest } from '../../http.js';
import { routeKube } from './router.js';
import { internalError, statusResponse, tooManyRequests, unauthorized } from './status.js';

/**
 * The simulated Kubernetes API server over the world's cluster: discovery, nodes, pods (with
 * eviction), namespaces, services, Events (core/v1 and events.k8s.io/v1), Deployments, ReplicaSets,
 * DaemonSets, Leases and PodDisruptionBudgets; list/get/create/update/patch/delete, server-side
 * Tables for kubectl, Status errors. No watch.
 */
export function kubeServer(env: SimEnv): ServerSpec {
  const token = Buffer.from(env.credentials.kube.token);
  return {
    name: 'kube',
    // Authentication comes first, for every path, as with anonymous auth disabled.
    route: (req) => (bearerMatches(req, token) ? routeKube(env, req) : statusResponse(unauthorized())),
    errors: {
      internal: internalError,
      throttled: tooManyRequests,
    },
  };
}

function bearerMatches(req: SimRequest, token: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]);
  return given.length === token.length && timingSafeEqual(given, token);
}
