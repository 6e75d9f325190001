import type { SimResponse } from '../../http.js';

/**
 * Scaleway's error bodies: `{ message, type, ... }` carrying the fields @scaleway/sdk-client
 * reads to raise its typed errors (ResourceNotFoundError needs resource + resource_id,
 * InvalidArgumentsError and QuotasExceededError need `details`, DeniedAuthenticationError needs
 * method + reason, TooManyRequestsError needs help_message).
 */

export interface ArgumentProblem {
  argument_name: string;
  reason: 'required' | 'format' | 'constraint';
  help_message?: string;
}

export interface QuotaProblem {
  resource: string;
  quota: number;
  current: number;
  project_id: string;
}

/** Thrown by handlers to answer with a Scaleway error; the route turns it into the response. */
export class ScalewayApiError extends Error {
  override readonly name = 'ScalewayApiError';
  constructor(readonly response: SimResponse) {
    super(String((response.body as { message?: string }).message));
  }
}

export function notFound(resource: string, resourceId: string): ScalewayApiError {
  return new ScalewayApiError({ status: 404, body: { message: 'resource is not found', resource, resource_id: resourceId, type: 'not_found' } });
}

export function invalidArguments(...details: ArgumentProblem[]): ScalewayApiError {
  return new ScalewayApiError({ status: 400, body: { details, message: 'invalid argument(s)', type: 'invalid_arguments' } });
}

/** 401: no key, a malformed key (`invalid_argument`) or a key the account does not have (`not_found`). */
export function deniedAuthentication(reason: 'invalid_argument' | 'not_found'): ScalewayApiError {
  return new ScalewayApiError({
    status: 401,
    body: { message: 'authentication is denied', method: 'api_key', reason, type: 'denied_authentication' },
  });
}

export function permissionsDenied(action: 'read' | 'write', resource: string): ScalewayApiError {
  return new ScalewayApiError({
    status: 403,
    body: { details: [{ action, resource }], message: 'insufficient permissions', type: 'permissions_denied' },
  });
}

export function quotasExceeded(...details: QuotaProblem[]): ScalewayApiError {
  return new ScalewayApiError({ status: 403, body: { details, message: 'quota(s) exceeded', type: 'quotas_exceeded' } });
}

export function preconditionFailed(precondition: string, helpMessage: string): ScalewayApiError {
  return new ScalewayApiError({
    status: 412,
    body: { help_message: helpMessage, message: 'precondition is not respected', precondition, type: 'precondition_failed' },
  });
}

export function tooManyRequests(helpMessage: string, resetSeconds?: number): SimResponse {
  return {
    status: 429,
    headers: resetSeconds ? { 'retry-after': String(resetSeconds) } : {},
    body: {
      help_message: helpMessage,
      message: 'too many requests',
      ...(resetSeconds ? { reset_seconds: resetSeconds } : {}),
      type: 'too_many_requests',
    },
  };
}

export function internalError(message: string): SimResponse {
  return { status: 500, body: { message, type: 'internal_error' } };
}

/** No Instance stock for the pool's node type in its zone. */
export function outOfStock(resource: string): ScalewayApiError {
  return new ScalewayApiError({ status: 503, body: { message: 'resource is out of stock', resource, type: 'out_of_stock' } });
}

/** 409 transient_state: the resource is busy with another change (the SDK raises TransientStateError). */
export function transientState(resource: string, resourceId: string, currentState: string): ScalewayApiError {
  return new ScalewayApiError({
    status: 409,
    body: { current_state: currentState, message: 'resource is in a transient state', resource, resource_id: resourceId, type: 'transient_state' },
  });
}
