import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { InstancesClient } from '@google-cloud/compute';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createClient } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceClientOptions } from '../../functions/providers/gcp/client-options.js';
import { type Sim, startSim } from '../../sim/index.js';
import { renderKosmosJoin } from '../../sim/world/join-scripts.js';

const S = 1000;
const MIN = 60 * S;

/**
 * The simulator's end-to-end story, driven through the official clients: VMs on AWS, GCP and a
 * Scaleway pool join and go Ready; GCP loses power; its nodes go Unknown after the 40 s grace
 * period and its pods are evicted after 300 s and move or wait; power returns; all is Ready again.
 */
describe('Scenario: a provider loses power and comes back', () => {
  let sim: Sim;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let t0: number;

  beforeAll(async () => {
    sim = await startSim({ seed: 11, clock: { mode: 'virtual', autoAdvance: false } });
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    t0 = sim.clock.now();
  });

  afterAll(async () => {
    await sim?.stop();
  });

  const nodes = async () => (await core.listNode()).items;
  const ready = (n: { status?: { conditions?: Array<{ type: string; status: string }> } }) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  // By the machine behind the Node: Kosmos external nodes carry no providerID (kosmos-node-identity).
  const providerOf = (n: { metadata?: { name?: string } }) => sim.world.vmOfNode(n.metadata?.name ?? '')?.provider;

  it('starts VMs on three providers through their APIs; they join and go Ready', async () => {
    const { world, credentials } = sim;
    const external = world.createPool({ name: 'external', nodeType: 'external' });
    const buffer = world.createPool({ name: 'buffer', nodeType: 'DEV1-M', zone: 'fr-par-1', minSize: 0, maxSize: 3 });
    const join = renderKosmosJoin(external.id, 'fr-par', world.scalewaySecretKey);

    const ec2 = new EC2Client({ endpoint: sim.endpoints.ec2, region: credentials.aws.region, credentials: credentials.aws });
    await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0aa00000000000001',
        InstanceType: 't3.medium',
        MinCount: 2,
        MaxCount: 2,
        SubnetId: 'subnet-00000000000000001',
        UserData: Buffer.from(join).toString('base64'),
      }),
    );
    const gce = new InstancesClient(gceClientOptions(sim.endpoints.gce, credentials.gcp.accessToken));
    for (const name of ['gcp-a', 'gcp-b']) {
      await gce.insert({
        project: credentials.gcp.project,
        zone: 'europe-west1-b',
        instanceResource: {
          name,
          machineType: 'zones/europe-west1-b/machineTypes/e2-standard-2',
          disks: [{ boot: true, initializeParams: { sourceImage: 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64' } }],
          networkInterfaces: [{ network: 'global/networks/default' }],
          metadata: { items: [{ key: 'startup-script', value: join }] },
        },
      });
    }
    const scw = new K8Sv1.API(
      createClient({
        accessKey: credentials.scaleway.accessKey,
        secretKey: credentials.scaleway.secretKey,
        defaultProjectId: credentials.scaleway.projectId,
        defaultRegion: 'fr-par',
        apiURL: sim.endpoints.scaleway,
      }),
    );
    await scw.updatePool({ poolId: buffer.id, size: 1 });
    await apps.createNamespacedReplicaSet({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 6,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '1', memory: '1Gi' } } }] },
          },
        },
      },
    });

    await sim.clock.advance(5 * MIN);
    const all = await nodes();
    expect(all).toHaveLength(5);
    expect(all.map(ready)).toEqual(['True', 'True', 'True', 'True', 'True']);
    expect(all.map(providerOf).sort()).toEqual(['aws', 'aws', 'gcp', 'gcp', 'scaleway']);
    expect((await scw.getPool({ poolId: buffer.id })).status).toBe('ready');
    const pods = (await core.listNamespacedPod({ namespace: 'default' })).items;
    expect(pods.filter((p) => p.status?.phase === 'Running')).toHaveLength(6);
  });

  it('cutting GCP power turns its nodes Unknown after exactly 40 s; their pods are evicted after 300 s and move or wait', async () => {
    const gcpNodes = (await nodes()).filter((n) => providerOf(n) === 'gcp').map((n) => n.metadata?.name as string);
    const onGcp = async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${gcpNodes[0]}` })).items.length;
    expect(await onGcp()).toBeGreaterThan(0);
    const cutAt = sim.clock.now();
    sim.world.setProviderDark('gcp', true);

    await sim.clock.advance(39 * S);
    expect((await nodes()).filter((n) => gcpNodes.includes(n.metadata?.name ?? '')).map(ready)).toEqual(['True', 'True']);
    await sim.clock.advance(1 * S);
    expect((await nodes()).filter((n) => gcpNodes.includes(n.metadata?.name ?? '')).map(ready)).toEqual(['Unknown', 'Unknown']);

    await sim.clock.advance(300 * S + 2 * S);
    const pods = (await core.listNamespacedPod({ namespace: 'default' })).items;
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    expect(live).toHaveLength(6);
    expect(live.every((p) => !gcpNodes.includes(p.spec?.nodeName ?? ''))).toBe(true);
    const pending = live.filter((p) => p.status?.phase === 'Pending');
    for (const p of pending) expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(live.filter((p) => p.status?.phase === 'Running').length + pending.length).toBe(6);

    const unknownAt = sim.world.timeline.filter((e) => e.type === 'node.unknown').map((e) => e.at);
    expect(unknownAt).toEqual([cutAt + 40 * S, cutAt + 40 * S]);
    const evictedAt = sim.world.timeline.filter((e) => e.type === 'pod.evicted').map((e) => e.at);
    expect(evictedAt.length).toBeGreaterThan(0);
    expect(new Set(evictedAt)).toEqual(new Set([cutAt + 340 * S]));
  });

  it('restoring power brings every node back to Ready and every pod to Running', async () => {
    const restoredAt = sim.clock.now();
    sim.world.setProviderDark('gcp', false);
    await sim.clock.advance(10 * S);
    expect((await nodes()).map(ready)).toEqual(['True', 'True', 'True', 'True', 'True']);
    const pods = (await core.listNamespacedPod({ namespace: 'default' })).items;
    expect(pods.filter((p) => p.status?.phase === 'Running')).toHaveLength(6);
    expect(pods.some((p) => p.metadata?.deletionTimestamp)).toBe(false);

    const steps = sim.world.timeline.filter((e) =>
      ['vm.running', 'node.ready', 'provider.dark', 'node.unknown', 'pod.evicted', 'provider.restored'].includes(e.type),
    );
    const firstOf = (type: string) => steps.find((e) => e.type === type)?.at ?? Number.NaN;
    expect(firstOf('vm.running')).toBeGreaterThan(t0);
    expect(firstOf('node.ready')).toBeLessThan(firstOf('provider.dark'));
    expect(firstOf('provider.dark')).toBeLessThan(firstOf('node.unknown'));
    expect(firstOf('node.unknown')).toBeLessThan(firstOf('pod.evicted'));
    expect(firstOf('provider.restored')).toBe(restoredAt);
    const readyAgain = sim.world.timeline.filter((e) => e.type === 'node.ready' && e.at >= restoredAt);
    expect(readyAgain.map((e) => e.at)).toEqual([restoredAt, restoredAt]);
  });
});
