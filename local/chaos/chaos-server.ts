import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChaosService } from './chaos-service.js';
import { ChaosRequestError, isChaosRequestError } from './errors.js';
import type { ErrorAnswer, FaultRequest } from './types.js';

export interface ChaosServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The bearer token every call must carry (anything on the machine could reach a loopback port). */
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;

/**
 * The chaos endpoint: POST /faults injects one (a FaultRequest), GET /faults lists the lasting ones in force,
 * DELETE /faults clears them. Listens on 127.0.0.1 only; answers 401 without the bearer token.
 */
export async function startChaosServer(service: ChaosService): Promise<ChaosServer> {
  const token = randomBytes(32).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      return send(res, 401, error('Unauthorized', 'missing or wrong bearer token: use the chaosToken of the endpoints file'));
    }
    readBody(req)
      .then((body) => route(service, req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1').pathname, body))
      .then(([status, answer]) => send(res, status, answer))
      .catch((err) => {
        if (isChaosRequestError(err)) send(res, 400, error(err.code, err.message));
        else send(res, 500, error('InternalError', (err as Error).message));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(service: ChaosService, method: string, path: string, body: string): Promise<[number, unknown]> {
  if (path !== '/faults') return [404, error('NotFound', `no ${path} here: the chaos endpoint serves /faults`)];
  if (method === 'GET') return [200, { faults: service.list(), clock: service.clock() }];
  if (method === 'DELETE') return [200, { cleared: await service.clear(), clock: service.clock() }];
  if (method === 'POST') return [200, { injected: await service.inject(parseRequest(body)), clock: service.clock() }];
  return [405, error('MethodNotAllowed', `${method} /faults: use GET, POST or DELETE`)];
}

function parseRequest(body: string): FaultRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw badRequest('the body must be a JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('the body must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r.fault !== 'string') throw badRequest('"fault" must be a string');
  for (const field of ['provider', 'region', 'target'] as const)
    if (r[field] !== undefined && typeof r[field] !== 'string') throw badRequest(`"${field}" must be a string`);
  if (r.forMs !== undefined && typeof r.forMs !== 'number') throw badRequest('"forMs" must be a number');
  if (r.periodMs !== undefined && typeof r.periodMs !== 'number') throw badRequest('"periodMs" must be a number');
  return {
    fault: r.fault,
    ...(r.provider !== undefined ? { provider: r.provider as string } : {}),
    ...(r.region !== undefined ? { region: r.region as string } : {}),
    ...(r.target !== undefined ? { target: r.target as string } : {}),
    ...(r.forMs !== undefined ? { forMs: r.forMs as number } : {}),
    ...(r.periodMs !== undefined ? { periodMs: r.periodMs as number } : {}),
  };
}

function badRequest(message: string): ChaosRequestError {
  return new ChaosRequestError('BadRequest', message);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(badRequest(`the body is over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function error(code: string, message: string): ErrorAnswer {
  return { error: { code, message } };
}

function send(res: http.ServerResponse, status: number, answer: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(answer);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}
