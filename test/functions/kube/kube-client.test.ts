import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../functions/adapters/kube/client.js';
import { isKubeApiError, isKubeConnectionError, type KubeApiError } from '../../../functions/adapters/kube/errors.js';
import { parseKubeconfig } from '../../../functions/adapters/kube/kubeconfig.js';
import { networkErrorCode } from '../../../functions/adapters/kube/network-errors.js';
import type { KubeNode } from '../../../functions/adapters/kube/types.js';
import { type Sim, startSim } from '../../../sim/index.js';

/**
 * KubeClient over the wire: against the simulated API server (TLS with the kubeconfig's CA, bearer token), and
 * against loopback servers for what the simulator does not do (client certificates, an expired continue token).
 */

let sim: Sim | undefined;
const servers: http.Server[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function simWithNodes(names: string[]): Promise<Sim> {
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
  for (const name of names) sim.world.addHomeMachine(name);
  const s = sim;
  await s.clock.until(() => names.every((n) => s.world.kube.get('nodes', undefined, n)), 120_000, 'nodes registered');
  return s;
}

async function listen<S extends http.Server>(server: S, scheme: 'http' | 'https'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as Error,
  );
}

describe('Class: KubeClient', () => {
  it('lists every Node page by page (limit and continue) with the kubeconfig of the simulated cluster', async () => {
    const s = await simWithNodes(['nuc-1', 'nuc-2', 'nuc-3', 'nuc-4', 'nuc-5']);
    const kube = new KubeClient(parseKubeconfig(s.kubeconfig, 'sim kubeconfig'), { pageSize: 2 });
    const nodes = await kube.list<KubeNode>('/api/v1/nodes');
    expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(['nuc-1', 'nuc-2', 'nuc-3', 'nuc-4', 'nuc-5']);
    expect(s.counters.get('kube', 'nodes.list')).toBe(3);
    const selected = await kube.list<KubeNode>('/api/v1/nodes', { labelSelector: 'kubernetes.io/hostname=nuc-3' });
    expect(selected.map((n) => n.metadata?.name)).toEqual(['nuc-3']);
  });

  it('creates, gets, patches (merge and strategic merge) and deletes a Node; 404 and 409 keep their status', async () => {
    const s = await simWithNodes([]);
    const kube = new KubeClient(parseKubeconfig(s.kubeconfig, 'sim kubeconfig'));
    expect(await kube.get('/api/v1/nodes/n1')).toBeUndefined();
    const created = await kube.create<KubeNode>('/api/v1/nodes', { metadata: { name: 'n1', labels: { a: '1' } } });
    expect(created.metadata?.name).toBe('n1');
    const dup = await rejection(kube.create('/api/v1/nodes', { metadata: { name: 'n1' } }));
    expect(isKubeApiError(dup) && [dup.status, dup.reason]).toEqual([409, 'AlreadyExists']);

    await kube.patch('/api/v1/nodes/n1/status', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'merge');
    // Node conditions merge by `type` under a strategic merge patch, and are replaced whole by a merge patch.
    await kube.patch('/api/v1/nodes/n1/status', { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } }, 'strategic');
    const merged = await kube.get<KubeNode>('/api/v1/nodes/n1');
    expect(merged?.status?.conditions?.map((c) => c.type).sort()).toEqual(['MemoryPressure', 'Ready']);
    await kube.patch('/api/v1/nodes/n1/status', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'merge');
    expect((await kube.get<KubeNode>('/api/v1/nodes/n1'))?.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=False']);

    await kube.patch('/api/v1/nodes/n1', { metadata: { labels: { b: '2' } } }, 'merge');
    expect((await kube.get<KubeNode>('/api/v1/nodes/n1'))?.metadata?.labels).toMatchObject({ a: '1', b: '2' });
    const stale = await rejection(kube.patch('/api/v1/nodes/n1', { metadata: { resourceVersion: '1', labels: { c: '3' } } }, 'merge'));
    expect((stale as KubeApiError).status).toBe(409);

    expect(await kube.delete('/api/v1/nodes/n1')).toBe(true);
    expect(await kube.delete('/api/v1/nodes/n1')).toBe(false);
  });

  it('a wrong token is a 401; a server whose certificate the CA did not sign is a connection error no retry matches, unless insecure-skip-tls-verify', async () => {
    const s = await simWithNodes(['nuc-1']);
    const endpoint = parseKubeconfig(s.kubeconfig, 'sim kubeconfig');
    const denied = await rejection(new KubeClient({ ...endpoint, token: 'not-the-token' }).list('/api/v1/nodes'));
    expect(isKubeApiError(denied) && denied.status).toBe(401);
    expect(denied.message).not.toContain('not-the-token');

    const otherCa = (await generate([{ name: 'commonName', value: 'another-ca' }], { keyType: 'ec', algorithm: 'sha256' })).cert;
    const untrusted = await rejection(new KubeClient({ ...endpoint, ca: otherCa }).list('/api/v1/nodes'));
    expect(isKubeConnectionError(untrusted)).toBe(true);
    expect(networkErrorCode(untrusted)).toBeUndefined();

    const insecure = new KubeClient({ ...endpoint, ca: otherCa, insecureSkipTlsVerify: true });
    expect((await insecure.list<KubeNode>('/api/v1/nodes')).map((n) => n.metadata?.name)).toEqual(['nuc-1']);
  });

  it('authenticates with the client certificate of the kubeconfig and trusts its CA', async () => {
    const ca = await generate([{ name: 'commonName', value: 'test-ca' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const signed = (cn: string, extensions: Parameters<typeof generate>[1]) =>
      generate([{ name: 'commonName', value: cn }], { keyType: 'ec', algorithm: 'sha256', ca: { key: ca.private, cert: ca.cert }, ...extensions });
    const server = await signed('kube-apiserver', {
      extensions: [
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const client = await signed('system:node:n1', { extensions: [{ name: 'extKeyUsage', clientAuth: true }] });
    const url = await listen(
      https.createServer({ key: server.private, cert: server.cert, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const subject = (req.socket as TLSSocket).getPeerCertificate().subject;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'NodeList', items: [{ metadata: { name: subject.CN } }], metadata: {} }));
      }),
      'https',
    );
    const b64 = (pem: string) => Buffer.from(pem).toString('base64');
    const kubeconfig = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: url, 'certificate-authority-data': b64(ca.cert) } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.private) } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    });
    const kube = new KubeClient(parseKubeconfig(kubeconfig, 'test kubeconfig'));
    expect((await kube.list<KubeNode>('/api/v1/nodes')).map((n) => n.metadata?.name)).toEqual(['system:node:n1']);
  });

  it('lists again in one unpaged request when a continue token has expired (410), as client-go does', async () => {
    const queries: string[] = [];
    const url = await listen(
      http.createServer((req, res) => {
        const query = new URL(req.url ?? '', 'http://x').searchParams;
        queries.push(query.toString());
        res.setHeader('content-type', 'application/json');
        if (query.get('continue')) {
          res.writeHead(410);
          res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' }));
        } else if (query.get('limit')) {
          res.end(JSON.stringify({ kind: 'NodeList', items: [{ metadata: { name: 'a' } }], metadata: { continue: 'tok' } }));
        } else {
          res.end(JSON.stringify({ kind: 'NodeList', items: ['a', 'b', 'c'].map((name) => ({ metadata: { name } })), metadata: {} }));
        }
      }),
      'http',
    );
    const kube = new KubeClient({ server: url, insecureSkipTlsVerify: false }, { pageSize: 1 });
    const nodes = await kube.list<KubeNode>('/api/v1/nodes', { labelSelector: 'x=y' });
    expect(nodes.map((n) => n.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(queries).toEqual(['labelSelector=x%3Dy&limit=1', 'labelSelector=x%3Dy&limit=1&continue=tok', 'labelSelector=x%3Dy']);
  });
});
