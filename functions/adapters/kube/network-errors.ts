import { isKubeConnectionError } from './errors.js';

/**
 * Failures of the connection itself worth a retry, by the socket's error code. Anything else without an HTTP status
 * (a TypeError of our own, a bad kubeconfig, a certificate that does not match) is a fault retrying will not fix.
 */
const RETRYABLE_CODES = new Set([
  'ECONNRESET', // also a TLS handshake the server or a proxy cut short, and a response cut off mid-body
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT', // also our own idle timeout (KubeClient)
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND', // DNS: no such name (yet), e.g. a fresh endpoint
  'EAI_AGAIN', // DNS: temporary failure
]);

/** The code of a connection failure worth retrying, if `err` is one. */
export function networkErrorCode(err: unknown): string | undefined {
  return isKubeConnectionError(err) && RETRYABLE_CODES.has(err.code) ? err.code : undefined;
}
