import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../functions/adapters/kube/client.js';
import { isKubeApiError } from '../../../functions/adapters/kube/errors.js';
import { KubeNodeApi, type NodeCalls } from '../../../functions/adapters/kube/nodes.js';
import { ThrottledError, TransientError } from '../../../functions/runtime/errors.js';

/**
 * Which failures the Kubernetes adapter marks retryable. HTTP statuses and socket failures come from the real
 * KubeClient talking to loopback servers that answer badly; a programming error comes from a fake.
 */

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: net.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function nodesAt(server: string, options: { idleTimeoutMs?: number } = {}): KubeNodeApi {
  return new KubeNodeApi(new KubeClient({ server, token: 'test-token', insecureSkipTlsVerify: false }, options));
}

function answering(status: number): Promise<string> {
  return listen(
    http.createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message: `answered ${status}` }));
    }),
  );
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as Error,
  );

describe('Class: KubeNodeApi', () => {
  it('retries a 503 (TransientError) and a 429 (ThrottledError)', async () => {
    const err = await failure(nodesAt(await answering(503)).get('n1'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('503');
    await expect(nodesAt(await answering(429)).list()).rejects.toBeInstanceOf(ThrottledError);
  });

  it('retries a connection reset (ECONNRESET) and a refused connection (ECONNREFUSED)', async () => {
    const reset = await listen(net.createServer((socket) => socket.resetAndDestroy()));
    const err = await failure(nodesAt(reset).get('n1'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('ECONNRESET');

    const closed = await listen(net.createServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await failure(nodesAt(closed).delete('n1'));
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('retries a response cut off mid-body (ECONNRESET) and a server that never answers (ETIMEDOUT)', async () => {
    const cut = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"kind":"NodeList","items":[');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    const err = await failure(nodesAt(cut).list());
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('ECONNRESET');

    const silent = await listen(http.createServer(() => {}));
    const timedOut = await failure(nodesAt(silent, { idleTimeoutMs: 200 }).get('n1'));
    expect(timedOut).toBeInstanceOf(TransientError);
    expect(timedOut.message).toContain('ETIMEDOUT');
  });

  it('rethrows a programming error (TypeError) as it is: not a TransientError, so no Retry matches it', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'items')");
    const calls = {
      get: async () => {
        throw bug;
      },
    } as unknown as NodeCalls;
    const err = await failure(new KubeNodeApi(calls).get('n1'));
    expect(err).toBe(bug);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err.name).toBe('TypeError');
  });

  it('rethrows a 403 (a request retrying will not fix) as it is, with its status', async () => {
    const err = await failure(nodesAt(await answering(403)).list());
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err).not.toBeInstanceOf(ThrottledError);
    expect(isKubeApiError(err) && err.status).toBe(403);
  });
});
