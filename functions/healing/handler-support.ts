import { isSecretValueError } from '../runtime/errors.js';
import { log } from '../runtime/logger.js';
import { isTransientFault } from './transient.js';

/**
 * Runs one trigger. A transient fault is thrown, for EventBridge (and Lambda's asynchronous retries) to deliver the
 * event again, a bounded number of times; a kubeconfig that cannot be used too, since every event would fail on it
 * (the dead-letter queue and the function's error alarm show it). Any other error is logged and the event dropped,
 * so one bad event never loops.
 */
export async function runTrigger<T>(what: string, fn: () => Promise<T>): Promise<T | { outcome: 'failed'; error: string }> {
  try {
    return await fn();
  } catch (err) {
    if (isTransientFault(err) || isSecretValueError(err)) {
      log('warn', `${what}: transient fault; EventBridge delivers the event again`, { error: err });
      throw err;
    }
    log('error', `${what}: failed; event dropped`, { error: err });
    return { outcome: 'failed', error: `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}` };
  }
}
