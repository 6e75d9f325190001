import { isProviderFunctionError } from '../adapters/lambda/provider-functions.js';
import { isTransientSfnError } from '../adapters/sfn/heal-executions.js';

const RETRYABLE = new Set(['TransientError', 'ThrottledError']);

/**
 * Whether an error is a real transient fault, worth a retry of the whole event: EventBridge and Lambda retry an
 * asynchronous invocation that throws (a bounded number of times, then the dead-letter queue), so a trigger throws
 * only these. Everything else (a refusal, a malformed answer, a bug) is logged and the event dropped: retrying it
 * would fail the same way, over and over.
 */
export function isTransientFault(err: unknown): boolean {
  const name = (err as Error | undefined)?.name ?? '';
  if (RETRYABLE.has(name)) return true;
  // A provider function that could not be invoked (no errorType) or failed with a retryable error.
  if (isProviderFunctionError(err)) return err.errorType === undefined || RETRYABLE.has(err.errorType);
  return isTransientSfnError(err);
}
