import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { loadConfigFile } from '../../config/load.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import type { Vm } from '../../sim/index.js';
import { captureContext } from './capture.js';

/*
 * `shepherd chaos` against a running local control plane, through the endpoints file and the chaos endpoint it
 * serves. Each fault's effect is read back through the real protocols (EC2 SDK, Kubernetes client); nothing of ours
 * is mocked. The VMs are arranged directly in the simulated world: the clouds are the outside world here.
 */

const config = loadConfigFile('shepherd.config.json');
let local: ShepherdLocal;
let endpointsFile: string;
let ec2: EC2Client;
let core: CoreV1Api;
let awsSpot: Vm;
let awsOnDemand: Vm;
let gcp: Vm;

async function chaos(...argv: string[]) {
  const ctx = captureContext();
  const code = await main(['chaos', ...argv, '--endpoints', endpointsFile], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

async function ec2State(id: string): Promise<string | undefined> {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function readyOf(node: string): Promise<string | undefined> {
  const n = await core.readNode({ name: node });
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** Moves simulated time on 5 s at a time until the check holds (the clock moves only when told: no poll misses a state). */
async function advanceUntil(check: () => boolean | Promise<boolean>, maxMs: number, what: string): Promise<void> {
  const { clock } = local.sim;
  const deadline = clock.now() + maxMs;
  while (!(await check())) {
    if (clock.now() >= deadline) throw new Error(`not ${what} after ${maxMs} ms simulated`);
    await clock.advance(5_000);
  }
}

/** Reads the Node through the API between steps of simulated time until its Ready is `want`. */
function readyBecomes(node: string, want: string, maxMs = 300_000): Promise<void> {
  return advanceUntil(async () => (await readyOf(node)) === want, maxMs, `node ${node} Ready=${want}`);
}

function launch(provider: 'aws' | 'gcp', zone: string, spot: boolean): Vm {
  const type = local.sim.world.catalog.types.find((t) => t.provider === provider && t.arch === 'amd64');
  if (!type) throw new Error(`no ${provider} type`);
  return local.sim.world.launchVm({ provider, zone, type: type.name, spot, autoJoin: true, ...(provider === 'gcp' ? { project: 'shepherd-sim' } : {}) });
}

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({ config, seed: 5, clock: { mode: 'virtual', autoAdvance: false }, onLambdaLog: () => {} });
  const { sim } = local;
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...sim.endpoints, chaos: local.chaos.url },
    region: config.providers.aws?.region ?? 'eu-west-3',
    credentials: { accessKeyId: sim.credentials.aws.accessKeyId, secretAccessKey: sim.credentials.aws.secretAccessKey },
    chaosToken: local.chaos.token,
    pid: process.pid,
  };
  endpointsFile = join(mkdtempSync(join(tmpdir(), 'shepherd-chaos-')), 'local.json');
  writeFileSync(endpointsFile, JSON.stringify(file), { mode: 0o600 });
  ec2 = new EC2Client({
    endpoint: sim.endpoints.ec2,
    region: sim.credentials.aws.region,
    credentials: { accessKeyId: sim.credentials.aws.accessKeyId, secretAccessKey: sim.credentials.aws.secretAccessKey },
    maxAttempts: 1,
  });
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  awsSpot = launch('aws', 'eu-west-3a', true);
  awsOnDemand = launch('aws', 'eu-west-3b', false);
  gcp = launch('gcp', 'europe-west1-b', false);
  const ids = [awsSpot.id, awsOnDemand.id, gcp.id];
  await advanceUntil(() => ids.every((id) => sim.world.getVm(id)?.nodeName), 300_000, 'the VMs joined');
  [awsSpot, awsOnDemand, gcp] = ids.map((id) => sim.world.getVm(id) as Vm);
  for (const vm of [awsSpot, awsOnDemand, gcp]) await readyBecomes(vm.nodeName as string, 'True');
}, 240_000);

// A test that fails half way leaves no fault behind for the next one.
afterEach(async () => {
  if (local) await chaos('clear');
});

afterAll(async () => {
  await local?.stop();
});

describe('shepherd chaos against shepherd local', () => {
  it('api-down: the API server refuses connections until clear, and list says so meanwhile', async () => {
    const down = await chaos('api-down', '--for', '1h');
    expect(down.err).toBe('');
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/^the cluster API server is down: connections to it are refused; ends at \S+Z \(in 1h on the simulated clock\)\n$/);
    const refused = await core.listNode().then(
      () => undefined,
      (err: Error) => err,
    );
    // @kubernetes/client-node 1.x (node-fetch) puts the socket's code on the error, 2.x (undici) on its cause.
    const errno = (refused as NodeJS.ErrnoException | undefined)?.code ?? (refused?.cause as NodeJS.ErrnoException | undefined)?.code;
    expect(errno).toBe('ECONNREFUSED');

    const list = await chaos('list');
    expect(list.out).toMatch(/^api-down cluster API: since \S+, ends at \S+Z \(in \d+m?.* on the simulated clock\)$/m);

    const clear = await chaos('clear');
    expect(clear.out).toBe('cleared 1 fault: api-down cluster API\n');
    expect((await core.listNode()).items.length).toBeGreaterThan(0);
    expect((await chaos('list')).out).toBe('no faults injected\n');
  });

  it('partition gcp: its node goes NotReady after the grace period while its VM runs, and comes back after clear', async () => {
    const node = gcp.nodeName as string;
    const cut = await chaos('partition', 'gcp');
    expect(cut.code).toBe(0);
    expect(cut.out).toMatch(/^gcp is partitioned from the control plane: .*; until `shepherd chaos clear`\n$/);
    const before = local.sim.clock.now();
    await readyBecomes(node, 'Unknown');
    // kube-controller-manager's node-monitor grace period (40 s on 1.31) passes first.
    expect(local.sim.clock.now() - before).toBeGreaterThanOrEqual(40_000);
    expect(await readyOf(awsOnDemand.nodeName as string)).toBe('True');

    expect((await chaos('clear')).out).toBe('cleared 1 fault: partition gcp\n');
    await readyBecomes(node, 'True');
  });

  it("provider-dark aws --region: the region's nodes go NotReady, EC2 still says running; the fault ends by itself after --for", async () => {
    const dark = await chaos('provider-dark', 'aws', '--region', 'eu-west-3', '--for', '10m');
    expect(dark.code).toBe(0);
    expect(dark.out).toMatch(/^aws\/eu-west-3 went dark: .*; ends at \S+Z \(in 10m on the simulated clock\)\n$/);
    const endsAt = Date.parse(/ends at (\S+Z)/.exec(dark.out)?.[1] ?? '');
    await readyBecomes(awsOnDemand.nodeName as string, 'Unknown');
    expect(await ec2State(awsOnDemand.id)).toBe('running');
    expect(await readyOf(gcp.nodeName as string)).toBe('True');

    await readyBecomes(awsOnDemand.nodeName as string, 'True', 15 * 60_000);
    expect(local.sim.clock.now()).toBeGreaterThanOrEqual(endsAt);
    expect((await chaos('list')).out).toBe('no faults injected\n');
  });

  it('delete-vm on AWS: the VM is terminated in DescribeInstances and EC2 published its state-change events', async () => {
    const del = await chaos('delete-vm', awsOnDemand.nodeName as string);
    expect(del.code).toBe(0);
    expect(del.out).toBe(
      `deleted aws VM ${awsOnDemand.id} (node ${awsOnDemand.nodeName}) out of band; EC2 publishes Instance State-change Notifications (shutting-down, terminated) to the default bus\n`,
    );
    const { awsEvents } = local.sim;
    await advanceUntil(() => local.sim.world.getVm(awsOnDemand.id)?.state === 'terminated', 120_000, 'terminated');
    expect(await ec2State(awsOnDemand.id)).toBe('terminated');
    const states = awsEvents.history
      .filter((e) => e['detail-type'] === 'EC2 Instance State-change Notification' && e.detail['instance-id'] === awsOnDemand.id)
      .map((e) => e.detail.state);
    expect(states.slice(-2)).toEqual(['shutting-down', 'terminated']);

    const again = await chaos('delete-vm', awsOnDemand.id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/VM \S+ is already terminated; the nodes are: .*\(\S+, gcp\)/);
  });

  it('spot-reclaim: EC2 warns, then reclaims the spot VM; an on-demand VM is refused with the spot nodes named', async () => {
    const refused = await chaos('spot-reclaim', gcp.nodeName as string);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`is not a spot VM and providers reclaim only spot VMs; spot nodes: ${awsSpot.nodeName} (${awsSpot.id})`);

    const reclaim = await chaos('spot-reclaim', awsSpot.id);
    expect(reclaim.code).toBe(0);
    expect(reclaim.out).toMatch(/^EC2 published its Spot Instance Interruption Warning for \S+ \(node \S+\); the VM is reclaimed at \S+Z\n$/);
    const warning = local.sim.awsEvents.history.find(
      (e) => e['detail-type'] === 'EC2 Spot Instance Interruption Warning' && e.detail['instance-id'] === awsSpot.id,
    );
    expect(warning).toBeDefined();
    await advanceUntil(() => ['stopped', 'terminated'].includes(local.sim.world.getVm(awsSpot.id)?.state ?? ''), 300_000, 'reclaimed');
    expect(['stopped', 'terminated']).toContain(await ec2State(awsSpot.id));
  });

  it('delete-vm on GCE publishes nothing and the Node goes NotReady; list and clear with nothing in force', async () => {
    const events = local.sim.awsEvents.history.length;
    const del = await chaos('delete-vm', gcp.id);
    expect(del.out).toMatch(/^deleted gcp VM \S+ \(node \S+\) out of band; gcp publishes no event\n$/);
    await readyBecomes(gcp.nodeName as string, 'Unknown');
    expect(local.sim.awsEvents.history.slice(events).filter((e) => e.detail['instance-id'] === gcp.id)).toEqual([]);
    expect((await chaos('clear')).out).toBe('no faults to clear\n');
  });
});

describe('shepherd chaos mistakes', () => {
  it('names the problem and the fix: unknown provider, node, region, fault; a wrong token; no running shepherd local', async () => {
    const provider = await chaos('provider-dark', 'azure');
    expect(provider.code).toBe(1);
    expect(provider.err).toBe('shepherd chaos: unknown provider "azure"; the configured ones are aws, gcp, scaleway, home\n');

    const region = await chaos('provider-dark', 'aws', '--region', 'mars-1');
    expect(region.err).toMatch(/aws has no region "mars-1"; its regions are eu-west-3, us-east-1/);

    const node = await chaos('delete-vm', 'no-such-node');
    expect(node.code).toBe(1);
    expect(node.err).toMatch(/no node or VM "no-such-node"; the nodes are: .*home/);

    const typo = await chaos('spot-reclam', 'x');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown fault "spot-reclam" \(did you mean "spot-reclaim"\?\)/);
    const command = captureContext();
    expect(await main(['choas'], command)).toBe(2);
    expect(command.err()).toMatch(/unknown command "choas" \(did you mean "chaos"\?\)/);

    const instant = await chaos('delete-vm', 'x', '--for', '5m');
    expect(instant.code).toBe(2);
    expect(instant.err).toMatch(/delete-vm happens at once: it takes no --for/);

    const forged = join(mkdtempSync(join(tmpdir(), 'shepherd-chaos-')), 'local.json');
    const file = JSON.parse(JSON.stringify({ ready: true, endpoints: { ...local.controlPlane.endpoints, chaos: local.chaos.url }, region: 'eu-west-3' }));
    writeFileSync(forged, JSON.stringify({ ...file, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, chaosToken: 'guessed', pid: process.pid }));
    const wrong = captureContext();
    expect(await main(['chaos', 'api-down', '--endpoints', forged], wrong)).toBe(1);
    expect(wrong.err()).toMatch(/wrong bearer token/);
    await expect(core.listNode()).resolves.toBeDefined();

    const missing = captureContext();
    expect(await main(['chaos', 'list', '--endpoints', join(tmpdir(), 'no-such-dir', 'local.json')], missing)).toBe(1);
    expect(missing.err()).toMatch(/cannot read the local endpoints file .* start the local control plane with `shepherd local/);
  });
});
