import { request } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { authority, connectProxyDialer, type Dialer, directDialer } from './dial.js';
import { isConnectFailedError } from './errors.js';
import type { ActiveCheck, ProbeResult, ProbeTarget, TargetProbe } from './types.js';

/**
 * An HTTP CONNECT proxy (`http://host:port`) the probes dial through. Unset in AWS (probes connect straight to the
 * target); the local control plane sets it to the simulator's network, as it sets the SDKs' endpoint overrides.
 */
export const PROBE_PROXY_ENV = 'SHEPHERD_PROBE_PROXY';

const USER_AGENT = 'multicloud-shepherd-probe';

/** The probe of the active checks: a real TCP connection, or an HTTP(S) GET, from where the function runs. */
export function createTargetProbe(env: NodeJS.ProcessEnv = process.env): TargetProbe {
  const proxy = env[PROBE_PROXY_ENV];
  return new NetProbe(proxy ? connectProxyDialer(proxy) : directDialer);
}

/** Whether an HTTP status passes a check: any 2xx or 3xx (redirects are not followed), as config/dns-schema.ts says. */
export function httpStatusPasses(status: number): boolean {
  return status >= 200 && status < 400;
}

class ProbeTimeout extends Error {
  override name = 'ProbeTimeout';
}

export class NetProbe implements TargetProbe {
  constructor(private readonly dialer: Dialer) {}

  async probe({ address, check }: ProbeTarget): Promise<ProbeResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const deadline = new AbortController();
    // One deadline for the whole check (connect, TLS, answer), like a load balancer's health check timeout.
    const timer = setTimeout(() => deadline.abort(new ProbeTimeout()), check.timeoutMs);
    let socket: Socket | undefined;
    try {
      socket = await this.dialer.dial(address, check.port, deadline.signal);
      if (check.protocol === 'tcp') return { passed: true, detail: `connected in ${elapsed()} ms`, elapsedMs: elapsed() };
      const stream = check.protocol === 'https' ? await tlsHandshake(socket, deadline.signal) : socket;
      const status = await httpGet(stream, address, check, deadline.signal);
      return { passed: httpStatusPasses(status), detail: `HTTP ${status}`, elapsedMs: elapsed() };
    } catch (err) {
      return { passed: false, detail: failureDetail(err, socket !== undefined, check.timeoutMs), elapsedMs: elapsed() };
    } finally {
      clearTimeout(timer);
      socket?.destroy();
    }
  }
}

function failureDetail(err: unknown, connected: boolean, timeoutMs: number): string {
  if (err instanceof ProbeTimeout) return connected ? `no answer within ${timeoutMs} ms` : `connect timeout after ${timeoutMs} ms`;
  if (isConnectFailedError(err)) {
    if (err.reason === 'refused') return 'connection refused';
    if (err.reason === 'timeout') return `connect timeout after ${timeoutMs} ms`;
    return err.message;
  }
  const code = (err as NodeJS.ErrnoException).code;
  return `${connected ? 'check failed' : 'connect failed'}: ${code ?? (err as Error).message}`;
}

/** Rejects with the signal's reason once it aborts; `cleanup` runs either way. */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>, cleanup: () => void): Promise<T> {
  if (signal.aborted) {
    cleanup();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      cleanup();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * TLS over the dialed socket without verifying the certificate: the probe goes to an address, not a name, as load
 * balancer health checks do (Elastic Load Balancing, "Health checks for your target groups": the load balancer does
 * not validate target certificates; Cloudflare Load Balancing monitors, `allow_insecure`).
 */
function tlsHandshake(socket: Socket, signal: AbortSignal): Promise<Socket> {
  const secure = tlsConnect({ socket, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  const handshake = new Promise<Socket>((resolve, reject) => {
    secure.once('secureConnect', () => resolve(secure));
    // `on`, not `once`: closing the probe's socket later may emit again, and an unheard error would crash the function.
    secure.on('error', reject);
  });
  return untilAborted(signal, handshake, () => secure.destroy());
}

/** GET `path` over the connected stream; resolves with the status code (the body is not read). */
function httpGet(stream: Socket, address: string, check: Extract<ActiveCheck, { path: string }>, signal: AbortSignal): Promise<number> {
  const req = request({
    host: address,
    port: check.port,
    path: check.path,
    method: 'GET',
    headers: { host: authority(address, check.port), 'user-agent': USER_AGENT, connection: 'close' },
    createConnection: () => stream,
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.once('response', (res) => {
      // The body is not read; the socket is closed under it, which the response may report as an error nobody needs.
      res.on('error', () => {});
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.end();
  return untilAborted(signal, answered, () => req.destroy());
}
