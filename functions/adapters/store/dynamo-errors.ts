import { ThrottledError, TransientError } from '../../runtime/errors.js';

/**
 * DynamoDB's throttling errors ("Error handling with DynamoDB", Developer Guide): the SDK retries them a few times
 * itself; once its attempts are used up they reach the workflow, which retries them with a longer backoff.
 */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Errors of the connection rather than of the request: the request may or may not have been applied. */
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * A DynamoDB error as the workflow's Retry sees it: throttling becomes ThrottledError, a 5xx or a lost connection
 * TransientError (both retried by name); any other error (a failed condition, a validation error) is returned as it
 * is, for the caller to handle. Every claim operation is idempotent, so retrying one whose answer was lost is safe.
 */
export function retryableDynamoError(err: unknown, operation: string): unknown {
  const e = err as { name?: string; code?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = e?.name ?? '';
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (THROTTLING.has(name)) return new ThrottledError(`DynamoDB throttled ${operation} (${name}); retrying with backoff`);
  if (status >= 500 || e?.$fault === 'server' || NETWORK.has(name) || NETWORK.has(e?.code ?? '')) {
    return new TransientError(`DynamoDB ${operation} failed (${name || e?.code || 'network error'}${status ? `, HTTP ${status}` : ''}); retrying`);
  }
  return err;
}

/** A conditional write refused because its condition did not hold (the SDK's class, or its name across copies). */
export function isConditionFailed(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'ConditionalCheckFailedException';
}
