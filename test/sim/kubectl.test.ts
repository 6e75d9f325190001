import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, startSim } from '../../sim/index.js';
import { podReady, readyStatus } from '../../sim/world/cluster/status.js';
import { isoSeconds } from '../../sim/world/kube-store.js';
import type { KubeObject } from '../../sim/world/types.js';
import { findKubectl, tableRows as rows, runKubectl } from '../helpers/kubectl.js';

const KUBECTL = findKubectl();
if (!KUBECTL) console.warn('kubectl.test.ts skipped: no kubectl binary found (install Debian package kubernetes-client)');

const NODES = ['nuc-1', 'nuc-2', 'nuc-3'];

let sim: Sim;
let workDir: string;

/**
 * kubectl is a separate process, so simulated time must run on its own while it works: a
 * scaled clock (20x) rather than the virtual one.
 */
beforeAll(async () => {
  if (!KUBECTL) return;
  sim = await startSim({ servers: ['kube'], clock: { mode: 'scaled', factor: 20 } });
  for (const name of NODES) sim.world.addHomeMachine(name);
  workDir = await mkdtemp(join(tmpdir(), 'kubectl-sim-'));
  await sim.writeKubeconfig(join(workDir, 'kubeconfig'));
  await sim.clock.until(() => NODES.every((n) => nodeReady(n)), 120_000, 'nodes Ready');
});

afterAll(async () => {
  await sim?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return runKubectl(KUBECTL as string, join(workDir, 'kubeconfig'), join(workDir, 'cache'), args);
}

function node(name: string): KubeObject {
  return sim.world.kube.mustGet('nodes', undefined, name);
}

function nodeReady(name: string): boolean {
  const n = sim.world.kube.get('nodes', undefined, name);
  return n !== undefined && readyStatus(n) === 'True';
}

function livePods(labelSelector: string): KubeObject[] {
  return sim.world.kube.list('pods', { labelSelector }).filter((p) => !p.metadata.deletionTimestamp);
}

function workload(kind: 'ReplicaSet' | 'DaemonSet', name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace },
    spec: {
      ...spec,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: `${name}:1`, resources: { requests: { cpu: '1' } } }] },
      },
    },
  };
}

describe.skipIf(!KUBECTL)('kubectl against the simulated API server', () => {
  it('get nodes -o wide prints Ready nodes with the wide columns', async () => {
    const { stdout } = await kubectl('get', 'nodes', '-o', 'wide');
    const [header, ...body] = rows(stdout);
    expect(header).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(body.map((r) => r[0])).toEqual(NODES);
    for (const row of body) {
      const vm = sim.world.getVm(row[0]);
      expect(row.slice(1, 3)).toEqual(['Ready', '<none>']);
      expect(row[4]).toBe('v1.31.2');
      expect(row.slice(5, 8)).toEqual([vm?.privateIp, vm?.publicIp, 'Ubuntu 24.04.1 LTS']);
      expect(row[9]).toMatch(/^containerd:\/\//);
    }
  });

  it('get nodes -l selects by label', async () => {
    sim.world.kube.mutate('nodes', undefined, 'nuc-3', (n) => {
      n.metadata.labels = { ...n.metadata.labels, pool: 'attic' };
    });
    const { stdout } = await kubectl('get', 'nodes', '-l', 'pool=attic', '-o', 'name');
    expect(stdout.trim()).toBe('node/nuc-3');
    const none = await kubectl('get', 'nodes', '-l', 'pool=cellar');
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No resources found');
  });

  it('get --field-selector: supported fields select, others are refused as the API server refuses them', async () => {
    const { stdout } = await kubectl('get', 'nodes', '--field-selector', 'metadata.name=nuc-2', '-o', 'name');
    expect(stdout.trim()).toBe('node/nuc-2');
    const refused = await kubectl('get', 'nodes', '--field-selector', 'status.phase=Running').then(
      () => undefined,
      (err: { stderr: string }) => err,
    );
    expect(refused?.stderr).toContain('(BadRequest)');
    expect(refused?.stderr).toContain('field label not supported: status.phase');
  });

  it('label node sets the label in the world', async () => {
    const { stdout } = await kubectl('label', 'node', 'nuc-1', 'foo=bar');
    expect(stdout.trim()).toBe('node/nuc-1 labeled');
    expect(node('nuc-1').metadata.labels?.foo).toBe('bar');
    await kubectl('label', 'node', 'nuc-1', 'foo-');
    expect(node('nuc-1').metadata.labels).not.toHaveProperty('foo');
  });

  it('cordon and uncordon set and clear spec.unschedulable', async () => {
    expect((await kubectl('cordon', 'nuc-2')).stdout.trim()).toBe('node/nuc-2 cordoned');
    expect(node('nuc-2').spec.unschedulable).toBe(true);
    const listed = rows((await kubectl('get', 'node', 'nuc-2')).stdout);
    expect(listed[1].slice(0, 2)).toEqual(['nuc-2', 'Ready,SchedulingDisabled']);

    expect((await kubectl('uncordon', 'nuc-2')).stdout.trim()).toBe('node/nuc-2 uncordoned');
    expect(node('nuc-2').spec.unschedulable).toBeFalsy();
  });

  it('drain evicts ReplicaSet pods (recreated elsewhere), leaves the DaemonSet pod, and waits on a blocking PDB', async () => {
    sim.world.kube.create('replicasets', workload('ReplicaSet', 'web', 'default', { replicas: 3 }));
    sim.world.kube.create('daemonsets', workload('DaemonSet', 'agent', 'kube-system', {}));
    await sim.clock.until(
      () => livePods('app=web').filter(podReady).length === 3 && livePods('app=agent').filter(podReady).length === 3,
      120_000,
      'workloads running',
    );
    const counts = new Map<string, number>();
    for (const p of livePods('app=web')) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    const target = [...counts].sort((a, b) => b[1] - a[1])[0][0] as string;
    const evictedNames = livePods('app=web')
      .filter((p) => p.spec.nodeName === target)
      .map((p) => p.metadata.name);
    const daemonPod = livePods('app=agent').find((p) => p.spec.nodeName === target)?.metadata.name;

    const { stdout, stderr } = await kubectl('drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s');
    expect(stdout).toContain(`node/${target} cordoned`);
    // kubectl >= 1.21 says "drained"; Debian's 1.20 (what CI installs when none is present) says "evicted".
    expect(stdout).toMatch(new RegExp(`node/${target} (drained|evicted)`));
    expect(stderr).toContain('ignoring DaemonSet-managed Pods');
    expect(node(target).spec.unschedulable).toBe(true);
    for (const name of evictedNames) expect(sim.world.kube.get('pods', 'default', name)).toBeUndefined();
    expect(sim.counters.get('kube', 'pods.evict')).toBe(evictedNames.length);
    expect(livePods('app=agent').find((p) => p.spec.nodeName === target)?.metadata.name).toBe(daemonPod);
    await sim.clock.until(() => livePods('app=web').filter(podReady).length === 3, 60_000, 'web pods replaced');
    expect(livePods('app=web').every((p) => p.spec.nodeName !== target)).toBe(true);

    // A PodDisruptionBudget that allows no disruption: kubectl gets 429, retries, and gives up at its timeout.
    sim.world.kube.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'default' },
      spec: { minAvailable: 3, selector: { matchLabels: { app: 'web' } } },
    });
    const blockedNode = livePods('app=web')[0].spec.nodeName as string;
    const blocked = await kubectl('drain', blockedNode, '--ignore-daemonsets', '--timeout=2s').then(
      () => undefined,
      (err: { stderr: string }) => err,
    );
    expect(blocked?.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(livePods('app=web').filter(podReady)).toHaveLength(3);
  }, 40_000);

  it('get events and describe node show the kubelet, the node controller and a recorded Event; unsupported field selectors are refused', async () => {
    const uid = node('nuc-1').metadata.uid as string;
    const now = isoSeconds(sim.clock.now());
    sim.world.kube.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'nuc-1.shepherd', namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'nuc-1', uid },
      reason: 'Labelled',
      message: 'Labelled for pool attic by execution kubectl-test.',
      type: 'Normal',
      source: { component: 'multicloud-shepherd' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 3,
    });
    const { stdout } = await kubectl('get', 'events', '-o', 'wide', '--field-selector', 'involvedObject.name=nuc-1');
    const [header, ...body] = rows(stdout);
    expect(header).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    const ours = body.find((r) => r.includes('Labelled'));
    // SUBOBJECT is empty, so the row has one cell fewer than the header.
    expect(ours?.slice(1)).toEqual([
      'Normal',
      'Labelled',
      'node/nuc-1',
      'multicloud-shepherd',
      'Labelled for pool attic by execution kubectl-test.',
      ours?.[6],
      '3',
      'nuc-1.shepherd',
    ]);
    expect(body.map((r) => r[2])).toEqual(expect.arrayContaining(['Starting', 'NodeReady', 'RegisteredNode']));

    // kubectl describe node asks for the Node's Events twice: by its uid (controllers) and by its name as uid (kubelet).
    const described = (await kubectl('describe', 'node', 'nuc-1')).stdout;
    const events = described.slice(described.indexOf('\nEvents:'));
    // The age cell says how often it happened: `2m (x3 over 2m)`.
    expect(events).toMatch(/Normal\s+Labelled\s+\S+ \(x3 over \S+\)\s+multicloud-shepherd\s+Labelled for pool attic by execution kubectl-test\./);
    expect(events).toMatch(/Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node nuc-1 event: Registered Node nuc-1 in Controller/);
    expect(events).toMatch(/Normal\s+NodeReady\s+\S+\s+kubelet\s+Node nuc-1 status is now: NodeReady/);
    expect(described).toMatch(/PIDPressure\s+False.*KubeletHasSufficientPID\s+kubelet has sufficient PID available/);

    const refused = await kubectl('get', 'events', '--field-selector', 'message=x').then(
      () => undefined,
      (err: { stderr: string }) => err,
    );
    expect(refused?.stderr).toContain('field label not supported: message');
  });

  it('get deploy lists a Deployment with its Ready count; cluster-info names the control plane and CoreDNS', async () => {
    sim.world.kube.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'main', image: 'api:1', resources: { requests: { cpu: '10m' } } }] } },
      },
    });
    await sim.clock.until(() => sim.world.kube.get('deployments', 'default', 'api')?.status?.readyReplicas === 2, 120_000, 'api ready');
    const [header, row] = rows((await kubectl('get', 'deploy')).stdout);
    expect(header).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(row.slice(0, 4)).toEqual(['api', '2/2', '2', '2']);

    const info = stripVTControlCharacters((await kubectl('cluster-info')).stdout);
    const server = /server: (\S+)/.exec(await readFile(join(workDir, 'kubeconfig'), 'utf8'))?.[1];
    expect(info).toContain(`Kubernetes control plane is running at ${server}`);
    expect(info).toContain(`CoreDNS is running at ${server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`);
  });
});
