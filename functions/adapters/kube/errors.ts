import { SecretValueError } from '../../runtime/errors.js';

/**
 * A kubeconfig that cannot be used. The message names where it came from (the secret's reference) and the class of
 * the problem, never its content: a parser's message would quote the lines around the fault, token included.
 * Not retried.
 */
export class KubeconfigError extends SecretValueError {
  override name = 'KubeconfigError';
}

export function isKubeconfigError(err: unknown): err is KubeconfigError {
  return err instanceof KubeconfigError;
}

/** The API server answered with an HTTP error status; `reason` is the Status object's (NotFound, Conflict, ...). */
export class KubeApiError extends Error {
  override name = 'KubeApiError';

  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function isKubeApiError(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError;
}

/** The request got no HTTP answer: the connection failed, was cut or timed out. `code` is the socket's (ECONNRESET, ...). */
export class KubeConnectionError extends Error {
  override name = 'KubeConnectionError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isKubeConnectionError(err: unknown): err is KubeConnectionError {
  return err instanceof KubeConnectionError;
}
