import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KubeClusterReader } from '../../functions/adapters/kube/cluster-reader.js';
import { DynamoWatcherSnapshotStore } from '../../functions/adapters/store/watcher-snapshot.js';
import type { VmRef } from '../../functions/decisions/provision.js';
import { runWatcherPass, type WatcherDeps } from '../../functions/watcher/pass.js';

/**
 * One process that runs watcher passes the way the Lambda does (the same pass, the real Kubernetes client against
 * the simulated API server, the real snapshot store against a local DynamoDB), so that its peak memory is the
 * watcher's own and not the simulator's. The provider functions' answers come from a file: their own cost is
 * measured by bench:functions. Prints one JSON line per pass.
 */
const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (bench/watcher-pass.ts starts this process)`);
  return v;
};

const vms = JSON.parse(readFileSync(env('BENCH_VMS_FILE'), 'utf8')) as VmRef[];
const byProvider = new Map<string, VmRef[]>();
for (const vm of vms) byProvider.set(vm.provider, [...(byProvider.get(vm.provider) ?? []), vm]);
let published = 0;
const deps: WatcherDeps = {
  cluster: KubeClusterReader.fromKubeconfig(env('BENCH_KUBECONFIG'), 'bench kubeconfig'),
  providers: {
    providers: () => [...byProvider.keys()],
    listOwned: async (p) => byProvider.get(p) ?? [],
    preemptions: async () => [],
    describe: async () => 'running',
  },
  claimedVm: async () => undefined,
  preemptionsByPolling: new Set(),
  snapshots: new DynamoWatcherSnapshotStore(
    env('BENCH_TABLE'),
    new DynamoDBClient({ endpoint: env('BENCH_DYNAMODB'), region: 'eu-west-3', credentials: { accessKeyId: env('BENCH_KEY_ID'), secretAccessKey: 'bench' } }),
  ),
  bus: {
    publish: async (events) => {
      published += events.length;
      return events.length;
    },
  },
};
const policy = { cluster: 'bench', registrationTimeoutSeconds: 900, degradedPercent: 45, degradedMinNodes: 4, podSampleSize: 10 };
const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
for (const pass of [1, 2]) {
  const before = published;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await runWatcherPass(deps, policy, new Date(Date.UTC(2026, 0, 1, 0, pass)).toISOString());
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      pass,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((used.user + used.system) / 1000),
      peakRssMb: Math.round(peakRssMb),
      baselineRssMb: Math.round(baselineRssMb),
      nodes: summary.nodes,
      notReady: summary.notReady,
      unschedulablePods: summary.unschedulablePods,
      published: published - before,
      snapshot: summary.snapshot,
    }),
  );
}
