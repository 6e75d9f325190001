/**
 * npm run bench:watcher [-- --nodes 5000 --pods 50000 --pending 5000 --not-ready 50]
 *
 * A cluster watcher pass against the simulated API server holding `--nodes` Nodes and `--pods` pods (of which
 * `--pending` are Pending and unschedulable), and as many provider VMs as Nodes. The pass runs in a process of its
 * own (bench/watcher/pass-child.ts), so its wall time and peak memory are the watcher's. Two passes: the first finds
 * every transition, the second (the same world) none. Goals (issue 9): at most 10 s and 512 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo } from '../local/dynamodb/dynamodb.js';
import { startSim } from '../sim/index.js';
import type { KubeObject } from '../sim/world/types.js';

const GOAL_MS = 10_000;
const GOAL_MB = 512;
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    pods: { type: 'string', default: '50000' },
    pending: { type: 'string', default: '5000' },
    'not-ready': { type: 'string', default: '50' },
  },
});
const nodes = Number(values.nodes);
const pods = Number(values.pods);
const pending = Number(values.pending);
const notReady = Number(values['not-ready']);

const sim = await startSim({ servers: ['kube'], clock: { mode: 'virtual' }, world: { kind: 'all' } });
// Time stands still: the simulated controllers (scheduler, node lifecycle) do not run over the fixture.
const release = sim.clock.hold();
const credentials = { accessKeyId: 'AKIABENCHWATCHER', secretAccessKey: 'bench' };
const dynamo = await startLocalDynamo({ tables: [], clock: sim.clock, region: 'eu-west-3', credentials });
try {
  const fillStarted = performance.now();
  const now = new Date(sim.clock.now()).toISOString();
  const providers = ['aws', 'gcp', 'scaleway'] as const;
  const vms: unknown[] = [];
  for (let i = 0; i < nodes; i++) {
    const provider = providers[i % providers.length];
    const name = `node-${String(i).padStart(5, '0')}`;
    const providerID = `${provider}://bench/zone-a/${name}`;
    const ready = i < notReady ? 'Unknown' : 'True';
    sim.world.kube.create('nodes', benchNode(name, provider, providerID, ready, now));
    vms.push({ provider, id: `vm-${i}`, name, zone: 'zone-a', region: `${provider}-region`, type: 'bench.large', providerID, privateIp: ip(i) });
  }
  for (let i = 0; i < pods; i++) sim.world.kube.create('pods', benchPod(i, i < pending ? undefined : `node-${String(i % nodes).padStart(5, '0')}`, now));
  const fillSeconds = (performance.now() - fillStarted) / 1000;

  const dir = mkdtempSync(join(tmpdir(), 'shepherd-bench-watcher-'));
  const vmsFile = join(dir, 'vms.json');
  writeFileSync(vmsFile, JSON.stringify(vms));
  const table = 'bench-watcher';
  await new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-3', credentials }).send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  console.log(
    `simulated API server: ${nodes} Nodes (${notReady} NotReady), ${pods} pods (${pending} Pending, unschedulable); filled in ${fillSeconds.toFixed(1)} s`,
  );
  const lines = await runChild({
    BENCH_KUBECONFIG: sim.kubeconfig,
    BENCH_VMS_FILE: vmsFile,
    BENCH_TABLE: table,
    BENCH_DYNAMODB: dynamo.endpoint,
    BENCH_KEY_ID: credentials.accessKeyId,
  });
  const results = lines.map(
    (l) => JSON.parse(l) as { pass: number; wallMs: number; cpuMs: number; peakRssMb: number; baselineRssMb: number; published: number; snapshot: string },
  );
  for (const r of results) {
    console.log(
      `pass ${r.pass}: ${(r.wallMs / 1000).toFixed(2)} s wall (${(r.cpuMs / 1000).toFixed(2)} s CPU in the watcher's process), peak RSS ${r.peakRssMb} MB (${r.baselineRssMb} MB before the first pass), ${r.published} events, snapshot ${r.snapshot}`,
    );
  }
  const worstMs = Math.max(...results.map((r) => r.wallMs));
  const peakMb = Math.max(...results.map((r) => r.peakRssMb));
  console.log(`${worstMs <= GOAL_MS ? 'PASS' : 'FAIL'}  a pass takes at most ${GOAL_MS / 1000} s: slowest ${(worstMs / 1000).toFixed(2)} s`);
  console.log(`load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs (the API server runs in this process, the pass in its own)`);
  console.log(`${peakMb <= GOAL_MB ? 'PASS' : 'FAIL'}  a pass uses at most ${GOAL_MB} MB: peak RSS ${peakMb} MB`);
  process.exitCode = worstMs <= GOAL_MS && peakMb <= GOAL_MB ? 0 : 1;
} finally {
  release();
  await dynamo.stop();
  await sim.stop();
}

function runChild(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./watcher/pass-child.ts', import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').filter(Boolean)) : reject(new Error(`the pass process exited with ${code}`))));
  });
}

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function benchNode(name: string, provider: string, providerID: string, ready: string, now: string): KubeObject {
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: reason,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'bench.large',
        'topology.kubernetes.io/region': `${provider}-region`,
        'topology.kubernetes.io/zone': 'zone-a',
        'shepherd.io/provider': provider,
        'shepherd.io/pool': `${provider}-pool`,
        'shepherd.io/claim': `c${name}`,
      },
    },
    spec: { providerID },
    status: {
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '3900m', memory: '15Gi', pods: '110' },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        condition('Ready', ready, ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown'),
      ],
      addresses: [
        { type: 'InternalIP', address: ip(Number(name.slice(5))) },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { kubeletVersion: 'v1.31.2', containerRuntimeVersion: 'containerd://1.7.22', osImage: 'Ubuntu 24.04.1 LTS', architecture: 'amd64' },
    },
  };
}

function benchPod(i: number, nodeName: string | undefined, now: string): KubeObject {
  const name = `app-${String(i).padStart(6, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: `team-${i % 20}`,
      labels: { app: `app-${i % 500}` },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${i % 500}-5d8f`, uid: `uid-${i % 500}` }],
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'app', image: 'registry.example/app:1.0', resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
    },
    status: nodeName
      ? {
          phase: 'Running',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
          ],
        }
      : {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/5000 nodes are available: 5000 Insufficient cpu.',
              lastTransitionTime: now,
            },
          ],
        },
  };
}
