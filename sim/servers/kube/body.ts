import type { SimRequest } from '../../http.js';
import type { KubeObject } from '../../world/types.js';
import { bodyMediaType } from './negotiation.js';
import { badRequest, unsupportedMediaType } from './status.js';

/** The JSON object in a POST or PUT body; 415 for another media type, 400 when it is not a JSON object. */
export function objectBody(req: SimRequest): KubeObject {
  if (bodyMediaType(req.headers['content-type']) !== 'application/json') throw unsupportedMediaType(['application/json']);
  let body: unknown;
  try {
    body = req.json();
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const obj = body as KubeObject;
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = { name: '' };
  return obj;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** DeleteOptions from the body (if any) and the query, the query winning as on the real server. */
export function deleteOptions(req: SimRequest): DeleteOptions {
  let opts: DeleteOptions = {};
  if (req.body.length > 0) {
    try {
      opts = (req.json() as DeleteOptions) ?? {};
    } catch (err) {
      throw badRequest(`couldn't decode DeleteOptions: ${(err as Error).message}`);
    }
  }
  const grace = req.query.get('gracePeriodSeconds');
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  if (opts.gracePeriodSeconds !== undefined && !(Number.isInteger(opts.gracePeriodSeconds) && opts.gracePeriodSeconds >= 0)) {
    throw badRequest(`gracePeriodSeconds must be a non-negative integer, got ${JSON.stringify(opts.gracePeriodSeconds)}`);
  }
  const propagation = req.query.get('propagationPolicy');
  if (propagation !== null) opts.propagationPolicy = propagation as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  return opts;
}

/** `dryRun=All` asks for every check and no change; other values are refused as the real server does. */
export function isDryRun(req: SimRequest): boolean {
  const values = req.query.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.some((v) => v !== 'All')) throw badRequest(`Invalid dryRun value: ${values.join(',')}: supported values: "All"`);
  return true;
}
