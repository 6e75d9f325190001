import { ApiException, AppsV1Api, CoreV1Api, type CoreV1Event, EventsV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';
import { readyStatus } from '../../sim/world/cluster/status.js';

/**
 * Events (core/v1 and events.k8s.io/v1), Deployments and Services of the simulated API server, through the official
 * client (@kubernetes/client-node).
 */

let sim: Sim;

afterEach(async () => {
  await sim?.stop();
});

async function start(nodeNames: string[] = ['nuc-1']) {
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' } });
  for (const name of nodeNames) sim.world.addHomeMachine(name);
  await sim.clock.until(() => nodeNames.every((n) => ready(n)), 120_000, 'nodes Ready');
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  return { core: kc.makeApiClient(CoreV1Api), events: kc.makeApiClient(EventsV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

function ready(name: string): boolean {
  const node = sim.world.kube.get('nodes', undefined, name);
  return node !== undefined && readyStatus(node) === 'True';
}

function nodeUid(name: string): string {
  return sim.world.kube.mustGet('nodes', undefined, name).metadata.uid as string;
}

async function rejection(call: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiException);
  const { code, body } = err as ApiException<string>;
  return { code, status: body ? JSON.parse(body) : {} };
}

function nodeEvent(name: string, node: string, uid: string, reason: string, type = 'Normal'): CoreV1Event {
  return {
    metadata: { name, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Node', name: node, uid },
    reason,
    message: `${reason} by a test.`,
    type,
    source: { component: 'multicloud-shepherd' },
    firstTimestamp: new Date(sim.clock.now()),
    lastTimestamp: new Date(sim.clock.now()),
    count: 1,
  };
}

describe('Events (core/v1)', () => {
  it('creates, gets and lists Events; field selectors as kube-apiserver supports them; 400 for any other field', async () => {
    const { core } = await start(['nuc-1', 'nuc-2']);
    const uid = nodeUid('nuc-1');
    await core.createNamespacedEvent({ namespace: 'default', body: nodeEvent('nuc-1.a', 'nuc-1', uid, 'Labelled') });
    await core.createNamespacedEvent({ namespace: 'default', body: nodeEvent('nuc-1.b', 'nuc-1', uid, 'Removed', 'Warning') });
    await core.createNamespacedEvent({ namespace: 'default', body: nodeEvent('nuc-2.a', 'nuc-2', nodeUid('nuc-2'), 'Labelled') });
    const got = await core.readNamespacedEvent({ namespace: 'default', name: 'nuc-1.b' });
    expect(got).toMatchObject({ reason: 'Removed', type: 'Warning', involvedObject: { kind: 'Node', name: 'nuc-1', uid }, count: 1 });

    const names = async (fieldSelector: string) => (await core.listEventForAllNamespaces({ fieldSelector })).items.map((e) => e.metadata?.name);
    // What kubectl describe node sends (name, namespace (empty), kind and uid) finds the node-controller's Event too.
    const described = `involvedObject.name=nuc-1,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=${uid}`;
    expect(await names(`${described},source=multicloud-shepherd`)).toEqual(['nuc-1.a', 'nuc-1.b']);
    expect(await names(`${described},source=node-controller`)).toEqual([expect.stringMatching(/^nuc-1\.[0-9a-f]+$/)]);
    expect(await names('source=multicloud-shepherd,type=Warning')).toEqual(['nuc-1.b']);
    expect(await names('reason=Labelled,involvedObject.name!=nuc-1')).toEqual(['nuc-2.a']);

    const refused = await rejection(core.listEventForAllNamespaces({ fieldSelector: 'message=Labelled by a test.' }));
    expect(refused).toMatchObject({ code: 400, status: { reason: 'BadRequest', message: 'field label not supported: message' } });
  });

  it('refuses an Event outside its object namespace (422), as kube-apiserver validation does', async () => {
    const { core } = await start();
    const body = { ...nodeEvent('pod.a', 'web-1', 'x', 'Killing'), involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'kube-system' } };
    const refused = await rejection(core.createNamespacedEvent({ namespace: 'default', body }));
    expect(refused).toMatchObject({ code: 422, status: { reason: 'Invalid' } });
    expect(refused.status.message).toContain('involvedObject.namespace');
  });

  it('the kubelet and the node-lifecycle controller record what they do to a Node: Starting, NodeReady, RegisteredNode, NodeNotReady', async () => {
    const { core } = await start();
    const byUid = async (uid: string) =>
      (await core.listEventForAllNamespaces({ fieldSelector: `involvedObject.kind=Node,involvedObject.name=nuc-1,involvedObject.uid=${uid}` })).items.map(
        (e) => `${e.source?.component} ${e.reason}`,
      );
    // The kubelet names its Node by name as uid; the controller by the Node's uid (kubectl describe node asks for both).
    expect(await byUid('nuc-1')).toEqual(
      expect.arrayContaining(['kubelet Starting', 'kubelet NodeHasSufficientPID', 'kubelet NodeReady', 'kubelet NodeHasSufficientMemory']),
    );
    expect(await byUid(nodeUid('nuc-1'))).toEqual(['node-controller RegisteredNode']);

    sim.world.setPartition(['nuc-1'], true);
    await sim.clock.sleep(60_000);
    expect(await byUid(nodeUid('nuc-1'))).toEqual(['node-controller RegisteredNode', 'node-controller NodeNotReady']);
  });

  it('expires an Event an hour after its last write (--event-ttl 1h); a kind world keeps it', async () => {
    const { core } = await start();
    await core.createNamespacedEvent({ namespace: 'default', body: nodeEvent('nuc-1.ttl', 'nuc-1', nodeUid('nuc-1'), 'Labelled') });
    await sim.clock.sleep(50 * 60_000);
    await core.patchNamespacedEvent({ namespace: 'default', name: 'nuc-1.ttl', body: [{ op: 'replace', path: '/count', value: 2 }] });
    await sim.clock.sleep(50 * 60_000);
    expect((await core.readNamespacedEvent({ namespace: 'default', name: 'nuc-1.ttl' })).count).toBe(2);
    await sim.clock.sleep(11 * 60_000);
    expect((await rejection(core.readNamespacedEvent({ namespace: 'default', name: 'nuc-1.ttl' }))).code).toBe(404);
    // The kubelet's Events of the start are gone too.
    expect((await core.listEventForAllNamespaces({ fieldSelector: 'reason=Starting' })).items).toEqual([]);

    await sim.stop();
    sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' }, world: { kind: ['event-ttl'] } });
    sim.world.addHomeMachine('nuc-1');
    await sim.clock.until(() => ready('nuc-1'), 120_000, 'node Ready');
    await sim.clock.sleep(3 * 3_600_000);
    expect(sim.world.kube.list('events', { fieldSelector: 'reason=Starting' })).toHaveLength(1);
  });
});

describe('Events (events.k8s.io/v1)', () => {
  it('serves the same Events in the events.k8s.io shape (regarding, note, deprecatedCount), with its field labels', async () => {
    const { core, events } = await start();
    const uid = nodeUid('nuc-1');
    await core.createNamespacedEvent({ namespace: 'default', body: nodeEvent('nuc-1.a', 'nuc-1', uid, 'Labelled') });
    const list = await events.listEventForAllNamespaces({ fieldSelector: `regarding.uid=${uid},reportingController!=node-controller` });
    expect(list.items.map((e) => e.metadata?.name)).toEqual(['nuc-1.a']);
    expect(list.items[0]).toMatchObject({
      regarding: { kind: 'Node', name: 'nuc-1', uid },
      note: 'Labelled by a test.',
      deprecatedCount: 1,
      deprecatedSource: { component: 'multicloud-shepherd' },
    });
    expect((await rejection(events.listEventForAllNamespaces({ fieldSelector: 'involvedObject.name=nuc-1' }))).status.message).toBe(
      'field label not supported: involvedObject.name',
    );

    // Created through events.k8s.io/v1: eventTime, reportingController, reportingInstance and action are required.
    const now = new Date(sim.clock.now());
    const created = await events.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'nuc-1.b' },
        eventTime: now,
        regarding: { kind: 'Node', name: 'nuc-1', uid },
        reason: 'Drained',
        note: 'Drained by a test.',
        type: 'Normal',
        action: 'Drain',
        reportingController: 'multicloud-shepherd',
        reportingInstance: 'test',
      },
    });
    expect(created).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'Drained by a test.' });
    expect(await core.readNamespacedEvent({ namespace: 'default', name: 'nuc-1.b' })).toMatchObject({
      message: 'Drained by a test.',
      reportingComponent: 'multicloud-shepherd',
    });
    const invalid = await rejection(
      events.createNamespacedEvent({ namespace: 'default', body: { metadata: { name: 'nuc-1.c' }, eventTime: now, reason: 'X', type: 'Bogus' } }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.status.message).toContain('reportingController');
  });
});

describe('Deployments and Services', () => {
  function deployment(name: string, replicas: number): V1Deployment {
    return {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'main', image: `${name}:1`, resources: { requests: { cpu: '100m' } } }] },
        },
      },
    };
  }

  it('a Deployment gets a ReplicaSet with pod-template-hash and Ready pods; its status counts them; delete takes them along', async () => {
    const { apps, core } = await start(['nuc-1', 'nuc-2']);
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', 2) });
    await sim.clock.until(() => (sim.world.kube.get('deployments', 'default', 'web')?.status?.availableReplicas ?? 0) === 2, 120_000, 'web available');
    const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' });
    expect(d.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 });
    const [rs] = (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=web' })).items;
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata?.uid });
    expect((await core.listNamespacedPod({ namespace: 'default', labelSelector: `pod-template-hash=${hash}` })).items).toHaveLength(2);
    expect((await apps.listDeploymentForAllNamespaces()).items.map((x) => x.metadata?.name)).toEqual(['web']);

    await apps.deleteNamespacedDeployment({ namespace: 'default', name: 'web' });
    expect((await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=web' })).items).toEqual([]);
    await sim.clock.sleep(60_000);
    expect((await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items).toEqual([]);
  });

  it('lists the cluster Services kubectl cluster-info looks for, and creates one with a ClusterIP', async () => {
    const { core } = await start([]);
    const listed = await core.listNamespacedService({ namespace: 'kube-system', labelSelector: 'kubernetes.io/cluster-service=true' });
    expect(listed.items.map((s) => [s.metadata?.name, s.metadata?.labels?.['kubernetes.io/name'], s.spec?.clusterIP])).toEqual([
      ['kube-dns', 'CoreDNS', '10.96.0.10'],
    ]);
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect(created.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    expect(created.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  });
});
