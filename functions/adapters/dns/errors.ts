import { ShepherdError, ThrottledError, TransientError } from '../../runtime/errors.js';

/**
 * Errors of the DNS adapter. Their names are what a workflow's Retry/Catch matches; their messages say what failed and
 * never carry the API token (the adapter builds them from status and Cloudflare's error codes, never from headers).
 */

/** No zone of that name is visible to the token (wrong name, or the token lacks Zone read on it). Not retried. */
export class DnsZoneNotFoundError extends ShepherdError {
  override name = 'DnsZoneNotFoundError';
}

/** The zone found by name does not have the id the config gives. Not retried. */
export class DnsZoneMismatchError extends ShepherdError {
  override name = 'DnsZoneMismatchError';
}

/** Cloudflare answered 429: wait `retryAfterSeconds` (its `retry-after` header) before the next call. */
export class DnsRateLimitedError extends ThrottledError {
  override name = 'DnsRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Cloudflare answered 5xx, or the connection failed or timed out: the call may or may not have been applied. */
export class DnsTransientError extends TransientError {
  override name = 'DnsTransientError';
}

/** Cloudflare refused the call (4xx other than 429): bad token, a record it will not take. Not retried. */
export class DnsRequestRefusedError extends ShepherdError {
  override name = 'DnsRequestRefusedError';
  constructor(
    message: string,
    readonly status: number,
    readonly codes: number[],
  ) {
    super(message);
  }
}

export function isDnsRateLimitedError(err: unknown): err is DnsRateLimitedError {
  return err instanceof Error && err.name === 'DnsRateLimitedError';
}

export function isDnsTransientError(err: unknown): err is DnsTransientError {
  return err instanceof Error && err.name === 'DnsTransientError';
}

export function isDnsRequestRefusedError(err: unknown): err is DnsRequestRefusedError {
  return err instanceof Error && err.name === 'DnsRequestRefusedError';
}

export function isDnsZoneNotFoundError(err: unknown): err is DnsZoneNotFoundError {
  return err instanceof Error && err.name === 'DnsZoneNotFoundError';
}

export function isDnsZoneMismatchError(err: unknown): err is DnsZoneMismatchError {
  return err instanceof Error && err.name === 'DnsZoneMismatchError';
}
