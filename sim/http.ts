import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock.js';
import type { Random } from './random.js';
import { RequestHold } from './request-hold.js';

/** What every simulated API server gets: the shared clock, randomness, faults and counters. */
export interface ServerContext {
  clock: Clock;
  random: Random;
  faults: ApiFaults;
  counters: CallCounters;
  /** True while this server's whole API is down (a provider gone dark with its API). */
  isApiDown?: (server: string) => boolean;
}

export interface SimRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  /** Parses the body as JSON; undefined when the body is empty. Throws SyntaxError on bad JSON. */
  json<T = unknown>(): T;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
}

export interface Routed {
  /** Operation name used for counters and faults, e.g. `RunInstances`, `nodes.patch`. */
  op: string;
  run(call: RunContext): SimResponse | Promise<SimResponse>;
}

/** What a running call may do besides answering. */
export interface RunContext {
  /**
   * Waits for `work` without holding the clock, so simulated time moves meanwhile: a long poll
   * (GCE zoneOperations.wait) would otherwise freeze virtual time while it waits for it.
   */
  idle<T>(work: Promise<T>): Promise<T>;
}

export interface ServerSpec {
  name: string;
  tls?: { key: string; cert: string };
  route(req: SimRequest): Routed | SimResponse;
  /** Bodies in this API's own error format. */
  errors: {
    internal(message: string): SimResponse;
    /** `retryAfterSeconds` is set when a rate limit (token bucket) refused the call. */
    throttled(message: string, retryAfterSeconds?: number): SimResponse;
  };
}

export interface RunningServer {
  name: string;
  url: string;
  port: number;
  /** Stops listening (true: connections to its port are refused, as to a server that is down) or listens again on the same port. */
  refuse(on: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A fault on one server, for one operation or all (`*`). */
export interface ApiFault {
  /** Added simulated latency per call. */
  latencyMs?: number;
  /** Fraction of calls (0..1) answered with the API's internal (5xx) error. */
  errorRate?: number;
  /** Every call is answered with the API's throttling error. */
  throttle?: boolean;
  /** Calls never get an answer; the connection is dropped after `timeoutMs` (default 120 s) simulated. */
  timeout?: boolean;
  timeoutMs?: number;
  /** The API is down: connections are reset. */
  down?: boolean;
  /**
   * A token bucket in front of the operation (or the whole server with `*`): `capacity` calls,
   * refilled at `refillPerSecond` on the simulated clock; calls beyond it get the throttling error.
   */
  rateLimit?: { capacity: number; refillPerSecond: number };
}

export class ApiFaults {
  private readonly faults = new Map<string, ApiFault>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Sets (merges) a fault on `server` for `op` (`*` = every operation). */
  set(server: string, op: string, fault: ApiFault): void {
    const key = `${server}\u0000${op}`;
    this.faults.set(key, { ...this.faults.get(key), ...fault });
    if (fault.rateLimit) this.buckets.delete(key);
  }

  /**
   * Takes one token from the rate-limit buckets that apply (server-wide and per operation).
   * Returns 0 when the call may go ahead, else the seconds until a token is back.
   */
  take(server: string, op: string, now: number): number {
    let wait = 0;
    for (const key of [`${server}\u0000*`, `${server}\u0000${op}`]) {
      const limit = this.faults.get(key)?.rateLimit;
      if (!limit) continue;
      const b = this.buckets.get(key) ?? { tokens: limit.capacity, at: now };
      b.tokens = Math.min(limit.capacity, b.tokens + ((now - b.at) / 1000) * limit.refillPerSecond);
      b.at = now;
      this.buckets.set(key, b);
      if (b.tokens < 1) wait = Math.max(wait, Math.ceil((1 - b.tokens) / limit.refillPerSecond));
    }
    if (wait > 0) return wait;
    for (const key of [`${server}\u0000*`, `${server}\u0000${op}`]) {
      const b = this.buckets.get(key);
      if (b && this.faults.get(key)?.rateLimit) b.tokens -= 1;
    }
    return 0;
  }

  clear(server?: string, op?: string): void {
    if (!server) {
      this.faults.clear();
      return;
    }
    for (const key of [...this.faults.keys()]) {
      const [s, o] = key.split('\u0000');
      if (s === server && (op === undefined || o === op)) {
        this.faults.delete(key);
        this.buckets.delete(key);
      }
    }
  }

  /** The fault in force for one call: the operation's own merged over the server-wide one. */
  effective(server: string, op: string): ApiFault {
    return { ...this.faults.get(`${server}\u0000*`), ...this.faults.get(`${server}\u0000${op}`) };
  }
}

export class CallCounters {
  private readonly counts = new Map<string, Map<string, number>>();

  add(server: string, op: string): void {
    let ops = this.counts.get(server);
    if (!ops) {
      ops = new Map();
      this.counts.set(server, ops);
    }
    ops.set(op, (ops.get(op) ?? 0) + 1);
  }

  get(server: string, op?: string): number {
    const ops = this.counts.get(server);
    if (!ops) return 0;
    if (op) return ops.get(op) ?? 0;
    let total = 0;
    for (const n of ops.values()) total += n;
    return total;
  }

  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [server, ops] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      out[server] = Object.fromEntries([...ops].sort(([a], [b]) => a.localeCompare(b)));
    }
    return out;
  }

  reset(): void {
    this.counts.clear();
  }
}

export async function startHttpServer(ctx: ServerContext, spec: ServerSpec): Promise<RunningServer> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hold = new RequestHold(ctx.clock);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => hold.end());
    req.on('end', () => {
      handle(ctx, spec, req, res, Buffer.concat(chunks), hold).catch((err) => {
        send(res, spec.errors.internal(`simulator error: ${(err as Error).message}`));
        hold.end();
      });
    });
  };
  const server = spec.tls ? https.createServer({ key: spec.tls.key, cert: spec.tls.cert }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const scheme = spec.tls ? 'https' : 'http';
  const close = () =>
    new Promise<void>((resolve) => {
      // Called back with ERR_SERVER_NOT_RUNNING when it already refuses: closed either way.
      server.close(() => resolve());
      server.closeAllConnections();
    });
  // One change at a time, in order: a refuse(false) must not start listening before the refuse(true) before it closed.
  let changes = Promise.resolve();
  const refuse = (on: boolean) => {
    changes = changes.then(async () => {
      if (on === !server.listening) return;
      if (on) return close();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    });
    return changes;
  };
  return { name: spec.name, url: `${scheme}://127.0.0.1:${port}`, port, refuse, close };
}

async function handle(
  ctx: ServerContext,
  spec: ServerSpec,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  hold: RequestHold,
): Promise<void> {
  const release = () => hold.end();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const simReq: SimRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => (body.length === 0 ? (undefined as T) : (JSON.parse(body.toString('utf8')) as T)),
  };
  const routed = spec.route(simReq);
  if (!('op' in routed)) {
    send(res, routed);
    release();
    return;
  }
  ctx.counters.add(spec.name, routed.op);
  const fault = ctx.faults.effective(spec.name, routed.op);
  if (fault.down || ctx.isApiDown?.(spec.name)) {
    req.socket.destroy();
    release();
    return;
  }
  if (fault.timeout) {
    // Never answered: the caller's own timeout decides. Parked on the clock, so virtual time moves on
    // even when the caller holds it while waiting.
    release();
    const giveBack = ctx.clock.lend();
    req.socket.once('close', giveBack);
    ctx.clock.setTimer(
      fault.timeoutMs ?? 120_000,
      () => {
        giveBack();
        req.socket.destroy();
      },
      `${spec.name} timeout`,
    );
    return;
  }
  if (fault.latencyMs && fault.latencyMs > 0) await hold.parked(ctx.clock.sleep(fault.latencyMs));
  return finish(ctx, spec, routed, fault, res, hold);
}

async function finish(ctx: ServerContext, spec: ServerSpec, routed: Routed, fault: ApiFault, res: http.ServerResponse, hold: RequestHold): Promise<void> {
  const call: RunContext = { idle: (work) => hold.parked(work) };
  try {
    if (fault.throttle) return send(res, spec.errors.throttled('Request limit exceeded (simulated throttling).'));
    const retryAfter = ctx.faults.take(spec.name, routed.op, ctx.clock.now());
    if (retryAfter > 0) return send(res, spec.errors.throttled('Request limit exceeded.', retryAfter));
    if (fault.errorRate && ctx.random.chance(fault.errorRate)) {
      return send(res, spec.errors.internal('Simulated internal error; retry the request.'));
    }
    send(res, await routed.run(call));
  } finally {
    hold.end();
  }
}

function send(res: http.ServerResponse, out: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...out.headers };
  let payload: string | Buffer | undefined;
  if (out.body === undefined) payload = undefined;
  else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) payload = out.body;
  else {
    payload = JSON.stringify(out.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(out.status, headers);
  res.end(payload);
}

/** Matches `path` against a pattern like `/api/v1/nodes/:name`; returns the params or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      if (a[i] === '') return undefined;
      params[p[i].slice(1)] = decodeURIComponent(a[i]);
    } else if (p[i] !== a[i]) return undefined;
  }
  return params;
}
