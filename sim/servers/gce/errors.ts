import { createHash } from 'node:crypto';
import type { SimResponse } from '../../http.js';

/**
 * Errors in Google's JSON format. Compute's own errors carry `code`, `message` and `errors[]`
 * (domain `global` and a reason); the Google front end adds `status` to the ones it answers
 * itself (authentication, quota).
 */
export class GceApiError extends Error {
  override readonly name = 'GceApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: { grpcStatus?: string; location?: string; headers?: Record<string, string>; domain?: string } = {},
  ) {
    super(message);
  }

  toResponse(): SimResponse {
    const detail: Record<string, string> = { message: this.message, domain: this.extra.domain ?? 'global', reason: this.reason };
    if (this.extra.location) Object.assign(detail, { location: this.extra.location, locationType: 'header' });
    const error: Record<string, unknown> = { code: this.status, message: this.message, errors: [detail] };
    if (this.extra.grpcStatus) error.status = this.extra.grpcStatus;
    return { status: this.status, headers: this.extra.headers, body: { error } };
  }
}

export function notFound(path: string): GceApiError {
  return new GceApiError(404, 'notFound', `The resource '${path}' was not found`);
}

export function alreadyExists(path: string): GceApiError {
  return new GceApiError(409, 'alreadyExists', `The resource '${path}' already exists`);
}

export function invalidField(field: string, value: unknown, why: string): GceApiError {
  return new GceApiError(400, 'invalid', `Invalid value for field '${field}': '${String(value ?? '')}'. ${why}`);
}

export function requiredField(field: string): GceApiError {
  return new GceApiError(400, 'required', `Required field '${field}' not specified`);
}

export function parseError(): GceApiError {
  return new GceApiError(400, 'parseError', 'Invalid JSON payload received.');
}

/** What GCE answers for a project the caller has no rights in (it does not say whether it exists). */
export function forbidden(permission: string, path: string): GceApiError {
  return new GceApiError(403, 'forbidden', `Required '${permission}' permission for '${path}'`);
}

export function conditionNotMet(message: string): GceApiError {
  return new GceApiError(412, 'conditionNotMet', message);
}

export function unauthenticated(tokenGiven: boolean): GceApiError {
  const hint =
    'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
  return tokenGiven
    ? new GceApiError(401, 'authError', `Request had invalid authentication credentials. ${hint}`, {
        grpcStatus: 'UNAUTHENTICATED',
        location: 'Authorization',
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      })
    : new GceApiError(401, 'required', `Request is missing required authentication credential. ${hint}`, {
        grpcStatus: 'UNAUTHENTICATED',
        location: 'Authorization',
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
      });
}

export function backendError(): GceApiError {
  return new GceApiError(503, 'backendError', 'Internal error. Please try again or contact Google Support.');
}

/**
 * The per-project API rate limit (queries per minute). Compute Engine answers 403 with reason rateLimitExceeded
 * (https://cloud.google.com/compute/api-quota: "If your project exceeds a rate quota, you receive a 403 error with the
 * reason rateLimitExceeded"); newer Google front ends answer 429 RESOURCE_EXHAUSTED, which a kind world keeps.
 */
export function rateLimitExceeded(project: string, status: 403 | 429 = 403): GceApiError {
  return new GceApiError(
    status,
    'rateLimitExceeded',
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:${projectNumber(project)}'.`,
    { grpcStatus: status === 403 ? 'PERMISSION_DENIED' : 'RESOURCE_EXHAUSTED', domain: 'usageLimits' },
  );
}

/** A stable 12-digit stand-in for the project's number, which the simulator does not otherwise model. */
function projectNumber(project: string): string {
  return (BigInt(`0x${createHash('sha256').update(project).digest('hex').slice(0, 12)}`) % 10n ** 12n).toString().padStart(12, '1');
}
