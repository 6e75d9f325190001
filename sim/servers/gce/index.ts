import type { SimEnv } from '../../env.js';
import { matchPath, type RunContext, type ServerSpec, type SimRequest, type SimResponse } from '../../http.js';
import { authorize } from './auth.js';
import { backendError, GceApiError, notFound, rateLimitExceeded } from './errors.js';
import { InstancesApi } from './instances.js';
import { instancePath, operationPath } from './links.js';
import { OperationStore } from './operations.js';
import { ZoneOperationsApi } from './zone-operations.js';

interface Call {
  req: SimRequest;
  p: Record<string, string>;
  run: RunContext;
}

interface Route {
  method: string;
  pattern: string;
  /** The API method, for counters and faults. */
  op: string;
  /** IAM permission and resource GCE names when the caller's project is not theirs. */
  permission: string;
  resource(p: Record<string, string>): string;
  handle(call: Call): SimResponse | Promise<SimResponse>;
}

const ZONE = '/compute/v1/projects/:project/zones/:zone';

/** The compute v1 REST API (zonal instances and operations) over the world's GCP VMs. */
export function gceServer(env: SimEnv): ServerSpec {
  const ops = new OperationStore(env.clock, env.random, env.world);
  const instances = new InstancesApi(env, ops);
  const operations = new ZoneOperationsApi(ops);
  const project = (p: Record<string, string>) => `projects/${p.project}`;
  const instance = (p: Record<string, string>) => instancePath(p.project, p.zone, p.instance);
  const operation = (p: Record<string, string>) => operationPath(p.project, p.zone, p.operation);

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: `${ZONE}/instances`,
      op: 'instances.insert',
      permission: 'compute.instances.create',
      resource: project,
      handle: ({ req, p }) => instances.insert(req, p.project, p.zone),
    },
    {
      method: 'GET',
      pattern: `${ZONE}/instances`,
      op: 'instances.list',
      permission: 'compute.instances.list',
      resource: project,
      handle: ({ req, p }) => instances.list(req, p.project, p.zone),
    },
    {
      method: 'GET',
      pattern: `${ZONE}/instances/:instance`,
      op: 'instances.get',
      permission: 'compute.instances.get',
      resource: instance,
      handle: ({ p }) => instances.get(p.project, p.zone, p.instance),
    },
    {
      method: 'DELETE',
      pattern: `${ZONE}/instances/:instance`,
      op: 'instances.delete',
      permission: 'compute.instances.delete',
      resource: instance,
      handle: ({ req, p }) => instances.delete(req, p.project, p.zone, p.instance),
    },
    {
      method: 'POST',
      pattern: `${ZONE}/instances/:instance/stop`,
      op: 'instances.stop',
      permission: 'compute.instances.stop',
      resource: instance,
      handle: ({ req, p }) => instances.stop(req, p.project, p.zone, p.instance),
    },
    {
      method: 'POST',
      pattern: `${ZONE}/instances/:instance/start`,
      op: 'instances.start',
      permission: 'compute.instances.start',
      resource: instance,
      handle: ({ req, p }) => instances.start(req, p.project, p.zone, p.instance),
    },
    {
      method: 'POST',
      pattern: `${ZONE}/instances/:instance/setLabels`,
      op: 'instances.setLabels',
      permission: 'compute.instances.setLabels',
      resource: instance,
      handle: ({ req, p }) => instances.setLabels(req, p.project, p.zone, p.instance),
    },
    {
      method: 'POST',
      pattern: `${ZONE}/instances/:instance/setMetadata`,
      op: 'instances.setMetadata',
      permission: 'compute.instances.setMetadata',
      resource: instance,
      handle: ({ req, p }) => instances.setMetadata(req, p.project, p.zone, p.instance),
    },
    {
      method: 'GET',
      pattern: `${ZONE}/operations`,
      op: 'zoneOperations.list',
      permission: 'compute.zoneOperations.list',
      resource: project,
      handle: ({ req, p }) => operations.list(req, p.project, p.zone),
    },
    {
      method: 'GET',
      pattern: `${ZONE}/operations/:operation`,
      op: 'zoneOperations.get',
      permission: 'compute.zoneOperations.get',
      resource: operation,
      handle: ({ p }) => operations.get(p.project, p.zone, p.operation),
    },
    {
      method: 'POST',
      pattern: `${ZONE}/operations/:operation/wait`,
      op: 'zoneOperations.wait',
      permission: 'compute.zoneOperations.get',
      resource: operation,
      handle: ({ run, p }) => operations.wait(run, p.project, p.zone, p.operation),
    },
  ];

  return {
    name: 'gce',
    route(req) {
      for (const r of routes) {
        const p = r.method === req.method ? matchPath(r.pattern, req.path) : undefined;
        if (!p) continue;
        return {
          op: r.op,
          run: async (run) => {
            try {
              const denied = authorize(req, env.credentials.gcp, p.project, { permission: r.permission, resource: r.resource(p) });
              if (denied) return denied.toResponse();
              return await r.handle({ req, p, run });
            } catch (err) {
              if (err instanceof GceApiError) return err.toResponse();
              throw err;
            }
          },
        };
      }
      return notFound(req.path.replace(/^\/compute\/v1\//, '')).toResponse();
    },
    errors: {
      internal: () => backendError().toResponse(),
      throttled: () => rateLimitExceeded(env.credentials.gcp.project, env.world.unkindness.has('gce-rate-limit-403') ? 403 : 429).toResponse(),
    },
  };
}
