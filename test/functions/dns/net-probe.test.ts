import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyStatusError } from '../../../functions/adapters/probe/dial.js';
import { FAKE_PASS, FakeTargetProbe, fakeTimeout } from '../../../functions/adapters/probe/fake-probe.js';
import { createTargetProbe, httpStatusPasses, PROBE_PROXY_ENV } from '../../../functions/adapters/probe/net-probe.js';
import type { ActiveCheck } from '../../../functions/adapters/probe/types.js';

// The probe adapter against loopback servers this test starts: real sockets, no network beyond 127.0.0.1.

const servers: Array<Server | TcpServer> = [];
const sockets = new Set<Socket>();

async function listen<T extends Server | TcpServer>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: one the kernel gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP server answering `status` to every GET, remembering the requests it saw. */
async function httpServer(status: number, seen: IncomingMessage[] = []): Promise<number> {
  return listen(
    createHttpServer((req, res) => {
      seen.push(req);
      res.writeHead(status, status >= 300 && status < 400 ? { location: '/elsewhere' } : {}).end('body');
    }),
  );
}

type ProxyDecision = { accept: number } | { refuse: true } | { blackHole: true } | { status: number; proxyStatus?: string };

/** A CONNECT proxy that decides per target what to do, like the simulator's network does. */
async function connectProxy(decide: (target: string) => ProxyDecision, targets: string[] = []): Promise<string> {
  const proxy = createHttpServer();
  proxy.on('connect', (req: IncomingMessage, client: Socket) => {
    sockets.add(client);
    const target = req.url ?? '';
    targets.push(target);
    const decision = decide(target);
    if ('blackHole' in decision) return;
    if ('refuse' in decision) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nProxy-Status: test-proxy; error=connection_refused\r\n\r\n');
      return;
    }
    if ('status' in decision) {
      const header = decision.proxyStatus ? `Proxy-Status: test-proxy; error=${decision.proxyStatus}\r\n` : '';
      client.end(`HTTP/1.1 ${decision.status} No\r\n${header}\r\n`);
      return;
    }
    const upstream = connect(decision.accept, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return `http://127.0.0.1:${await listen(proxy)}`;
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const tcp = (port: number, timeoutMs = 1000): ActiveCheck => ({ protocol: 'tcp', port, timeoutMs });
const http = (port: number, path = '/healthz', timeoutMs = 1000): ActiveCheck => ({ protocol: 'http', port, path, timeoutMs });

describe('Function: createTargetProbe (direct)', () => {
  const probe = createTargetProbe({});

  it('passes a TCP check when the port accepts, and says how long the connect took', async () => {
    const port = await listen(createTcpServer());
    const result = await probe.probe({ address: '127.0.0.1', check: tcp(port) });
    expect(result.passed).toBe(true);
    expect(result.detail).toMatch(/^connected in \d+ ms$/);
    expect(result.elapsedMs).toBeLessThan(1000);
  });

  it('fails a TCP check on a port nothing listens on as refused, well before the timeout', async () => {
    const result = await probe.probe({ address: '127.0.0.1', check: tcp(await closedPort(), 5000) });
    expect(result).toMatchObject({ passed: false, detail: 'connection refused' });
    expect(result.elapsedMs).toBeLessThan(1000);
  });

  it('passes an HTTP check on 2xx and 3xx (redirects not followed), GETting the path with the address as Host', async () => {
    const seen: IncomingMessage[] = [];
    const ok = await probe.probe({ address: '127.0.0.1', check: http(await httpServer(200, seen), '/healthz?full=1') });
    const moved = await probe.probe({ address: '127.0.0.1', check: http(await httpServer(302, seen)) });
    expect(ok).toMatchObject({ passed: true, detail: 'HTTP 200' });
    expect(moved).toMatchObject({ passed: true, detail: 'HTTP 302' });
    expect(seen.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/healthz?full=1'],
      ['GET', '/healthz'],
    ]);
    expect(seen[0]?.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('fails an HTTP check on 4xx and 5xx, naming the status', async () => {
    const unavailable = await probe.probe({ address: '127.0.0.1', check: http(await httpServer(503)) });
    const missing = await probe.probe({ address: '127.0.0.1', check: http(await httpServer(404)) });
    expect(unavailable).toMatchObject({ passed: false, detail: 'HTTP 503' });
    expect(missing).toMatchObject({ passed: false, detail: 'HTTP 404' });
  });

  it('fails an HTTP check whose server accepts but never answers, at the timeout', async () => {
    const port = await listen(createHttpServer(() => {}));
    const result = await probe.probe({ address: '127.0.0.1', check: http(port, '/', 300) });
    expect(result).toMatchObject({ passed: false, detail: 'no answer within 300 ms' });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(result.elapsedMs).toBeLessThan(1500);
  });

  it('fails an HTTP check against a port that is not HTTP', async () => {
    const port = await listen(createTcpServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const result = await probe.probe({ address: '127.0.0.1', check: http(port) });
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^check failed: /);
  });

  it('passes an HTTPS check against a certificate for another name, self-signed (not verified, as load balancers do)', async () => {
    const pems = await generate([{ name: 'commonName', value: 'not-this-address.example' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    const seen: string[] = [];
    const port = await listen(
      createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) => {
        seen.push(req.url ?? '');
        res.writeHead(204).end();
      }),
    );
    const result = await probe.probe({ address: '127.0.0.1', check: { protocol: 'https', port, path: '/ready', timeoutMs: 2000 } });
    expect(result).toMatchObject({ passed: true, detail: 'HTTP 204' });
    expect(seen).toEqual(['/ready']);
  });

  it('fails an HTTPS check against a plain HTTP server (no TLS handshake)', async () => {
    const result = await probe.probe({ address: '127.0.0.1', check: { protocol: 'https', port: await httpServer(200), path: '/', timeoutMs: 1000 } });
    expect(result.passed).toBe(false);
  });
});

describe('Function: createTargetProbe (through a CONNECT proxy)', () => {
  it('dials the target through the proxy named in the environment, the check unchanged', async () => {
    const targets: string[] = [];
    const web = await httpServer(200);
    const proxy = await connectProxy(() => ({ accept: web }), targets);
    const result = await createTargetProbe({ [PROBE_PROXY_ENV]: proxy }).probe({ address: '203.0.113.5', check: http(80) });
    expect(result).toMatchObject({ passed: true, detail: 'HTTP 200' });
    expect(targets).toEqual(['203.0.113.5:80']);
  });

  it('brackets an IPv6 target in CONNECT', async () => {
    const targets: string[] = [];
    const port = await listen(createTcpServer());
    const proxy = await connectProxy(() => ({ accept: port }), targets);
    const result = await createTargetProbe({ [PROBE_PROXY_ENV]: proxy }).probe({ address: '2001:db8::5', check: tcp(443) });
    expect(result.passed).toBe(true);
    expect(targets).toEqual(['[2001:db8::5]:443']);
  });

  it('reports a refusal the proxy signals with Proxy-Status (RFC 9209) as connection refused', async () => {
    const proxy = await connectProxy(() => ({ refuse: true }));
    const result = await createTargetProbe({ [PROBE_PROXY_ENV]: proxy }).probe({ address: '203.0.113.5', check: tcp(22, 5000) });
    expect(result).toMatchObject({ passed: false, detail: 'connection refused' });
    expect(result.elapsedMs).toBeLessThan(1000);
  });

  it('times out on a black-holed target at the check timeout, as a connect timeout', async () => {
    const proxy = await connectProxy(() => ({ blackHole: true }));
    const result = await createTargetProbe({ [PROBE_PROXY_ENV]: proxy }).probe({ address: '203.0.113.5', check: tcp(443, 300) });
    expect(result).toMatchObject({ passed: false, detail: 'connect timeout after 300 ms' });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
  });

  it('names any other proxy answer, and a proxy that is down', async () => {
    const forbidden = await connectProxy(() => ({ status: 403 }));
    const refusedByProxy = await createTargetProbe({ [PROBE_PROXY_ENV]: forbidden }).probe({ address: '203.0.113.5', check: tcp(443) });
    expect(refusedByProxy).toMatchObject({ passed: false, detail: 'connect failed: proxy answered 403' });
    const down = await createTargetProbe({ [PROBE_PROXY_ENV]: `http://127.0.0.1:${await closedPort()}` }).probe({ address: '203.0.113.5', check: tcp(443) });
    expect(down).toMatchObject({ passed: false, detail: 'probe proxy unreachable: ECONNREFUSED' });
  });
});

describe('Function: proxyStatusError', () => {
  it('reads the error parameter of a Proxy-Status header', () => {
    expect(proxyStatusError('sim; error=connection_refused')).toBe('connection_refused');
    expect(proxyStatusError('sim; error="connection_timeout"; details="x"')).toBe('connection_timeout');
    expect(proxyStatusError('sim; received-status=200')).toBeUndefined();
    expect(proxyStatusError(undefined)).toBeUndefined();
  });
});

describe('Function: httpStatusPasses', () => {
  it('passes 2xx and 3xx only', () => {
    expect([199, 200, 299, 301, 399, 400, 503].map(httpStatusPasses)).toEqual([false, true, true, true, true, false, false]);
  });
});

describe('Class: FakeTargetProbe', () => {
  it('answers from its table, by call index where asked, refuses unknown addresses, and records calls', async () => {
    const fake = new FakeTargetProbe({ '192.0.2.1': FAKE_PASS }).answer('192.0.2.2', (call) => (call % 2 === 0 ? FAKE_PASS : fakeTimeout(500)));
    const check = tcp(443);
    const results = [
      await fake.probe({ address: '192.0.2.1', check }),
      await fake.probe({ address: '192.0.2.2', check }),
      await fake.probe({ address: '192.0.2.2', check }),
      await fake.probe({ address: '192.0.2.3', check }),
    ];
    expect(results.map((r) => [r.passed, r.detail])).toEqual([
      [true, 'connected in 1 ms'],
      [true, 'connected in 1 ms'],
      [false, 'connect timeout after 500 ms'],
      [false, 'connection refused'],
    ]);
    expect(fake.calls.map((c) => c.address)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.2', '192.0.2.3']);
  });
});
