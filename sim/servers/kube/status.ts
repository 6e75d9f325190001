import type { SimResponse } from '../../http.js';
import { KubeStatusError } from '../../world/kube-store.js';

/** The `Status` body the API server returns for an error, with its HTTP code. */
export function statusResponse(err: KubeStatusError, headers?: Record<string, string>): SimResponse {
  return { status: err.code, body: err.toStatus(), ...(headers ? { headers } : {}) };
}

/** A `Status` reporting success (DELETE of most kinds, eviction). */
export function successStatus(code: number, details?: Record<string, unknown>): SimResponse {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code },
  };
}

export function unauthorized(): KubeStatusError {
  return new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(400, 'BadRequest', message);
}

/** The generic 404 for a path or resource the server does not serve. */
export function resourceNotServed(): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): KubeStatusError {
  return new KubeStatusError(405, 'MethodNotAllowed', message, {});
}

export function notAcceptable(): KubeStatusError {
  return new KubeStatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
}

export function unsupportedMediaType(accepted: readonly string[]): KubeStatusError {
  return new KubeStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function conflict(resource: string, name: string, message: string): KubeStatusError {
  return new KubeStatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${message}`, { name, kind: resource });
}

export interface FieldCause {
  /** `FieldValueRequired`, `FieldValueInvalid`, ... */
  reason: string;
  field: string;
  message: string;
}

/** 422 Invalid, as validation reports it: `Kind "name" is invalid: field: message; ...`. */
export function invalid(kind: string, name: string, causes: FieldCause[]): KubeStatusError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new KubeStatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes });
}

export function internalError(message: string): SimResponse {
  return statusResponse(new KubeStatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }));
}

/** What the API server's max-in-flight filter answers: 429 with a Retry-After header. */
export function tooManyRequests(message: string, retryAfterSeconds = 1): SimResponse {
  const err = new KubeStatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
  return statusResponse(err, { 'retry-after': String(retryAfterSeconds) });
}
