/**
 * Failures of the connection itself, as @kubernetes/client-node 2.x reports them: it calls undici's fetch, which
 * rejects with `TypeError: fetch failed` whose `cause` carries the socket's error code (ECONNRESET, ...) or undici's
 * own (UND_ERR_*). Worth a retry; anything else without an HTTP status (a TypeError of our own, a bad kubeconfig, a
 * certificate that does not match) is a fault retrying will not fix.
 */
const RETRYABLE_CODES = new Set([
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
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The code of the connection failure behind a fetch error, if it is one worth retrying. */
export function networkErrorCode(err: unknown): string | undefined {
  const e = err as { name?: unknown; message?: unknown; cause?: unknown } | null;
  if (!(e instanceof TypeError) || e.message !== 'fetch failed') return undefined;
  // undici nests causes (an AggregateError for happy-eyeballs, an Error with code for a socket).
  let cause: unknown = e.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return code;
    const errors = (cause as { errors?: unknown[] }).errors;
    cause = Array.isArray(errors) && errors.length > 0 ? errors[0] : (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
