import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';

/* The world's cluster-wide faults, seen through the official Kubernetes client. */

let sim: Sim | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function started(): Promise<{ sim: Sim; core: CoreV1Api }> {
  // Time moves only when the test says: a read through the API sees the state at that instant.
  sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual', autoAdvance: false } });
  for (const name of ['nuc-1', 'nuc-2']) sim.world.addHomeMachine(name);
  await sim.clock.advance(30_000);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  return { sim, core: kc.makeApiClient(CoreV1Api) };
}

const errnoOf = (p: Promise<unknown>) =>
  p.then(
    () => 'answered',
    // @kubernetes/client-node 1.x (node-fetch) puts the socket's code on the error, 2.x (undici) on its cause.
    (err: Error) => (err as NodeJS.ErrnoException).code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.message,
  );

async function ready(core: CoreV1Api, name: string): Promise<string | undefined> {
  return (await core.readNode({ name })).status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

describe('World: cluster API down', () => {
  it('refuses connections on the same port while down, answers again once back, and nodes keep their conditions', async () => {
    const { sim, core } = await started();
    await sim.setClusterApiDown(true);
    expect(await errnoOf(core.listNode())).toBe('ECONNREFUSED');
    await sim.clock.advance(120_000);
    await sim.setClusterApiDown(false);
    expect(await errnoOf(core.listNode())).toBe('answered');
    // The node lifecycle controller could not run either: nobody marked the nodes while the API was gone.
    expect(await ready(core, 'nuc-1')).toBe('True');
    expect(sim.world.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['cluster-api.down', 'cluster-api.up']));
  });
});

describe('World: provider partition', () => {
  it("marks the provider's Nodes Unknown after the grace period while the VMs run, and Ready once healed", async () => {
    const { sim, core } = await started();
    sim.world.setProviderPartition('home', true);
    expect(await ready(core, 'nuc-1')).toBe('True');
    // kube-controller-manager's node-monitor grace period: 40 s on 1.31.
    await sim.clock.advance(39_000);
    expect(await ready(core, 'nuc-1')).toBe('True');
    await sim.clock.advance(1_000);
    expect(await ready(core, 'nuc-1')).toBe('Unknown');
    expect(await ready(core, 'nuc-2')).toBe('Unknown');
    expect(sim.world.listVms('home').map((v) => v.state)).toEqual(['running', 'running']);
    sim.world.setProviderPartition('home', false);
    await sim.clock.advance(15_000);
    expect(await ready(core, 'nuc-1')).toBe('True');
  });
});

describe('World: power back at a dark site', () => {
  it('a machine whose Node was deleted while dark registers it again at boot (kubelet --register-node): NotReady, then Ready, same labels', async () => {
    sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual', autoAdvance: false } });
    sim.world.addHomeMachine('nuc-1', 'nuc', 'home-1', { 'shepherd.io/site': 'home' });
    await sim.clock.advance(30_000);
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const first = await core.readNode({ name: 'nuc-1' });
    sim.world.setProviderDark('home', true);
    await sim.clock.advance(60_000);
    expect(await ready(core, 'nuc-1')).toBe('Unknown');
    await core.deleteNode({ name: 'nuc-1' });
    await sim.clock.advance(600_000);
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).toEqual([]);

    sim.world.setProviderDark('home', false);
    const again = await core.readNode({ name: 'nuc-1' });
    expect(again.metadata?.uid).not.toBe(first.metadata?.uid);
    expect(again.metadata?.labels).toMatchObject({ 'shepherd.io/site': 'home', 'kubernetes.io/hostname': 'nuc-1' });
    const readyCondition = again.status?.conditions?.find((c) => c.type === 'Ready');
    expect(readyCondition).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    // A new Node's Ready condition dates from its registration: what the watcher reads as "never Ready yet".
    expect(new Date(readyCondition!.lastTransitionTime!).getTime()).toBe(new Date(again.metadata!.creationTimestamp!).getTime());
    await sim.clock.advance(10_000);
    expect(await ready(core, 'nuc-1')).toBe('True');
  });
});
