/**
 * Benchmark: one simulated day of a 50-node multi-cloud cluster with seeded chaos (spot reclaims,
 * VM deaths, provider outages, partitions) and a simple healer, on the virtual clock, with a
 * Kubernetes client polling the simulated API server. Prints wall time and what happened.
 *
 *   npm run bench:sim [-- --hours 24 --nodes 50 --seed 42]
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSim } from '../sim/index.js';
import { addDaemonSet, addWorkload, buildFleet } from '../sim/scenarios.js';
import { renderKosmosJoin } from '../sim/world/join-scripts.js';
import type { ProviderName } from '../sim/world/types.js';

const { values } = parseArgs({
  options: { hours: { type: 'string', default: '24' }, nodes: { type: 'string', default: '50' }, seed: { type: 'string', default: '42' } },
});
const hours = Number(values.hours);
const nodes = Number(values.nodes);
const seed = Number(values.seed);

const wallStart = performance.now();
const sim = await startSim({ seed, clock: { mode: 'virtual' } });
const { world, clock } = sim;
const chaos = sim.random;
const fleet = buildFleet(world, {
  aws: Math.round(nodes * 0.4),
  gcp: Math.round(nodes * 0.3),
  scaleway: Math.round(nodes * 0.2),
  home: nodes - Math.round(nodes * 0.4) - Math.round(nodes * 0.3) - Math.round(nodes * 0.2),
});
addWorkload(world, 'web', nodes * 2);
addWorkload(world, 'worker', nodes);
addDaemonSet(world, 'cni');

const end = clock.now() + hours * 3600_000;
const counts = { spotReclaims: 0, vmDeaths: 0, outages: 0, partitions: 0, replacements: 0, polls: 0 };
const join = renderKosmosJoin(fleet.externalPoolId, 'fr-par', world.scalewaySecretKey);

function every(meanMs: number, fn: () => void): void {
  const next = () =>
    clock.setTimer(
      Math.round(meanMs * (0.5 + chaos.next())),
      () => {
        if (clock.now() >= end) return;
        fn();
        next();
      },
      'chaos',
    );
  next();
}

const live = (provider: ProviderName) => world.listVms(provider).filter((v) => v.state === 'running' && v.nodeName);

every(2 * 3600_000, () => {
  const vms = live('aws');
  if (vms.length === 0) return;
  world.reclaimSpot(chaos.pick(vms).id);
  counts.spotReclaims++;
});
every(4 * 3600_000, () => {
  const vms = live('gcp');
  if (vms.length === 0) return;
  world.terminateVm(chaos.pick(vms).id);
  counts.vmDeaths++;
});
every(6 * 3600_000, () => {
  const provider = chaos.pick<ProviderName>(['aws', 'gcp', 'scaleway', 'home']);
  world.setProviderDark(provider, true);
  counts.outages++;
  clock.setTimer(chaos.int(10, 20) * 60_000, () => world.setProviderDark(provider, false), 'restore');
});
every(3 * 3600_000, () => {
  const names = world
    .snapshot()
    .nodes.filter((n) => n.ready === 'True')
    .map((n) => n.name);
  if (names.length < 2) return;
  const cut = [chaos.pick(names), chaos.pick(names)];
  world.setPartition(cut, true);
  counts.partitions++;
  clock.setTimer(5 * 60_000, () => world.setPartition(cut, false), 'heal partition');
});

// A minimal healer: a Node whose VM is gone and that has been Unknown for 5 min is deleted and replaced.
every(60_000, () => {
  for (const n of world.snapshot().nodes) {
    if (n.ready !== 'Unknown') continue;
    const vm = world.vmOfNode(n.name);
    if (vm?.state !== 'terminated' || clock.now() - vm.stateChangedAt < 300_000) continue;
    world.cluster.deleteNode(n.name, 'bench healer: VM gone');
    if (vm.provider === 'aws' || vm.provider === 'gcp') {
      world.launchVm({
        provider: vm.provider,
        zone: vm.zone,
        type: vm.type,
        project: vm.project,
        userData: join,
        ...(vm.provider === 'gcp' ? { name: `${vm.name}-r${counts.replacements}` } : {}),
      });
      counts.replacements++;
    }
  }
});

// A client polling the API server every 5 minutes, as a controller would.
const kc = new KubeConfig();
kc.loadFromString(sim.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
let lastPoll = { nodes: 0, ready: 0 };
const poll = async () => {
  while (clock.now() < end) {
    const list = await core.listNode();
    lastPoll = {
      nodes: list.items.length,
      ready: list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length,
    };
    counts.polls++;
    await clock.sleep(5 * 60_000);
  }
};
await Promise.all([poll(), clock.until(() => clock.now() >= end, hours * 3600_000 + 60_000, 'end of the simulated day')]);

const wallSeconds = (performance.now() - wallStart) / 1000;
const snap = world.snapshot();
const result = {
  benchmark: 'sim-day',
  seed,
  simulatedHours: hours,
  nodesTarget: nodes,
  wallSeconds: Number(wallSeconds.toFixed(2)),
  simulatedSecondsPerWallSecond: Math.round((hours * 3600) / wallSeconds),
  timelineEvents: world.timeline.length,
  vmsLaunched: world.timeline.filter((e) => e.type === 'vm.launched').length,
  nodesAtEnd: snap.nodes.length,
  readyNodesAtEnd: snap.nodes.filter((n) => n.ready === 'True').length,
  podsAtEnd: snap.pods.length,
  pendingPodsAtEnd: snap.pods.filter((p) => p.phase === 'Pending').length,
  kubeApiCalls: sim.counters.get('kube'),
  lastPoll,
  ...counts,
};
await sim.stop();
console.log(JSON.stringify(result));
console.log(
  `simulated ${hours} h with ${nodes} nodes in ${wallSeconds.toFixed(1)} s of wall time (${result.timelineEvents} world events, ${result.kubeApiCalls} API calls)`,
);
