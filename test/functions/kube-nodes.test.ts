import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeNodeApi, type NodeCalls } from '../../functions/adapters/kube/nodes.js';
import { ThrottledError, TransientError } from '../../functions/runtime/errors.js';

/**
 * Which failures the Kubernetes adapter marks retryable. HTTP statuses and socket failures come from the real
 * @kubernetes/client-node talking to loopback servers that answer badly; a programming error comes from a fake.
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

/** client-node accepts a plain-http server only with insecure-skip-tls-verify. */
function kubeconfig(server: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'test-token' } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'c',
  });
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
    const unavailable = new KubeNodeApi(kubeconfig(await answering(503)));
    const err = await failure(unavailable.get('n1'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.name).toBe('TransientError');
    expect(err.message).toContain('503');
    await expect(new KubeNodeApi(kubeconfig(await answering(429))).list()).rejects.toBeInstanceOf(ThrottledError);
  });

  it('retries a connection reset (ECONNRESET) and a refused connection (ECONNREFUSED)', async () => {
    const reset = await listen(net.createServer((socket) => socket.resetAndDestroy()));
    const err = await failure(new KubeNodeApi(kubeconfig(reset)).get('n1'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toContain('ECONNRESET');

    const closed = await listen(net.createServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await failure(new KubeNodeApi(kubeconfig(closed)).delete('n1'));
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('rethrows a programming error (TypeError) as it is: not a TransientError, so no Retry matches it', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'items')");
    const calls = {
      readNode: async () => {
        throw bug;
      },
    } as unknown as NodeCalls;
    const err = await failure(new KubeNodeApi(calls).get('n1'));
    expect(err).toBe(bug);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err.name).toBe('TypeError');
  });

  it('rethrows a 403 (a request retrying will not fix) as it is', async () => {
    const err = await failure(new KubeNodeApi(kubeconfig(await answering(403))).list());
    expect(err).not.toBeInstanceOf(TransientError);
    expect(err).not.toBeInstanceOf(ThrottledError);
    expect((err as Error & { code?: number }).code).toBe(403);
  });
});
