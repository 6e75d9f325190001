/**
 * Failures of the connection itself, as @kubernetes/client-node 1.x reports them: it calls node-fetch 2, which
 * rejects with a FetchError whose `type` is `system` (carrying the socket's error code) or a timeout type. Worth a
 * retry; anything else without an HTTP status (a TypeError, a bad kubeconfig, a certificate that does not match) is
 * a fault retrying will not fix.
 */
const RETRYABLE_SOCKET_CODES = new Set([
  'ECONNRESET', // also a TLS handshake the server or a proxy cut short
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND', // DNS: no such name (yet), e.g. a fresh endpoint
  'EAI_AGAIN', // DNS: temporary failure
  'UND_ERR_SOCKET',
]);

const TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);

export function isNetworkError(err: unknown): boolean {
  const e = err as { name?: unknown; type?: unknown; code?: unknown } | null;
  if (e?.name !== 'FetchError') return false;
  if (typeof e.type === 'string' && TIMEOUT_TYPES.has(e.type)) return true;
  return e.type === 'system' && typeof e.code === 'string' && RETRYABLE_SOCKET_CODES.has(e.code);
}
