import { ThrottledError, TransientError } from '../../runtime/errors.js';
import { isKubeApiError } from './errors.js';
import { networkErrorCode } from './network-errors.js';

/** Runs one API call; throttling and server or network failures become retryable errors, everything else is rethrown. */
export async function retryableKubeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const status = isKubeApiError(err) ? err.status : undefined;
    const network = networkErrorCode(err);
    if (status === 429) throw new ThrottledError((err as Error).message);
    if ((status !== undefined && status >= 500) || network !== undefined) throw new TransientError((err as Error).message);
    throw err;
  }
}
