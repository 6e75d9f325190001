import https from 'node:https';
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type V1Node,
  type V1ReplicaSet,
  type V1ReplicaSetSpec,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';
import { podReady, readyStatus } from '../../sim/world/cluster/status.js';
import type { KubeObject } from '../../sim/world/types.js';

let sim: Sim;

afterEach(async () => {
  await sim?.stop();
});

/** A sim with only the Kubernetes API and home machines that join as Ready nodes. */
async function start(nodeNames: string[] = ['nuc-1', 'nuc-2', 'nuc-3']) {
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
  for (const name of nodeNames) sim.world.addHomeMachine(name);
  await sim.clock.until(() => nodeNames.every((n) => isReady(n)), 120_000, 'nodes Ready');
  return clients(sim.kubeconfig);
}

function clients(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), policy: kc.makeApiClient(PolicyV1Api) };
}

function isReady(name: string): boolean {
  const node = sim.world.kube.get('nodes', undefined, name);
  return node !== undefined && readyStatus(node) === 'True';
}

function storedNode(name: string): KubeObject {
  return sim.world.kube.mustGet('nodes', undefined, name);
}

/** The rejection of an SDK call, with its Status body parsed. */
async function rejection(call: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiException);
  const { code, body } = err as ApiException<string>;
  return { code, status: body ? JSON.parse(body) : {} };
}

/** A plain HTTPS request to the API server, trusting the sim's CA. */
function raw(
  method: string,
  path: string,
  options: { token?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(sim.endpoints.kube);
  const token = options.token === undefined ? sim.credentials.kube.token : options.token;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method,
        ca: sim.caCert,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function replicaSet(name: string, replicas: number, cpu = '1500m'): V1ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: { requests: { cpu } } }] },
      },
    },
  };
}

function runningPods(app: string): KubeObject[] {
  return sim.world.kube.list('pods', { labelSelector: `app=${app}` }).filter((p) => podReady(p) && !p.metadata.deletionTimestamp);
}

async function runReplicaSet(name: string, replicas: number): Promise<KubeObject[]> {
  sim.world.kube.create('replicasets', replicaSet(name, replicas) as KubeObject);
  await sim.clock.until(() => runningPods(name).length === replicas, 60_000, `${name} pods running`);
  return runningPods(name);
}

describe('authentication', () => {
  it('answers 401 Unauthorized without a token and with a wrong one', async () => {
    await start([]);
    const none = await raw('GET', '/api/v1/nodes', { token: null });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });

    const wrong = clients(sim.kubeconfig.replace(sim.credentials.kube.token, 'sim-not-the-token'));
    const { code } = await rejection(wrong.core.listNode());
    expect(code).toBe(401);
    expect(sim.counters.get('kube', 'nodes.list')).toBe(0);
  });
});

describe('discovery', () => {
  it('serves /version, /api, /api/v1 with pods/eviction, and the apps and policy groups', async () => {
    await start([]);
    const version = JSON.parse((await raw('GET', '/version')).body);
    expect(version).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.2' });
    expect(JSON.parse((await raw('GET', '/api')).body)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });

    const core = JSON.parse((await raw('GET', '/api/v1')).body);
    const byName = new Map(core.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get('nodes')).toMatchObject({ kind: 'Node', namespaced: false, shortNames: ['no'] });
    expect(byName.get('pods')).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(byName.get('namespaces')).toMatchObject({ kind: 'Namespace', shortNames: ['ns'] });
    expect(byName.get('pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(byName.get('nodes')).toHaveProperty('verbs', expect.arrayContaining(['get', 'list', 'patch', 'update', 'delete']));

    const groups = JSON.parse((await raw('GET', '/apis')).body);
    expect(groups.groups.map((g: { preferredVersion: { groupVersion: string } }) => g.preferredVersion.groupVersion)).toEqual([
      'apps/v1',
      'events.k8s.io/v1',
      'coordination.k8s.io/v1',
      'policy/v1',
    ]);
    const apps = JSON.parse((await raw('GET', '/apis/apps/v1')).body);
    expect(apps.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['daemonsets', 'replicasets']));
    const policy = JSON.parse((await raw('GET', '/apis/policy/v1')).body);
    expect(policy.resources[0]).toMatchObject({ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'] });

    // Aggregated discovery is not served: a client that lists plain JSON as a fallback gets it.
    const aggregated = await raw('GET', '/apis', {
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' },
    });
    expect(JSON.parse(aggregated.body).kind).toBe('APIGroupList');
    expect((await raw('GET', '/apis/batch/v1')).status).toBe(404);
  });
});

describe('nodes', () => {
  it('lists with label and field selectors, and pages with limit and continue', async () => {
    const { core } = await start(['nuc-1', 'nuc-2', 'nuc-3', 'nuc-4', 'nuc-5']);
    const byLabel = await core.listNode({ labelSelector: 'kubernetes.io/hostname in (nuc-2,nuc-4)' });
    expect(byLabel.items.map((n) => n.metadata?.name)).toEqual(['nuc-2', 'nuc-4']);
    const byField = await core.listNode({ fieldSelector: 'metadata.name=nuc-3' });
    expect(byField.items.map((n) => n.metadata?.name)).toEqual(['nuc-3']);

    const names: string[] = [];
    const remaining: Array<number | undefined> = [];
    let token: string | undefined;
    do {
      const page = await core.listNode({ limit: 2, _continue: token });
      expect(page.items.length).toBeLessThanOrEqual(2);
      names.push(...page.items.map((n) => n.metadata?.name as string));
      remaining.push(page.metadata?.remainingItemCount);
      token = page.metadata?._continue || undefined;
    } while (token);
    expect(names).toEqual(['nuc-1', 'nuc-2', 'nuc-3', 'nuc-4', 'nuc-5']);
    expect(remaining).toEqual([3, 1, undefined]);
    expect(sim.counters.get('kube', 'nodes.list')).toBe(5);

    const bad = await rejection(core.listNode({ limit: 2, _continue: 'not-a-token' }));
    expect(bad).toMatchObject({ code: 400, status: { reason: 'BadRequest' } });
  });

  it('a continue token outlives etcd compaction (every 5 min) only until a compaction passes it: then 410 Expired and a token to go on', async () => {
    const { core } = await start(['nuc-1', 'nuc-2', 'nuc-3']);
    const first = await core.listNode({ limit: 1 });
    const token = first.metadata?._continue as string;
    // Fresh within the window: the next page comes.
    expect((await core.listNode({ limit: 1, _continue: token })).items.map((n) => n.metadata?.name)).toEqual(['nuc-2']);
    sim.world.kube.mutate('nodes', undefined, 'nuc-3', (n) => {
      n.metadata.labels = { ...n.metadata.labels, touched: 'yes' };
    });
    await sim.clock.sleep(600_000);
    const expired = await rejection(core.listNode({ limit: 1, _continue: token }));
    expect(expired).toMatchObject({ code: 410, status: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(expired.status.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    const fresh = (expired.status.metadata as { continue?: string }).continue;
    expect(fresh).toBeTruthy();
    const rest = await core.listNode({ _continue: fresh });
    expect(rest.items.map((n) => n.metadata?.name)).toEqual(['nuc-2', 'nuc-3']);
  });

  it('answers 400 with "field label not supported" for a field selector on a field the resource cannot be selected on', async () => {
    const { core, apps } = await start(['nuc-1']);
    await runReplicaSet('web', 1);
    // Nodes take metadata.name and spec.unschedulable only (no metadata.namespace: they are cluster-scoped).
    for (const fieldSelector of ['metadata.namespace=default', 'status.phase=Running', 'spec.nodeName=nuc-1']) {
      const field = fieldSelector.split('=')[0];
      expect(await rejection(core.listNode({ fieldSelector }))).toMatchObject({
        code: 400,
        status: { kind: 'Status', status: 'Failure', reason: 'BadRequest', message: `field label not supported: ${field}`, code: 400 },
      });
    }
    expect((await core.listNode({ fieldSelector: 'spec.unschedulable=false' })).items.map((n) => n.metadata?.name)).toEqual(['nuc-1']);
    // Pods take their own set; DaemonSets only metadata.name and metadata.namespace; ReplicaSets also status.replicas.
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=nuc-1,spec.restartPolicy=Always' })).items).toHaveLength(1);
    expect((await rejection(core.listPodForAllNamespaces({ fieldSelector: 'spec.unschedulable=false' }))).status.message).toBe(
      'field label not supported: spec.unschedulable',
    );
    expect((await apps.listNamespacedReplicaSet({ namespace: 'default', fieldSelector: 'status.replicas=1' })).items).toHaveLength(1);
    expect((await rejection(apps.listNamespacedDaemonSet({ namespace: 'default', fieldSelector: 'status.replicas=1' }))).status.message).toBe(
      'field label not supported: status.replicas',
    );
    expect((await rejection(core.listNode({ fieldSelector: 'metadata.name' }))).code).toBe(400);
  });

  it('gets a node as the world stores it, and 404 NotFound for one that does not exist', async () => {
    const { core } = await start(['nuc-1']);
    const node = await core.readNode({ name: 'nuc-1' });
    expect(node.metadata?.resourceVersion).toBe(storedNode('nuc-1').metadata.resourceVersion);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.31.2');

    const missing = await rejection(core.readNode({ name: 'nuc-9' }));
    expect(missing).toMatchObject({ code: 404, status: { reason: 'NotFound', message: 'nodes "nuc-9" not found' } });
  });

  it('applies a merge patch to labels and unschedulable', async () => {
    const { core } = await start(['nuc-1']);
    const patched = await core.patchNode(
      { name: 'nuc-1', body: { metadata: { labels: { tier: 'edge' } }, spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.spec?.unschedulable).toBe(true);
    const stored = storedNode('nuc-1');
    expect(stored.metadata.labels).toMatchObject({ tier: 'edge', 'kubernetes.io/hostname': 'nuc-1' });
    expect(stored.spec.unschedulable).toBe(true);

    // null removes a key (what `kubectl uncordon` and `kubectl label foo-` send).
    await core.patchNode(
      { name: 'nuc-1', body: { metadata: { labels: { tier: null } }, spec: { unschedulable: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(storedNode('nuc-1').metadata.labels).not.toHaveProperty('tier');
    expect(storedNode('nuc-1').spec.unschedulable).toBeUndefined();
    expect(sim.counters.get('kube', 'nodes.patch')).toBe(2);
  });

  it('applies a strategic merge patch: taints replace, conditions and addresses merge by type', async () => {
    const { core } = await start(['nuc-1']);
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await core.patchNode({ name: 'nuc-1', body: { spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } } }, strategic);
    await core.patchNode({ name: 'nuc-1', body: { spec: { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] } } }, strategic);
    expect(storedNode('nuc-1').spec.taints).toEqual([{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }]);

    // Status only changes through the status subresource; conditions merge by type.
    await core.patchNode({ name: 'nuc-1', body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } } }, strategic);
    expect(readyStatus(storedNode('nuc-1'))).toBe('True');
    await core.patchNodeStatus(
      {
        name: 'nuc-1',
        body: {
          status: {
            conditions: [{ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' }],
            addresses: [{ type: 'ExternalIP', $patch: 'delete' }],
          },
        },
      },
      strategic,
    );
    const stored = storedNode('nuc-1');
    const conditions = stored.status.conditions as Array<{ type: string; status: string }>;
    expect(conditions.map((c) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    expect(conditions.find((c) => c.type === 'DiskPressure')?.status).toBe('True');
    expect(conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(stored.status.addresses.map((a: { type: string }) => a.type)).toEqual(['InternalIP', 'Hostname']);
  });

  it('applies a JSON patch with a test operation, and applies nothing when the test fails', async () => {
    const { core } = await start(['nuc-1']);
    const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    await core.patchNode(
      {
        name: 'nuc-1',
        body: [
          { op: 'test', path: '/metadata/labels/kubernetes.io~1hostname', value: 'nuc-1' },
          { op: 'add', path: '/metadata/labels/zone', value: 'attic' },
          { op: 'add', path: '/spec/unschedulable', value: true },
        ],
      },
      jsonPatch,
    );
    expect(storedNode('nuc-1').metadata.labels?.zone).toBe('attic');
    expect(storedNode('nuc-1').spec.unschedulable).toBe(true);

    const failed = await rejection(
      core.patchNode(
        {
          name: 'nuc-1',
          body: [
            { op: 'replace', path: '/metadata/labels/zone', value: 'cellar' },
            { op: 'test', path: '/spec/unschedulable', value: false },
          ],
        },
        jsonPatch,
      ),
    );
    expect(failed).toMatchObject({ code: 422, status: { reason: 'Invalid' } });
    expect(storedNode('nuc-1').metadata.labels?.zone).toBe('attic');
  });

  it('refuses other patch media types with 415 UnsupportedMediaType', async () => {
    const { core } = await start(['nuc-1']);
    const { code, status } = await rejection(
      core.patchNode({ name: 'nuc-1', body: { metadata: { labels: { a: 'b' } } } }, setHeaderOptions('Content-Type', 'text/plain')),
    );
    expect(code).toBe(415);
    expect(status).toMatchObject({ reason: 'UnsupportedMediaType' });
    expect(status.message).toContain('application/merge-patch+json');
    expect(storedNode('nuc-1').metadata.labels).not.toHaveProperty('a');
  });

  it('answers 409 Conflict to a PUT or patch carrying a stale resourceVersion', async () => {
    const { core } = await start(['nuc-1']);
    const before = await core.readNode({ name: 'nuc-1' });
    await core.patchNode({ name: 'nuc-1', body: { metadata: { labels: { owner: 'a' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

    const stale: V1Node = { ...before, metadata: { ...before.metadata, labels: { ...before.metadata?.labels, owner: 'b' } } };
    const put = await rejection(core.replaceNode({ name: 'nuc-1', body: stale }));
    expect(put).toMatchObject({ code: 409, status: { reason: 'Conflict' } });
    const patch = await rejection(
      core.patchNode(
        { name: 'nuc-1', body: { metadata: { resourceVersion: before.metadata?.resourceVersion, labels: { owner: 'c' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(patch).toMatchObject({ code: 409, status: { reason: 'Conflict' } });
    expect(storedNode('nuc-1').metadata.labels?.owner).toBe('a');

    // With the current resourceVersion the PUT goes through.
    const fresh = await core.readNode({ name: 'nuc-1' });
    fresh.metadata = { ...fresh.metadata, labels: { ...fresh.metadata?.labels, owner: 'd' } };
    await core.replaceNode({ name: 'nuc-1', body: fresh });
    expect(storedNode('nuc-1').metadata.labels?.owner).toBe('d');
  });

  it('deletes a node: gone from the world, its pods garbage-collected', async () => {
    const { core } = await start();
    const pods = await runReplicaSet('web', 4);
    const victim = pods[0].spec.nodeName as string;
    expect(sim.world.cluster.podsOnNode(victim).length).toBeGreaterThan(0);

    const status = await core.deleteNode({ name: victim });
    expect(status.status).toBe('Success');
    expect(sim.world.kube.get('nodes', undefined, victim)).toBeUndefined();
    expect(sim.world.kube.list('pods').filter((p) => p.spec.nodeName === victim)).toEqual([]);
    expect(sim.world.timeline.some((e) => e.type === 'node.deleted' && e.subject === victim)).toBe(true);
  });

  it('creates a node through the API; 409 AlreadyExists for a taken name, 422 Invalid for a bad one', async () => {
    const { core } = await start(['nuc-1']);
    const created = await core.createNode({ body: { metadata: { name: 'virtual-1', labels: { kind: 'virtual' } } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(storedNode('virtual-1').metadata.labels).toEqual({ kind: 'virtual' });
    expect(await rejection(core.createNode({ body: { metadata: { name: 'nuc-1' } } }))).toMatchObject({
      code: 409,
      status: { reason: 'AlreadyExists' },
    });
    expect(await rejection(core.createNode({ body: { metadata: { name: 'Bad_Name' } } }))).toMatchObject({
      code: 422,
      status: { reason: 'Invalid', details: { causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }] } },
    });
  });
});

describe('pods', () => {
  it('lists across namespaces and per namespace by spec.nodeName, status.phase and labels', async () => {
    const { core } = await start();
    await runReplicaSet('web', 4);
    const node = sim.world.kube.list('nodes')[0].metadata.name;
    const expected = sim.world.cluster
      .podsOnNode(node)
      .map((p) => p.metadata.name)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
    expect(onNode.items.map((p) => p.metadata?.name).sort()).toEqual(expected);

    const running = await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'status.phase=Running', labelSelector: 'app=web' });
    expect(running.items).toHaveLength(4);
    expect((await core.listNamespacedPod({ namespace: 'kube-system' })).items).toEqual([]);
  });

  it('creates a pod the scheduler binds; 404 in a missing namespace; 422 without containers', async () => {
    const { core } = await start(['nuc-1']);
    const pod = await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { generateName: 'job-' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
    });
    const name = pod.metadata?.name as string;
    expect(name).toMatch(/^job-[a-z0-9]{5}$/);
    await sim.clock.until(() => sim.world.kube.get('pods', 'default', name)?.status?.phase === 'Running', 10_000, 'pod running');
    expect(sim.world.kube.get('pods', 'default', name)?.spec.nodeName).toBe('nuc-1');

    const missing = await rejection(
      core.createNamespacedPod({ namespace: 'nowhere', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'm', image: 'i' }] } } }),
    );
    expect(missing).toMatchObject({ code: 404, status: { message: 'namespaces "nowhere" not found' } });
    const invalid = await rejection(core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'empty' }, spec: { containers: [] } } }));
    expect(invalid).toMatchObject({ code: 422, status: { reason: 'Invalid', message: 'Pod "empty" is invalid: spec.containers: Required value' } });
    expect(sim.world.kube.get('pods', 'default', 'empty')).toBeUndefined();
  });

  it('applies strategic merge patch to pods: containers merge by name, finalizers as a set, $patch replace and delete directives', async () => {
    const { core } = await start(['nuc-1']);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'two', labels: { app: 'two', tier: 'web' }, finalizers: ['example.com/a'] },
        spec: {
          containers: [
            { name: 'app', image: 'app:1', env: [{ name: 'MODE', value: 'blue' }] },
            { name: 'sidecar', image: 'proxy:1' },
          ],
        },
      },
    });
    await core.patchNamespacedPod(
      {
        name: 'two',
        namespace: 'default',
        body: {
          metadata: { labels: { $patch: 'replace', app: 'two' }, finalizers: ['example.com/b'] },
          spec: { containers: [{ name: 'app', image: 'app:2', env: [{ name: 'LEVEL', value: 'debug' }] }] },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    let pod = sim.world.kube.mustGet('pods', 'default', 'two');
    expect(pod.metadata.labels).toEqual({ app: 'two' });
    expect(pod.metadata.finalizers).toEqual(['example.com/a', 'example.com/b']);
    expect(pod.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual(['app=app:2', 'sidecar=proxy:1']);
    expect(pod.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['MODE', 'LEVEL']);

    await core.patchNamespacedPod(
      {
        name: 'two',
        namespace: 'default',
        body: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a'] }, spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    pod = sim.world.kube.mustGet('pods', 'default', 'two');
    expect(pod.metadata.finalizers).toEqual(['example.com/b']);
    expect(pod.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
  });

  it('checks but does not persist dry-run writes', async () => {
    const { core } = await start(['nuc-1']);
    const created = await core.createNode({ body: { metadata: { name: 'ghost' } }, dryRun: 'All' });
    expect(created.metadata?.name).toBe('ghost');
    expect(sim.world.kube.get('nodes', undefined, 'ghost')).toBeUndefined();
    const patched = await core.patchNode(
      { name: 'nuc-1', body: { spec: { unschedulable: true } }, dryRun: 'All' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.spec?.unschedulable).toBe(true);
    expect(storedNode('nuc-1').spec.unschedulable).toBeUndefined();
    await core.deleteNode({ name: 'nuc-1', dryRun: 'All' });
    expect(sim.world.kube.get('nodes', undefined, 'nuc-1')).toBeDefined();
  });

  it('deletes a pod gracefully (Terminating, then gone) or at once with gracePeriodSeconds=0', async () => {
    const { core } = await start(['nuc-1']);
    for (const name of ['slow', 'fast']) {
      await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name }, spec: { containers: [{ name: 'm', image: 'i' }] } } });
    }
    await sim.clock.until(() => sim.world.kube.list('pods').every(podReady), 10_000, 'pods running');

    const terminating = await core.deleteNamespacedPod({ name: 'slow', namespace: 'default' });
    expect(terminating.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(sim.world.kube.get('pods', 'default', 'slow')?.metadata.deletionTimestamp).toBeTruthy();
    await sim.clock.until(() => !sim.world.kube.get('pods', 'default', 'slow'), 60_000, 'pod gone');

    await core.deleteNamespacedPod({ name: 'fast', namespace: 'default', gracePeriodSeconds: 0 });
    expect(sim.world.kube.get('pods', 'default', 'fast')).toBeUndefined();
  });

  it('evicts a pod (201) unless a PodDisruptionBudget blocks it (429 TooManyRequests)', async () => {
    const { core, policy } = await start();
    const pods = await runReplicaSet('web', 2);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
    });
    const victim = pods[0].metadata.name;
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: 'default' } };

    const blocked = await rejection(core.createNamespacedPodEviction({ name: victim, namespace: 'default', body: eviction }));
    expect(blocked.code).toBe(429);
    expect(blocked.status).toMatchObject({ reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget' }] } });
    expect(sim.world.kube.get('pods', 'default', victim)?.metadata.deletionTimestamp).toBeUndefined();

    await policy.patchNamespacedPodDisruptionBudget(
      { name: 'web', namespace: 'default', body: { spec: { minAvailable: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const ok = await core.createNamespacedPodEviction({ name: victim, namespace: 'default', body: eviction });
    // The SDK reads the body as an Eviction; the server sends a success Status.
    expect(ok.kind).toBe('Status');
    expect(sim.world.kube.get('pods', 'default', victim)?.metadata.deletionTimestamp).toBeTruthy();
    expect(sim.counters.get('kube', 'pods.evict')).toBe(2);
    await sim.clock.until(() => !sim.world.kube.get('pods', 'default', victim) && runningPods('web').length === 2, 60_000, 'replacement running');
  });
});

describe('node heartbeats (Leases in kube-node-lease)', () => {
  it('renewTime advances every 10 s while the kubelet runs, stops when it is cut off, resumes after; the Lease goes with its Node', async () => {
    await start(['nuc-1', 'nuc-2']);
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const renewTime = async (name: string) =>
      Date.parse(String((await coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' })).spec?.renewTime));

    const leases = await coordination.listNamespacedLease({ namespace: 'kube-node-lease' });
    expect(leases.items.map((l) => [l.metadata?.name, l.spec?.holderIdentity, l.spec?.leaseDurationSeconds])).toEqual([
      ['nuc-1', 'nuc-1', 40],
      ['nuc-2', 'nuc-2', 40],
    ]);
    expect(leases.items[0].metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'nuc-1', uid: storedNode('nuc-1').metadata.uid });
    const t0 = await renewTime('nuc-1');
    await sim.clock.sleep(35_000);
    const t1 = await renewTime('nuc-1');
    expect(t1 - t0).toBeGreaterThanOrEqual(30_000);
    expect(sim.clock.now() - t1).toBeLessThan(10_000);

    sim.world.setPartition(['nuc-1'], true);
    const cutAt = sim.clock.now();
    await sim.clock.sleep(120_000);
    const stopped = await renewTime('nuc-1');
    expect(stopped).toBeLessThanOrEqual(cutAt);
    expect(cutAt - stopped).toBeLessThan(10_000);
    expect(sim.clock.now() - (await renewTime('nuc-2'))).toBeLessThan(10_000);

    sim.world.setPartition(['nuc-1'], false);
    await sim.clock.sleep(25_000);
    expect(sim.clock.now() - (await renewTime('nuc-1'))).toBeLessThan(10_000);

    await (await clients(sim.kubeconfig)).core.deleteNode({ name: 'nuc-2' });
    expect((await rejection(coordination.readNamespacedLease({ name: 'nuc-2', namespace: 'kube-node-lease' }))).code).toBe(404);
  });
});

describe('eviction of pods that are not Ready (kubernetes pkg/registry/core/pod/storage/eviction.go)', () => {
  /** Three web pods, one per node, a PDB, and the node of one pod cut off until that pod is not Ready. */
  async function unreadyPodBehindBudget(spec: Record<string, unknown>) {
    const { core, policy } = await start();
    const pods = await runReplicaSet('web', 3);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } },
    });
    const victim = pods[0];
    sim.world.setPartition([victim.spec.nodeName], true);
    await sim.clock.until(() => !podReady(sim.world.kube.mustGet('pods', 'default', victim.metadata.name)), 120_000, 'victim not Ready');
    const evict = () =>
      core.createNamespacedPodEviction({
        name: victim.metadata.name,
        namespace: 'default',
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata.name, namespace: 'default' } },
      });
    return { policy, victim, evict };
  }

  it('IfHealthyBudget (the default): 429 when the budget is not healthy (currentHealthy < desiredHealthy)', async () => {
    const { evict, victim } = await unreadyPodBehindBudget({ minAvailable: 3 });
    const blocked = await rejection(evict());
    expect(blocked).toMatchObject({ code: 429, status: { reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget' }] } } });
    expect((blocked.status.details as { causes: Array<{ message: string }> }).causes[0].message).toBe(
      'The disruption budget web needs 3 healthy pods and has 2 currently',
    );
    expect(sim.world.kube.get('pods', 'default', victim.metadata.name)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('IfHealthyBudget: an unhealthy pod is evicted when currentHealthy >= desiredHealthy > 0, although no disruption is left', async () => {
    const { evict, victim } = await unreadyPodBehindBudget({ minAvailable: 2 });
    const pdbStatus = () => sim.world.kube.mustGet('poddisruptionbudgets', 'default', 'web').status;
    await sim.clock.until(() => pdbStatus()?.currentHealthy === 2, 10_000, 'PDB status');
    expect(pdbStatus()).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect((await evict()).kind).toBe('Status');
    expect(sim.world.kube.get('pods', 'default', victim.metadata.name)?.metadata.deletionTimestamp).toBeTruthy();
  });

  it('AlwaysAllow: an unhealthy pod is evicted whatever the budget; an unknown policy is refused with 422', async () => {
    const { evict, policy } = await unreadyPodBehindBudget({ minAvailable: 3, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect((await evict()).kind).toBe('Status');
    const bad = await rejection(
      policy.createNamespacedPodDisruptionBudget({
        namespace: 'default',
        body: { metadata: { name: 'bad' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } }, unhealthyPodEvictionPolicy: 'Sometimes' } },
      }),
    );
    expect(bad).toMatchObject({ code: 422, status: { reason: 'Invalid' } });
    expect(bad.status.message).toContain('spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes"');
  });

  it("a kind world ('pdb-guards-unready-pods' off) lets an unhealthy pod go as AlwaysAllow would", async () => {
    sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' }, world: { kind: ['pdb-guards-unready-pods'] } });
    sim.world.addHomeMachine('nuc-1');
    sim.world.addHomeMachine('nuc-2');
    await sim.clock.until(() => isReady('nuc-1') && isReady('nuc-2'), 120_000, 'nodes Ready');
    const pods = await runReplicaSet('web', 2);
    sim.world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'default' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    sim.world.setPartition([pods[0].spec.nodeName], true);
    await sim.clock.until(() => !podReady(sim.world.kube.mustGet('pods', 'default', pods[0].metadata.name)), 120_000, 'not Ready');
    sim.world.cluster.evictPod('default', pods[0].metadata.name);
    expect(sim.world.kube.get('pods', 'default', pods[0].metadata.name)?.metadata.deletionTimestamp).toBeTruthy();
  });
});

describe('workloads and namespaces', () => {
  it('creates, lists, gets and deletes namespaces, ReplicaSets, DaemonSets and PDBs', async () => {
    const { core, apps, policy } = await start(['nuc-1', 'nuc-2']);
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    expect(sim.world.kube.get('namespaces', undefined, 'team-a')?.status).toEqual({ phase: 'Active' });

    await apps.createNamespacedReplicaSet({ namespace: 'team-a', body: { ...replicaSet('api', 2), metadata: { name: 'api' } } });
    await apps.createNamespacedDaemonSet({
      namespace: 'team-a',
      body: {
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
        },
      },
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'team-a',
      body: { metadata: { name: 'api' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } },
    });
    await sim.clock.until(() => sim.world.kube.list('pods', { namespace: 'team-a' }).filter(podReady).length === 4, 60_000, 'team-a pods');

    expect((await apps.listNamespacedReplicaSet({ namespace: 'team-a' })).items.map((r) => r.metadata?.name)).toEqual(['api']);
    expect((await apps.readNamespacedDaemonSet({ name: 'agent', namespace: 'team-a' })).status?.numberReady).toBe(2);
    expect((await policy.readNamespacedPodDisruptionBudget({ name: 'api', namespace: 'team-a' })).status?.disruptionsAllowed).toBe(1);
    expect((await policy.listPodDisruptionBudgetForAllNamespaces()).items).toHaveLength(1);

    // A PUT body may leave the namespace out: the URL's applies.
    const rs = await apps.readNamespacedReplicaSet({ name: 'api', namespace: 'team-a' });
    await apps.replaceNamespacedReplicaSet({
      name: 'api',
      namespace: 'team-a',
      body: { ...rs, metadata: { ...rs.metadata, namespace: undefined }, spec: { ...(rs.spec as V1ReplicaSetSpec), replicas: 1 } },
    });
    expect(sim.world.kube.get('replicasets', 'team-a', 'api')?.spec.replicas).toBe(1);

    await apps.deleteNamespacedReplicaSet({ name: 'api', namespace: 'team-a' });
    expect(sim.world.kube.get('replicasets', 'team-a', 'api')).toBeUndefined();
    await sim.clock.until(() => sim.world.kube.list('pods', { namespace: 'team-a', labelSelector: 'app=api' }).length === 0, 60_000, 'api pods gone');

    // The SDK types this answer as a Status; the API server sends the Namespace, now Terminating.
    const ns = (await core.deleteNamespace({ name: 'team-a' })) as unknown as { kind: string; status: { phase: string } };
    expect(ns).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
    expect(sim.world.kube.get('namespaces', undefined, 'team-a')).toBeUndefined();
    expect(sim.world.kube.list('daemonsets')).toEqual([]);
    expect(sim.world.kube.list('pods', { namespace: 'team-a' })).toEqual([]);
    expect(await rejection(core.deleteNamespace({ name: 'default' }))).toMatchObject({ code: 403, status: { reason: 'Forbidden' } });
  });
});

describe('tables', () => {
  it('answers kubectl-style Table requests for nodes: Ready, NotReady for Unknown, SchedulingDisabled, wide columns', async () => {
    await start(['nuc-1', 'nuc-2']);
    sim.world.setPartition(['nuc-2'], true);
    await sim.clock.until(() => readyStatus(storedNode('nuc-2')) === 'Unknown', 120_000, 'nuc-2 Unknown');
    sim.world.kube.mutate('nodes', undefined, 'nuc-1', (n) => {
      n.spec.unschedulable = true;
      n.metadata.labels = { ...n.metadata.labels, 'node-role.kubernetes.io/control-plane': '' };
    });

    const res = await raw('GET', '/api/v1/nodes?limit=500', {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' },
    });
    const table = JSON.parse(res.body);
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    const columns = table.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`);
    expect(columns).toEqual([
      'Name:0',
      'Status:0',
      'Roles:0',
      'Age:0',
      'Version:0',
      'Internal-IP:1',
      'External-IP:1',
      'OS-Image:1',
      'Kernel-Version:1',
      'Container-Runtime:1',
    ]);
    const [nuc1, nuc2] = table.rows;
    expect(nuc1.cells.slice(0, 3)).toEqual(['nuc-1', 'Ready,SchedulingDisabled', 'control-plane']);
    expect(nuc1.cells[5]).toBe(sim.world.getVm('nuc-1')?.privateIp);
    expect(nuc1.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'nuc-1' } });
    expect(nuc2.cells.slice(0, 3)).toEqual(['nuc-2', 'NotReady', '<none>']);
    // Joined ~15 s in, Unknown 40 s after the partition: an AGE under two minutes prints in seconds.
    expect(nuc2.cells[3]).toMatch(/^\d{2,3}s$/);

    const pods = JSON.parse(
      (await raw('GET', '/api/v1/pods?includeObject=None', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).body,
    );
    expect(pods.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect((await raw('GET', '/api/v1/nodes', { headers: { accept: 'application/vnd.kubernetes.protobuf' } })).status).toBe(406);
  });
});

describe('errors', () => {
  it('answers watch with 405, unknown resources with 404, and writes to collections it does not serve with 405', async () => {
    await start([]);
    const watch = await raw('GET', '/api/v1/nodes?watch=true');
    expect(watch.status).toBe(405);
    expect(JSON.parse(watch.body)).toMatchObject({ reason: 'MethodNotAllowed' });
    expect(JSON.parse(watch.body).message).toContain('watch is not supported');
    expect(JSON.parse((await raw('GET', '/api/v1/configmaps')).body)).toMatchObject({ code: 404, reason: 'NotFound' });
    expect((await raw('DELETE', '/api/v1/nodes')).status).toBe(405);
    const badJson = await raw('POST', '/api/v1/nodes', { headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(JSON.parse(badJson.body)).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('answers injected throttling with 429 and Retry-After, and injected failures with 500 InternalError', async () => {
    const { core } = await start(['nuc-1']);
    sim.faults.set('kube', 'nodes.list', { rateLimit: { capacity: 1, refillPerSecond: 0.5 } });
    await core.listNode();
    const limited = await raw('GET', '/api/v1/nodes');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(JSON.parse(limited.body)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } });

    sim.faults.clear('kube');
    sim.faults.set('kube', 'nodes.patch', { errorRate: 1 });
    const failed = await rejection(
      core.patchNode({ name: 'nuc-1', body: { metadata: { labels: { x: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
    expect(failed).toMatchObject({ code: 500, status: { reason: 'InternalError' } });
    expect(storedNode('nuc-1').metadata.labels).not.toHaveProperty('x');
  });
});

describe('home machines', () => {
  it('register their Node with the labels their kubelet was started with (--node-labels), also after a kubelet restart', async () => {
    sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
    const vm = sim.world.addHomeMachine('nuc-9', 'nuc', 'home-1', { 'shepherd.io/site': 'home', 'example.com/rack': 'a' });
    await sim.clock.until(() => isReady('nuc-9'), 120_000, 'nuc-9 Ready');
    const { core } = clients(sim.kubeconfig);
    const listed = await core.listNode({ labelSelector: 'shepherd.io/site=home' });
    expect(listed.items.map((n) => n.metadata?.name)).toEqual(['nuc-9']);
    expect(listed.items[0].metadata?.labels).toMatchObject({ 'example.com/rack': 'a', 'kubernetes.io/hostname': 'nuc-9' });
    await core.deleteNode({ name: 'nuc-9' });
    expect(sim.world.kubelets.restart(sim.world.getVm(vm.id)!)).toBe(true);
    expect((await core.readNode({ name: 'nuc-9' })).metadata?.labels).toMatchObject({ 'shepherd.io/site': 'home' });
  });
});
