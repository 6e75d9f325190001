import { request } from 'node:http';
import { connect, isIPv6, type Socket } from 'node:net';
import { ConnectFailedError, type ConnectFailure } from './errors.js';

/**
 * The dial step of a probe: opens a TCP connection to an address and port. Direct from the function in AWS, or through
 * an HTTP CONNECT proxy when one is configured (an egress proxy; the simulator's network in the local control plane).
 * Everything after the dial (TLS, HTTP) is the same either way.
 */
export interface Dialer {
  /** Resolves with the connected socket; rejects with ConnectFailedError, or the signal's reason once it aborts. */
  dial(address: string, port: number, signal: AbortSignal): Promise<Socket>;
}

/** `address:port`, IPv6 in brackets (RFC 3986 authority form, what CONNECT and Host take). */
export function authority(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

const SOCKET_ERRORS: Record<string, ConnectFailure> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ECONNRESET: 'reset',
};

function connectFailed(err: unknown): ConnectFailedError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const reason = SOCKET_ERRORS[code] ?? 'unreachable';
  return new ConnectFailedError(`connect failed: ${code}`, reason);
}

/** Settles a dial once: on the first of connect, error or abort. */
function settleOnce<T>(signal: AbortSignal, start: (resolve: (v: T) => void, reject: (e: unknown) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let done = false;
    const abort = () => finish(() => reject(signal.reason), true);
    const finish = (settle: () => void, aborted = false) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', abort);
      if (aborted) cancel();
      settle();
    };
    signal.addEventListener('abort', abort, { once: true });
    const cancel = start(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e), true),
    );
  });
}

/** Connects straight to the address. */
export const directDialer: Dialer = {
  dial(address, port, signal) {
    return settleOnce<Socket>(signal, (resolve, reject) => {
      const socket = connect({ host: address, port });
      const failed = (err: Error) => reject(connectFailed(err));
      socket.once('error', failed);
      socket.once('connect', () => {
        // From here the caller's TLS or HTTP layer listens for errors on the socket.
        socket.off('error', failed);
        resolve(socket);
      });
      return () => socket.destroy();
    });
  },
};

/**
 * Proxy-Status error types (RFC 9209 section 2.3) a proxy answers a failed CONNECT with, as the probe reports them.
 * A proxy that gives none is reported as `proxy`.
 */
const PROXY_STATUS_ERRORS: Record<string, ConnectFailure> = {
  connection_refused: 'refused',
  connection_timeout: 'timeout',
  destination_unavailable: 'unreachable',
  destination_ip_unroutable: 'unreachable',
  connection_terminated: 'reset',
};

/** The `error` parameter of a Proxy-Status header (`proxy-name; error=connection_refused`). */
export function proxyStatusError(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  return value?.match(/;\s*error=("?)([a-z_]+)\1/)?.[2];
}

/** Dials through an HTTP CONNECT proxy (RFC 9110 section 9.3.6) at `proxyUrl` (`http://host:port`). */
export function connectProxyDialer(proxyUrl: string): Dialer {
  const proxy = new URL(proxyUrl);
  if (proxy.protocol !== 'http:') throw new Error(`probe proxy must be an http:// URL, got ${proxy.protocol}`);
  const proxyPort = Number(proxy.port || 80);
  return {
    dial(address, port, signal) {
      const target = authority(address, port);
      return settleOnce<Socket>(signal, (resolve, reject) => {
        const req = request({ host: proxy.hostname, port: proxyPort, method: 'CONNECT', path: target, headers: { host: target }, agent: false });
        let tunnel: Socket | undefined;
        req.once('connect', (res, socket, head) => {
          tunnel = socket;
          if (res.statusCode === 200) {
            if (head.length > 0) socket.unshift(head);
            resolve(socket);
            return;
          }
          socket.destroy();
          const error = proxyStatusError(res.headers['proxy-status']);
          const reason: ConnectFailure = (error ? PROXY_STATUS_ERRORS[error] : undefined) ?? 'proxy';
          reject(new ConnectFailedError(`connect failed: proxy answered ${res.statusCode}${error ? ` ${error}` : ''}`, reason));
        });
        req.on('error', (err) => reject(new ConnectFailedError(`probe proxy unreachable: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'proxy')));
        req.end();
        return () => {
          req.destroy();
          tunnel?.destroy();
        };
      });
    },
  };
}
