import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../functions/adapters/kube/client.js';
import { KubeNodeApi } from '../../../functions/adapters/kube/nodes.js';
import { KubePodApi } from '../../../functions/adapters/kube/pods.js';
import { TransientError } from '../../../functions/runtime/errors.js';

/**
 * The drain calls of the Kubernetes adapter, through the real KubeClient against a loopback server that records what
 * it was asked and answers as the API server does (the simulator's behaviour is covered end to end in
 * test/integration/provisioning/remove-node.test.ts).
 */

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body: unknown;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(answer: (req: Seen) => { status: number; body: unknown }): Promise<{ client: KubeClient; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined };
      seen.push(s);
      const out = answer(s);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new KubeClient(
    { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't', insecureSkipTlsVerify: false },
    { pageSize: 2 },
  );
  return { client, seen };
}

const status = (code: number, reason: string) => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason },
});

describe('Class: KubePodApi', () => {
  it("lists the node's pods across pages by field selector, with owner kind, mirror and terminating read from each pod", async () => {
    const pods = [
      { metadata: { name: 'web-1', namespace: 'default', ownerReferences: [{ kind: 'ReplicaSet', controller: true }] }, status: { phase: 'Running' } },
      { metadata: { name: 'agent-x', namespace: 'kube-system', ownerReferences: [{ kind: 'DaemonSet', controller: true }] } },
      { metadata: { name: 'etcd-n1', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'abc' } } },
      { metadata: { name: 'web-2', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z' } },
    ];
    const { client, seen } = await serve((req) => {
      const page = new URL(req.url, 'http://x').searchParams.get('continue') ? 1 : 0;
      return { status: 200, body: { items: pods.slice(page * 2, page * 2 + 2), metadata: page === 0 ? { continue: 'next' } : {} } };
    });
    const out = await new KubePodApi(client).listOnNode('n1');
    expect(seen).toHaveLength(2);
    const query = new URL(seen[0].url, 'http://x');
    expect(query.pathname).toBe('/api/v1/pods');
    expect(query.searchParams.get('fieldSelector')).toBe('spec.nodeName=n1');
    expect(out).toEqual([
      { namespace: 'default', name: 'web-1', controllerKind: 'ReplicaSet', mirror: false, terminating: false, phase: 'Running' },
      { namespace: 'kube-system', name: 'agent-x', controllerKind: 'DaemonSet', mirror: false, terminating: false },
      { namespace: 'kube-system', name: 'etcd-n1', mirror: true, terminating: false },
      { namespace: 'default', name: 'web-2', mirror: false, terminating: true },
    ]);
  });

  it('posts a policy/v1 Eviction to the eviction subresource; 429 (a budget) is blocked, 404 gone, 5xx retryable', async () => {
    const answers = [
      { status: 201, body: { kind: 'Status', status: 'Success' } },
      status(429, 'TooManyRequests'),
      status(404, 'NotFound'),
      status(503, 'ServiceUnavailable'),
    ];
    const { client, seen } = await serve(() => answers.shift()!);
    const pods = new KubePodApi(client);
    expect(await pods.evict('default', 'web-1')).toBe('evicted');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/namespaces/default/pods/web-1/eviction',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1', namespace: 'default' } },
    });
    expect(await pods.evict('default', 'web-1')).toBe('blocked');
    expect(await pods.evict('default', 'web-1')).toBe('gone');
    await expect(pods.evict('default', 'web-1')).rejects.toBeInstanceOf(TransientError);
  });

  it('deletes a pod (the force path); one already gone is not an error', async () => {
    const answers = [{ status: 200, body: {} }, status(404, 'NotFound')];
    const { client, seen } = await serve(() => answers.shift()!);
    const pods = new KubePodApi(client);
    expect(await pods.delete('default', 'web-1')).toBe(true);
    expect(await pods.delete('default', 'web-1')).toBe(false);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['DELETE /api/v1/namespaces/default/pods/web-1', 'DELETE /api/v1/namespaces/default/pods/web-1']);
  });
});

describe('Class: KubeNodeApi', () => {
  it('cordons with a merge patch of spec.unschedulable; a Node already gone answers false', async () => {
    const answers = [{ status: 200, body: {} }, status(404, 'NotFound')];
    const { client, seen } = await serve(() => answers.shift()!);
    const nodes = new KubeNodeApi(client);
    expect(await nodes.cordon('n1')).toBe(true);
    expect(seen[0]).toMatchObject({
      method: 'PATCH',
      url: '/api/v1/nodes/n1',
      contentType: 'application/merge-patch+json',
      body: { spec: { unschedulable: true } },
    });
    expect(await nodes.cordon('n1')).toBe(false);
  });
});
