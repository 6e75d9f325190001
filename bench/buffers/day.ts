import type { ShepherdConfig } from '../../config/types.js';
import { cpuMillis, memoryBytes } from '../../functions/decisions/buffer/quantity.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import { addWorkload } from '../../sim/scenarios.js';
import type { KubeObject } from '../../sim/world/types.js';
import { addedPerNeed, type DayFigures, flaps, type Need, type NodeChange, nodesNeeded, type Room } from './day-figures.js';

/**
 * (c) A simulated day of bursts and an outage, for the overshoot and no-flapping goals. The quiet hours between the
 * events are left out (they add watcher passes and change nothing): each event starts once the buffer pools are back
 * at their minimum, so that every need starts from the same empty pools and nothing is left over to share.
 *
 *   burst-1: 5 pods of 1 CPU pinned to scw-buffer, in 3 waves 2.5 s apart; they run 20 minutes, then go;
 *   burst-2: 6 pods of 900m pinned to gcp-amd64, in 3 waves 2.5 s apart; 20 minutes, then go;
 *   burst-3: burst-1 again, right after the pools shrank (new demand, not a flap);
 *   outage: `darkProvider` goes dark for 15 minutes with the bench workload on it, then comes back.
 */
export interface DayPlan {
  darkProvider?: string;
  /** Runs the outage's set-up (nodes on the provider that goes dark, a workload) before the day starts. */
  prepareOutage?: () => Promise<void>;
  /** The outage's workload app, whose pods on the dark provider are the outage's need. */
  outageApp?: string;
}

const CAP_MS = 45 * 60_000;
const label = (o: KubeObject, key: string) => (o.metadata.labels as Record<string, string> | undefined)?.[key];
const running = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase === 'Running' && !p.metadata.deletionTimestamp;
const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const requestsOf = (p: KubeObject): Room => {
  const containers = (p.spec as { containers?: { resources?: { requests?: { cpu?: string; memory?: string } } }[] }).containers ?? [];
  return containers.reduce(
    (sum, c) => ({
      cpuMillis: sum.cpuMillis + (cpuMillis(c.resources?.requests?.cpu) ?? 0),
      memoryBytes: sum.memoryBytes + (memoryBytes(c.resources?.requests?.memory) ?? 0),
    }),
    { cpuMillis: 0, memoryBytes: 0 },
  );
};

export async function bufferDay(local: ShepherdLocal, config: ShepherdConfig, plan: DayPlan): Promise<DayFigures> {
  const { sim } = local;
  const buffers = config.buffers;
  if (!buffers) throw new Error('bench:buffers needs a buffers section');
  const pools = buffers.pools.map((p) => p.pool);
  const minOf = (pool: string) => config.pools.find((p) => p.name === pool)?.min ?? 0;
  const allocatableOf = (pool: string): Room => {
    const a = buffers.pools.find((p) => p.pool === pool)?.allocatable;
    return { cpuMillis: cpuMillis(a?.cpu) ?? 0, memoryBytes: memoryBytes(a?.memory) ?? 0 };
  };
  const bufferNodes = () => sim.world.kube.list('nodes').filter((n) => pools.includes(label(n, 'shepherd.io/pool') ?? ''));
  const pods = (app: string) => sim.world.kube.list('pods', { labelSelector: `app=${app}` });

  // Every buffer Node that appears or goes, seen at each step of the clock the waits below take.
  const changes: NodeChange[] = [];
  let known = new Map(bufferNodes().map((n) => [n.metadata.name, label(n, 'shepherd.io/pool') ?? '']));
  const observe = () => {
    const now = sim.clock.now();
    const current = new Map(bufferNodes().map((n) => [n.metadata.name, label(n, 'shepherd.io/pool') ?? '']));
    for (const [node, pool] of current) if (!known.has(node)) changes.push({ node, pool, at: now, change: 'added' });
    for (const [node, pool] of known) if (!current.has(node)) changes.push({ node, pool, at: now, change: 'removed' });
    known = current;
  };
  const waitFor = async (predicate: () => boolean, what: string, capMs = CAP_MS) => {
    await sim.clock.until(
      () => {
        observe();
        return predicate();
      },
      capMs,
      what,
    );
  };
  const atMin = () => pools.every((pool) => bufferNodes().filter((n) => label(n, 'shepherd.io/pool') === pool).length <= minOf(pool));
  const scaleUps = (since: number) =>
    local.controlPlane.stepFunctions
      .listExecutions(local.stateMachineArn('scaleBuffer'))
      .filter((e) => e.startDate >= since)
      .filter((e) => {
        const out = e.output ? (JSON.parse(e.output) as { status?: string; scaleUps?: unknown[] }) : {};
        return out.status === 'done' && (out.scaleUps?.length ?? 0) > 0;
      }).length;

  /** Two quiet minutes between the day's events, so that none starts at the instant the last one's nodes went. */
  const quiet = () => {
    const until = sim.clock.now() + 2 * 60_000;
    return waitFor(() => sim.clock.now() >= until, 'a quiet gap');
  };
  if (plan.prepareOutage) await plan.prepareOutage();
  await waitFor(atMin, 'buffer pools at their minimum before the day');
  const dayStart = sim.clock.now();
  const needs: Omit<Need, 'added'>[] = [];

  /** A burst in three waves 2.5 s apart, pinned to `pool`: runs `holdMinutes`, then its workloads are deleted. */
  const burst = async (name: string, pool: string, counts: number[], requests: { cpu: string; memory: string }, holdMinutes = 20) => {
    await quiet();
    const startedAt = sim.clock.now();
    const freeRoom = bufferNodes()
      .filter((n) => label(n, 'shepherd.io/pool') === pool)
      .map(() => allocatableOf(pool)); // at the pool's minimum its nodes carry no burst pods: their room is the pool's
    const apps = counts.map((_, i) => `${name}-${'abc'[i]}`);
    for (const [i, app] of apps.entries()) {
      if (i > 0) await sim.clock.sleep(2500);
      addWorkload(sim.world, app, counts[i], requests, { 'shepherd.io/pool': pool });
    }
    const all = () => apps.flatMap(pods);
    const total = counts.reduce((a, b) => a + b, 0);
    const shape = { cpuMillis: cpuMillis(requests.cpu) ?? 0, memoryBytes: memoryBytes(requests.memory) ?? 0 };
    needs.push({ name, kind: 'burst', startedAt, pods: total, needed: nodesNeeded(Array(total).fill(shape), freeRoom, allocatableOf(pool)), decisions: 0 });
    await waitFor(() => all().length === total && all().every(running), `${name} Running`);
    await waitFor(() => sim.clock.now() >= startedAt + holdMinutes * 60_000, `${name} held`);
    for (const app of apps) {
      sim.world.kube.remove('replicasets', 'default', app);
      for (const p of pods(app)) sim.world.kube.remove('pods', p.metadata.namespace, p.metadata.name);
    }
    await waitFor(atMin, `buffer pools back at their minimum after ${name}`);
    needs[needs.length - 1].decisions = scaleUps(startedAt);
  };

  await burst('burst-1', 'scw-buffer', [2, 2, 1], { cpu: '1', memory: '512Mi' });
  await burst('burst-2', 'gcp-amd64', [2, 2, 2], { cpu: '900m', memory: '512Mi' });
  await burst('burst-3', 'scw-buffer', [2, 2, 1], { cpu: '1', memory: '512Mi' });

  if (plan.darkProvider && plan.outageApp) {
    await quiet();
    const provider = plan.darkProvider;
    const app = plan.outageApp;
    const startedAt = sim.clock.now();
    const providerOf = (node: string | undefined) => (node ? sim.world.vmOfNode(node)?.provider : undefined);
    const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string }).nodeName;
    const lost = pods(app).filter((p) => running(p) && providerOf(nodeOf(p)) === provider);
    // Needed: the lost pods on the free room of the Ready nodes of other providers, then new nodes of the first
    // buffer pool by priority not on the dark provider (the outage asks the pools in that order).
    const standIn = buffers.pools.find((p) => config.pools.find((c) => c.name === p.pool)?.provider !== provider)?.pool ?? pools[0];
    const used = new Map<string, Room>();
    for (const p of sim.world.kube.list('pods').filter((p) => running(p) && nodeOf(p))) {
      const u = used.get(nodeOf(p) as string) ?? { cpuMillis: 0, memoryBytes: 0 };
      const r = requestsOf(p);
      used.set(nodeOf(p) as string, { cpuMillis: u.cpuMillis + r.cpuMillis, memoryBytes: u.memoryBytes + r.memoryBytes });
    }
    const freeRoom = sim.world.kube
      .list('nodes')
      .filter((n) => ready(n) && providerOf(n.metadata.name) !== provider && !(n.spec as { taints?: unknown[] }).taints?.length)
      .map((n) => {
        const a = (n.status as { allocatable?: { cpu?: string; memory?: string } }).allocatable ?? {};
        const u = used.get(n.metadata.name) ?? { cpuMillis: 0, memoryBytes: 0 };
        return { cpuMillis: (cpuMillis(a.cpu) ?? 0) - u.cpuMillis, memoryBytes: (memoryBytes(a.memory) ?? 0) - u.memoryBytes };
      });
    needs.push({
      name: 'outage',
      kind: 'outage',
      startedAt,
      pods: lost.length,
      needed: nodesNeeded(lost.map(requestsOf), freeRoom, allocatableOf(standIn)),
      decisions: 0,
    });
    sim.world.setProviderDark(provider as Parameters<typeof sim.world.setProviderDark>[0], true);
    await waitFor(() => sim.clock.now() >= startedAt + 15 * 60_000, 'the outage');
    sim.world.setProviderDark(provider as Parameters<typeof sim.world.setProviderDark>[0], false);
    await waitFor(atMin, 'buffer pools back at their minimum after the outage', 60 * 60_000);
    needs[needs.length - 1].decisions = scaleUps(startedAt);
  }

  const added = addedPerNeed(needs, changes);
  const day = needs.map((n, i) => ({ ...n, added: added[i] }));
  return { kind: 'day', hours: (sim.clock.now() - dayStart) / 3_600_000, needs: day, changes, flaps: flaps(day, changes) };
}
