import { describe, expect, it } from 'vitest';
import { Clock } from '../../sim/clock.js';
import { Random } from '../../sim/random.js';
import { addDaemonSet, addWorkload, buildFleet } from '../../sim/scenarios.js';
import { defaultNodeMonitorGracePeriodMs } from '../../sim/world/cluster/context.js';
import { InsufficientCapacityError } from '../../sim/world/errors.js';
import { renderKubeadmJoin } from '../../sim/world/join-scripts.js';
import { World, type WorldOptions } from '../../sim/world/world.js';

function newWorld(seed = 1, opts: Partial<WorldOptions> = {}) {
  const clock = new Clock({ mode: 'virtual', autoAdvance: false });
  const world = new World({ clock, random: new Random(seed), ...opts });
  return { clock, world };
}

const nodeReady = (world: World, name: string) => world.snapshot().nodes.find((n) => n.name === name)?.ready;

describe('Class: World', () => {
  it('boots a VM whose user data joins the cluster: Node registered NotReady, then Ready, with kubelet labels and providerID', async () => {
    const { clock, world } = newWorld();
    const vm = world.launchVm({
      provider: 'aws',
      zone: 'eu-west-3b',
      type: 't4g.medium',
      userData: Buffer.from(renderKubeadmJoin('10.0.0.1:6443', world.joinToken)).toString('base64'),
    });
    await clock.advance(20_000);
    expect(world.getVm(vm.id)?.state).toBe('running');
    expect(world.snapshot().nodes).toHaveLength(0);
    await clock.advance(90_000);
    const node = world.kube.get('nodes', undefined, vm.name);
    expect(node?.spec.providerID).toBe(`aws:///eu-west-3b/${vm.id}`);
    expect(node?.metadata.labels).toMatchObject({ 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': vm.name });
    expect(node?.status.addresses.map((a: { type: string }) => a.type)).toEqual(['InternalIP', 'ExternalIP', 'Hostname']);
    await clock.advance(10_000);
    expect(nodeReady(world, vm.name)).toBe('True');
    expect(world.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['vm.launched', 'vm.running', 'node.registered', 'node.ready']));
  });

  it('an amd64-only join script fails on an arm64 VM with exec format error, and a wrong token never joins', async () => {
    const { clock, world } = newWorld();
    const arm = world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't4g.medium', userData: `kubeadm join 10.0.0.1:6443 --token ${world.joinToken}` });
    const bad = world.launchVm({
      provider: 'aws',
      zone: 'eu-west-3a',
      type: 't3.medium',
      userData: renderKubeadmJoin('10.0.0.1:6443', 'abcdef.0123456789abcdef'),
    });
    await clock.advance(300_000);
    expect(world.getVm(arm.id)?.joinError).toMatch(/exec format error/);
    expect(world.getVm(bad.id)?.joinError).toMatch(/token is invalid/);
    expect(world.snapshot().nodes).toHaveLength(0);
  });

  it('a power cut turns nodes Unknown after the 40 s grace period, evicts their pods after 300 s, and restoring brings them back', async () => {
    const { clock, world } = newWorld();
    buildFleet(world, { aws: 2, home: 2 });
    // 8 pods of 1 cpu fill the fleet exactly: 3 per home machine (3.9 cpu), 1 per AWS node (1.9 cpu).
    addWorkload(world, 'web', 8, { cpu: '1', memory: '256Mi' });
    await clock.advance(200_000);
    const awsNodes = world.listVms('aws').map((v) => v.nodeName as string);
    expect(awsNodes.every((n) => nodeReady(world, n) === 'True')).toBe(true);
    const podsOnAws = () => world.snapshot().pods.filter((p) => awsNodes.includes(p.node ?? '') && !p.terminating);
    expect(podsOnAws().length).toBeGreaterThan(0);

    world.setProviderDark('aws', true);
    await clock.advance(39_000);
    expect(nodeReady(world, awsNodes[0])).toBe('True');
    await clock.advance(2_000);
    expect(awsNodes.map((n) => nodeReady(world, n))).toEqual(['Unknown', 'Unknown']);
    const taints = world.kube.get('nodes', undefined, awsNodes[0])?.spec.taints.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);
    expect(taints).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    await clock.advance(298_000);
    expect(podsOnAws().length).toBeGreaterThan(0);
    await clock.advance(5_000);
    expect(podsOnAws()).toHaveLength(0);
    // Their replacements fit nowhere (home is full): Pending/Unschedulable; the evicted stay Terminating.
    const live = world.snapshot().pods.filter((p) => !p.terminating);
    expect(live).toHaveLength(8);
    expect(live.filter((p) => p.phase === 'Running').every((p) => p.node?.startsWith('home-'))).toBe(true);
    expect(live.filter((p) => p.phase === 'Pending').map((p) => p.reason)).toEqual(['Unschedulable', 'Unschedulable']);
    expect(world.snapshot().pods.filter((p) => p.terminating)).toHaveLength(2);

    world.setProviderDark('aws', false);
    await clock.advance(5_000);
    expect(awsNodes.map((n) => nodeReady(world, n))).toEqual(['True', 'True']);
    expect(world.snapshot().pods.filter((p) => p.terminating)).toHaveLength(0);
    expect(world.snapshot().pods.filter((p) => p.phase === 'Running')).toHaveLength(8);
    const types = world.timeline.map((e) => e.type);
    expect(types.indexOf('provider.dark')).toBeLessThan(types.indexOf('node.unknown'));
    const dark = world.timeline.find((e) => e.type === 'provider.dark')!;
    const unknown = world.timeline.find((e) => e.type === 'node.unknown')!;
    expect(unknown.at - dark.at).toBe(40_000);
  });

  it('node-monitor-grace-period follows the Kubernetes version: Unknown 50 s after a power cut from 1.32, 40 s before', async () => {
    const unknownAfter = async (kubernetesVersion: string) => {
      const { clock, world } = newWorld(1, { kubernetesVersion });
      const [vm] = buildFleet(world, { aws: 1 }).vms;
      await clock.advance(200_000);
      expect(world.kube.get('nodes', undefined, world.getVm(vm.id)?.nodeName as string)?.status.nodeInfo.kubeletVersion).toBe(`v${kubernetesVersion}`);
      world.setProviderDark('aws', true);
      const darkAt = clock.now();
      await clock.advance(120_000);
      return (world.timeline.find((e) => e.type === 'node.unknown')?.at ?? Number.NaN) - darkAt;
    };
    expect(await unknownAfter('1.31.2')).toBe(40_000);
    expect(await unknownAfter('1.32.0')).toBe(50_000);
    expect(defaultNodeMonitorGracePeriodMs('v1.33.1')).toBe(50_000);
    expect(defaultNodeMonitorGracePeriodMs('1.30.4')).toBe(40_000);
  });

  it('pods that fit nowhere stay Pending with PodScheduled=False/Unschedulable and a reason per node', async () => {
    const { clock, world } = newWorld();
    world.addHomeMachine('home-1', 'nuc');
    addWorkload(world, 'big', 2, { cpu: '3', memory: '1Gi' });
    await clock.advance(60_000);
    const pods = world.kube.list('pods');
    const pending = pods.filter((p) => p.status.phase === 'Pending');
    expect(pending).toHaveLength(1);
    const cond = pending[0].status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
  });

  it("keeps an unschedulable pod's lastTransitionTime when only the scheduler's message changes (its status did not)", async () => {
    const { clock, world } = newWorld();
    world.addHomeMachine('home-1', 'nuc');
    addWorkload(world, 'huge', 1, { cpu: '64', memory: '1Gi' });
    await clock.advance(60_000);
    const condition = () =>
      world.kube
        .list('pods')
        .find((p) => p.status.phase === 'Pending')
        ?.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    const first = condition();
    // A second node: the message now counts 2 nodes, the pod is as unschedulable as before.
    world.addHomeMachine('home-2', 'nuc');
    await clock.advance(60_000);
    expect(condition()?.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(first.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    expect(condition()?.lastTransitionTime).toBe(first.lastTransitionTime);
  });

  it('honours nodeSelector and taints', async () => {
    const { clock, world } = newWorld();
    world.addHomeMachine('home-1', 'nuc');
    world.addHomeMachine('home-2', 'nuc');
    await clock.advance(30_000);
    world.kube.mutate('nodes', undefined, 'home-1', (n) => {
      n.metadata.labels = { ...n.metadata.labels, site: 'home' };
    });
    world.kube.mutate('nodes', undefined, 'home-2', (n) => {
      n.spec.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
    });
    addWorkload(world, 'pinned', 2, { cpu: '100m', memory: '64Mi' }, { site: 'home' });
    addWorkload(world, 'free', 2, { cpu: '100m', memory: '64Mi' });
    await clock.advance(5_000);
    const nodesOf = (app: string) => world.kube.list('pods', { labelSelector: `app=${app}` }).map((p) => p.spec.nodeName);
    expect(nodesOf('pinned')).toEqual(['home-1', 'home-1']);
    expect(nodesOf('free')).toEqual(['home-1', 'home-1']);
  });

  it('eviction is refused with 429 when a PodDisruptionBudget would be violated', async () => {
    const { clock, world } = newWorld();
    world.addHomeMachine('home-1', 'nuc');
    addWorkload(world, 'web', 2, { cpu: '100m', memory: '64Mi' });
    world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'default' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    await clock.advance(30_000);
    const [pod] = world.kube.list('pods', { labelSelector: 'app=web' });
    expect(() => world.cluster.evictPod('default', pod.metadata.name)).toThrow(/disruption budget/);
    world.kube.mutate('poddisruptionbudgets', 'default', 'web', (p) => {
      p.spec.minAvailable = 1;
    });
    world.cluster.evictPod('default', pod.metadata.name);
    expect(world.kube.get('pods', 'default', pod.metadata.name)?.metadata.deletionTimestamp).toBeDefined();
  });

  it('a Node deleted while its kubelet runs stays deleted until the kubelet restarts (kubernetes#71398)', async () => {
    const { clock, world } = newWorld(3);
    const home = world.addHomeMachine('home-1');
    await clock.advance(30_000);
    expect(nodeReady(world, home.name)).toBe('True');
    world.cluster.deleteNode('home-1');
    await clock.advance(600_000);
    expect(world.kube.get('nodes', undefined, 'home-1')).toBeUndefined();
    expect(world.getVm(home.id)).toMatchObject({ state: 'running', nodeName: 'home-1' });
    expect(world.restartKubelet(home.id)).toBe(true);
    expect(world.kube.get('nodes', undefined, 'home-1')).toBeDefined();
    await clock.advance(10_000);
    expect(nodeReady(world, home.name)).toBe('True');
    expect(world.timeline.map((e) => e.type)).toContain('kubelet.restarted');
  });

  it('power back at a dark site: a machine whose Node was deleted meanwhile boots and registers it again, NotReady then Ready, with its --node-labels', async () => {
    const { clock, world } = newWorld(3);
    const labels = { 'shepherd.io/pool': 'home', 'topology.kubernetes.io/region': 'home' };
    const home = world.addHomeMachine('home-1', 'nuc', 'home-1', labels);
    const other = world.addHomeMachine('home-2', 'nuc', 'home-1', labels);
    await clock.advance(30_000);
    expect(nodeReady(world, 'home-1')).toBe('True');
    world.setProviderDark('home', true);
    await clock.advance(60_000);
    expect(nodeReady(world, 'home-1')).toBe('Unknown');
    // What a heal does to a node that cannot answer: its Node is deleted (the machine has no API to terminate).
    world.cluster.deleteNode('home-1');
    await clock.advance(540_000);
    expect(world.kube.get('nodes', undefined, 'home-1')).toBeUndefined();

    world.setProviderDark('home', false);
    const back = world.kube.get('nodes', undefined, 'home-1');
    expect(back?.metadata.labels).toMatchObject(labels);
    expect(nodeReady(world, 'home-1')).toBe('False');
    expect(nodeReady(world, other.name)).toBe('True');
    await clock.advance(10_000);
    expect(nodeReady(world, home.name)).toBe('True');
    const types = world.timeline.map((e) => e.type);
    expect(types.lastIndexOf('node.registered')).toBeGreaterThan(types.indexOf('provider.restored'));
    expect(world.timeline.filter((e) => e.type === 'kubelet.restarted').map((e) => e.subject)).toEqual([home.id]);
  });

  it('restoring power that was never cut reboots nothing: a Node deleted by hand stays deleted', async () => {
    const { clock, world } = newWorld(3);
    world.addHomeMachine('home-1');
    await clock.advance(30_000);
    world.cluster.deleteNode('home-1');
    world.setProviderDark('home', false);
    await clock.advance(30_000);
    expect(world.kube.get('nodes', undefined, 'home-1')).toBeUndefined();
  });

  it('a stopped and started VM registers its deleted Node again (the kubelet starts with the VM)', async () => {
    const { clock, world } = newWorld(3);
    const aws = world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', userData: renderKubeadmJoin('x:6443', world.joinToken) });
    await clock.advance(150_000);
    world.cluster.deleteNode(aws.name);
    world.stopVm(aws.id);
    await clock.advance(30_000);
    expect(world.restartKubelet(aws.id)).toBe(false);
    world.startVm(aws.id);
    await clock.advance(40_000);
    expect(nodeReady(world, aws.name)).toBe('True');
  });

  it('with the cloud lifecycle controller a terminated VM loses its Node', async () => {
    const { clock, world } = newWorld(3, { cloudLifecycleController: true });
    const aws = world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', userData: renderKubeadmJoin('x:6443', world.joinToken) });
    await clock.advance(150_000);
    expect(world.kube.get('nodes', undefined, aws.name)).toBeDefined();
    world.terminateVm(aws.id);
    await clock.advance(20_000 + 41_000);
    expect(world.kube.get('nodes', undefined, aws.name)).toBeUndefined();
  });

  it('sites reuse RFC 1918 ranges: the home lab, the first EC2 subnet and a GCE subnet hand out the same addresses; a kind world keeps them unique', () => {
    const ips = (opts: Partial<WorldOptions>) => {
      const { world } = newWorld(1, opts);
      const home = world.addHomeMachine('home-1');
      const aws = world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' });
      const aws2 = world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' });
      const gcp = [1, 2, 3].map(() => world.launchVm({ provider: 'gcp', zone: 'europe-west1-b', type: 'e2-standard-2', project: 'p' }));
      return {
        home: home.privateIp,
        aws: [aws.privateIp, aws2.privateIp],
        gcp: gcp.map((v) => v.privateIp),
        publics: new Set([home, aws, aws2, ...gcp].map((v) => v.publicIp)).size,
      };
    };
    const unkind = ips({});
    expect(unkind).toEqual({ home: '10.0.0.4', aws: ['10.0.0.4', '10.0.0.5'], gcp: ['10.0.0.2', '10.0.0.3', '10.0.0.4'], publics: 6 });
    const kind = ips({ kind: ['overlapping-private-ips'] });
    expect(new Set([kind.home, ...kind.aws, ...kind.gcp]).size).toBe(6);
  });

  it('runs out of capacity where a limit is set, with the provider, zone and type named', () => {
    const { world } = newWorld();
    world.setCapacity({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' }, 1);
    world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' });
    expect(() => world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' })).toThrow(InsufficientCapacityError);
    expect(() => world.launchVm({ provider: 'aws', zone: 'eu-west-3b', type: 't3.medium' })).not.toThrow();
  });

  it('a managed Scaleway pool goes scaling -> ready as its nodes join, and back down', async () => {
    const { clock, world } = newWorld();
    const pool = world.createPool({ name: 'buffer', nodeType: 'DEV1-M', minSize: 0, maxSize: 3 });
    world.resizePool(pool.id, 2);
    expect(world.getPool(pool.id)?.status).toBe('scaling');
    await clock.advance(200_000);
    expect(world.getPool(pool.id)?.status).toBe('ready');
    expect(world.snapshot().nodes.filter((n) => n.labels['k8s.scaleway.com/pool'] === pool.id && n.ready === 'True')).toHaveLength(2);
    expect(() => world.resizePool(pool.id, 4)).toThrow(/between min_size 0 and max_size 3/);
    world.resizePool(pool.id, 0);
    await clock.advance(30_000);
    expect(world.snapshot().nodes).toHaveLength(0);
    expect(world.poolVms(pool.id)).toHaveLength(0);
  });

  it('DaemonSets put one pod on every node', async () => {
    const { clock, world } = newWorld();
    buildFleet(world, { home: 3 });
    addDaemonSet(world, 'cni');
    await clock.advance(60_000);
    const nodes = world.kube
      .list('pods', { namespace: 'kube-system' })
      .map((p) => p.spec.nodeName)
      .sort();
    expect(nodes).toEqual(['home-nuc-1', 'home-nuc-2', 'home-nuc-3']);
  });

  it('the same seed and scenario give the same sequence of world events', async () => {
    const run = async (seed: number) => {
      const { clock, world } = newWorld(seed);
      buildFleet(world, { aws: 3, gcp: 2, scaleway: 2, home: 1 });
      addWorkload(world, 'web', 6);
      await clock.advance(300_000);
      world.setProviderDark('gcp', true);
      await clock.advance(400_000);
      return world.timeline.map((e) => `${e.at} ${e.type} ${e.message}`);
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });
});
