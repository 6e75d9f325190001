import { randomUUID } from 'node:crypto';
import { InstancesClient, type protos, ZoneOperationsClient } from '@google-cloud/compute';
import { afterEach, describe, expect, it } from 'vitest';
import { type GceCallLimits, gceClientOptions } from '../../functions/providers/gcp/client-options.js';
import type { ClockOptions } from '../../sim/clock.js';
import { type Sim, type SimOptions, startSim } from '../../sim/index.js';

/*
 * Driving the official @google-cloud/compute 6.15 clients (google-gax 5) at the simulator:
 *
 *   new InstancesClient(gceClientOptions(sim.endpoints.gce, sim.credentials.gcp.accessToken))
 *
 * gceClientOptions (functions/providers/gcp/client-options.ts) sets `fallback: true`, `apiEndpoint`,
 * `port`, `protocol: 'http'` and an `authClient` holding the token. It also makes HTTP errors
 * arrive as GoogleError with gRPC codes (5 NOT_FOUND, 14 UNAVAILABLE, ...), bounds gax's
 * retries and gives every request a transport timeout; see its comment for why.
 * instances.insert resolves to `[{ latestResponse: Operation }]`; follow it with
 * ZoneOperationsClient.wait({ project, zone, operation: latestResponse.name }).
 */

type Operation = protos.google.cloud.compute.v1.IOperation;
type InstanceBody = protos.google.cloud.compute.v1.IInstance;

const ZONE = 'europe-west1-b';
const IMAGE = 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64';

interface Harness {
  sim: Sim;
  project: string;
  instances: InstancesClient;
  operations: ZoneOperationsClient;
}

let open: Array<{ sim: Sim; clients: Array<{ close(): Promise<void> }> }> = [];

afterEach(async () => {
  for (const h of open) {
    for (const c of h.clients) await c.close();
    await h.sim.stop();
  }
  open = [];
});

async function setUp(clock: ClockOptions = {}, world: SimOptions['world'] = {}, limits: Partial<GceCallLimits> = {}): Promise<Harness> {
  const sim = await startSim({ servers: ['gce'], clock: { mode: 'virtual', ...clock }, world });
  const options = () => gceClientOptions(sim.endpoints.gce, sim.credentials.gcp.accessToken, limits);
  const instances = new InstancesClient(options());
  const operations = new ZoneOperationsClient(options());
  open.push({ sim, clients: [instances, operations] });
  return { sim, project: sim.credentials.gcp.project, instances, operations };
}

function vmBody(name: string, more: Partial<InstanceBody> = {}): InstanceBody {
  return {
    name,
    machineType: `zones/${ZONE}/machineTypes/e2-standard-2`,
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: IMAGE } }],
    networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] }],
    labels: { 'managed-by': 'shepherd' },
    ...more,
  };
}

async function insert(h: Harness, body: InstanceBody, requestId?: string): Promise<Operation> {
  const [lro] = await h.instances.insert({ project: h.project, zone: ZONE, instanceResource: body, requestId });
  return lro.latestResponse as Operation;
}

async function waitOp(h: Harness, op: Operation): Promise<Operation> {
  const [done] = await h.operations.wait({ project: h.project, zone: ZONE, operation: op.name });
  return done;
}

async function launch(h: Harness, name: string, more: Partial<InstanceBody> = {}): Promise<Operation> {
  return waitOp(h, await insert(h, vmBody(name, more)));
}

function rejection(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: { code?: number; message: string }) => err,
  );
}

describe('gce simulator with the official compute client', () => {
  it('insert with the same requestId twice returns one operation and launches one VM', async () => {
    const h = await setUp();
    const requestId = randomUUID();
    const body = vmBody('web-1', { scheduling: { provisioningModel: 'SPOT' } });
    const first = await insert(h, body, requestId);
    const second = await insert(h, body, requestId);

    expect(second.name).toBe(first.name);
    expect(second.id).toBe(first.id);
    const vms = h.sim.world.listVms('gcp');
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({ name: 'web-1', project: h.project, zone: ZONE, type: 'e2-standard-2', spot: true, tags: { 'managed-by': 'shepherd' } });
    expect(first).toMatchObject({ kind: 'compute#operation', operationType: 'insert', targetId: vms[0].id });
    expect(first.targetLink).toBe(`https://www.googleapis.com/compute/v1/projects/${h.project}/zones/${ZONE}/instances/web-1`);
    expect(h.sim.counters.get('gce', 'instances.insert')).toBe(2);
  });

  it('an operation goes PENDING -> RUNNING -> DONE on the simulated clock while the VM boots', async () => {
    const h = await setUp({ autoAdvance: false });
    const op = await insert(h, vmBody('web-1'));
    expect(op).toMatchObject({ status: 'PENDING', progress: 0 });
    expect(op.zone).toBe(`https://www.googleapis.com/compute/v1/projects/${h.project}/zones/${ZONE}`);

    await h.sim.clock.advance(1_000);
    const [running] = await h.operations.get({ project: h.project, zone: ZONE, operation: op.name });
    expect(running.status).toBe('RUNNING');
    expect(running.startTime).toBeTruthy();
    const [provisioning] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(provisioning.status).toBe('PROVISIONING');

    await h.sim.clock.advance(10_000);
    const [done] = await h.operations.get({ project: h.project, zone: ZONE, operation: op.name });
    expect(done).toMatchObject({ status: 'DONE', progress: 100 });
    expect(done.error).toBeFalsy();
    expect(Date.parse(done.endTime!) - Date.parse(done.insertTime!)).toBeGreaterThanOrEqual(5_000);
    const [staging] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(staging.status).toBe('STAGING');

    await h.sim.clock.advance(30_000);
    const [running2] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(running2.status).toBe('RUNNING');
    expect(h.sim.world.listVms('gcp')[0].state).toBe('running');
  });

  it('zoneOperations.wait long-polls until DONE while simulated time moves', async () => {
    const h = await setUp();
    const op = await insert(h, vmBody('web-1'));
    const done = await waitOp(h, op);
    expect(done.status).toBe('DONE');
    expect(Date.parse(done.endTime!)).toBeGreaterThan(Date.parse(op.insertTime!));
    expect(h.sim.counters.get('gce', 'zoneOperations.wait')).toBe(1);
  });

  it('zoneOperations.wait gives up after 2 simulated minutes and returns the operation unfinished', async () => {
    const h = await setUp({}, { shutdownDelayMs: 600_000 });
    await launch(h, 'web-1');
    const [lro] = await h.instances.delete({ project: h.project, zone: ZONE, instance: 'web-1' });
    const started = h.sim.clock.now();
    const waited = await waitOp(h, lro.latestResponse as Operation);
    expect(waited.status).toBe('RUNNING');
    expect(h.sim.clock.now() - started).toBeGreaterThanOrEqual(120_000);
    expect(h.sim.clock.now() - started).toBeLessThan(600_000);
  });

  it('get returns the instance as GCE describes it', async () => {
    const h = await setUp();
    await launch(h, 'web-1', { metadata: { items: [{ key: 'startup-script', value: 'echo hello' }] } });
    const vm = h.sim.world.listVms('gcp')[0];
    const [got] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(got).toMatchObject({
      kind: 'compute#instance',
      id: vm.id,
      name: 'web-1',
      labels: { 'managed-by': 'shepherd' },
      scheduling: { provisioningModel: 'STANDARD', automaticRestart: true },
    });
    expect(got.machineType).toBe(`https://www.googleapis.com/compute/v1/projects/${h.project}/zones/${ZONE}/machineTypes/e2-standard-2`);
    expect(got.networkInterfaces?.[0].networkIP).toBe(vm.privateIp);
    expect(got.networkInterfaces?.[0].accessConfigs?.[0].natIP).toBe(vm.publicIp);
    expect(got.networkInterfaces?.[0].network).toBe(`https://www.googleapis.com/compute/v1/projects/${h.project}/global/networks/default`);
    expect(got.disks?.[0]).toMatchObject({ boot: true, autoDelete: true, diskSizeGb: '10' });
    expect(got.metadata?.items).toMatchObject([{ key: 'startup-script', value: 'echo hello' }]);
    expect(got.labelFingerprint).toBeTruthy();
  });

  it('a GCP VM put in the world directly is listed with GCE defaults', async () => {
    const h = await setUp();
    const vm = h.sim.world.launchVm({ provider: 'gcp', project: h.project, zone: ZONE, type: 'e2-standard-4', name: 'seeded', spot: true });
    const [items] = await h.instances.list({ project: h.project, zone: ZONE });
    expect(items.map((i) => i.name)).toEqual(['seeded']);
    expect(items[0]).toMatchObject({ id: vm.id, scheduling: { provisioningModel: 'SPOT' } });
    expect(items[0].networkInterfaces?.[0].accessConfigs?.[0].natIP).toBe(vm.publicIp);
  });

  it('list filters on name, labels and status and pages with maxResults/pageToken', async () => {
    const h = await setUp();
    await launch(h, 'web-a', { labels: { role: 'web' } });
    await launch(h, 'web-b', { labels: { role: 'web' } });
    await launch(h, 'db-a', { labels: { role: 'db' } });
    const names = async (filter: string) => {
      const [items] = await h.instances.list({ project: h.project, zone: ZONE, filter });
      return items.map((i) => i.name).sort();
    };

    expect(await names('name = "web-b"')).toEqual(['web-b']);
    expect(await names('labels.role = web')).toEqual(['web-a', 'web-b']);
    expect(await names('(labels.role = web) (name != "web-a")')).toEqual(['web-b']);
    expect(await names('(name = "db-a") OR (name = "web-a")')).toEqual(['db-a', 'web-a']);
    expect(await names('name eq web-.*')).toEqual(['web-a', 'web-b']);
    expect(await names('labels.role:*')).toEqual(['db-a', 'web-a', 'web-b']);
    expect(await names('status = TERMINATED')).toEqual([]);
    await h.sim.clock.advance(60_000);
    expect(await names('status = RUNNING')).toEqual(['db-a', 'web-a', 'web-b']);

    const [page1, next1, raw1] = await h.instances.list({ project: h.project, zone: ZONE, maxResults: 2 }, { autoPaginate: false });
    expect(page1.map((i) => i.name)).toEqual(['db-a', 'web-a']);
    expect(raw1?.nextPageToken).toBeTruthy();
    const [page2, next2] = await h.instances.list({ ...next1, maxResults: 2 }, { autoPaginate: false });
    expect(page2.map((i) => i.name)).toEqual(['web-b']);
    expect(next2).toBeNull();

    const all: string[] = [];
    for await (const i of h.instances.listAsync({ project: h.project, zone: ZONE, maxResults: 1 })) all.push(i.name!);
    expect(all).toEqual(['db-a', 'web-a', 'web-b']);

    const [none] = await h.instances.list({ project: h.project, zone: ZONE, filter: 'labels.role = cache' });
    expect(none).toEqual([]);
    const bad = await rejection(h.instances.list({ project: h.project, zone: ZONE, filter: 'name = ' }));
    expect(bad.code).toBe(3);
  });

  it('delete terminates the VM in the world, and get then answers 404 notFound', async () => {
    const h = await setUp();
    await launch(h, 'web-1');
    const [lro] = await h.instances.delete({ project: h.project, zone: ZONE, instance: 'web-1', requestId: randomUUID() });
    const op = lro.latestResponse as Operation;
    expect(op.operationType).toBe('delete');
    const [stopping] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(stopping.status).toBe('STOPPING');

    const done = await waitOp(h, op);
    expect(done.status).toBe('DONE');
    expect(h.sim.world.listVms('gcp')[0].state).toBe('terminated');
    const err = await rejection(h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' }));
    expect(err.code).toBe(5);
    expect(err.message).toBe(`The resource 'projects/${h.project}/zones/${ZONE}/instances/web-1' was not found`);
    const again = await rejection(h.instances.delete({ project: h.project, zone: ZONE, instance: 'web-1' }));
    expect(again.code).toBe(5);
  });

  it('no capacity: insert succeeds, the operation ends DONE with ZONE_RESOURCE_POOL_EXHAUSTED, and no VM remains', async () => {
    const h = await setUp();
    h.sim.world.setCapacity({ provider: 'gcp', zone: ZONE, type: 'e2-standard-2' }, 0);
    const op = await insert(h, vmBody('web-1'), randomUUID());
    const done = await waitOp(h, op);

    expect(done.status).toBe('DONE');
    expect(done.error?.errors?.[0].code).toBe('ZONE_RESOURCE_POOL_EXHAUSTED');
    expect(done.httpErrorStatusCode).toBe(503);
    expect(h.sim.world.listVms('gcp')).toEqual([]);
    expect((await rejection(h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' }))).code).toBe(5);

    const crossZone = await rejection(insert(h, { ...vmBody('web-1'), machineType: 'zones/europe-west1-c/machineTypes/e2-standard-2' }));
    expect(crossZone.code).toBe(3);
    const [lro] = await h.instances.insert({
      project: h.project,
      zone: 'europe-west1-c',
      instanceResource: { ...vmBody('web-1'), machineType: 'zones/europe-west1-c/machineTypes/e2-standard-2' },
    });
    const [elsewhere] = await h.operations.wait({ project: h.project, zone: 'europe-west1-c', operation: lro.latestResponse?.name });
    expect(elsewhere.error).toBeFalsy();
    expect(h.sim.world.listVms('gcp').map((v) => v.zone)).toEqual(['europe-west1-c']);
  });

  it('names are unique per project and zone: a second insert gets 409 alreadyExists', async () => {
    const h = await setUp();
    await launch(h, 'web-1');
    const err = await rejection(insert(h, vmBody('web-1')));
    expect(err.code).toBe(10);
    expect(err.message).toBe(`The resource 'projects/${h.project}/zones/${ZONE}/instances/web-1' already exists`);
    expect(h.sim.world.listVms('gcp')).toHaveLength(1);
  });

  it('stop, start and setLabels act on the world VM', async () => {
    const h = await setUp();
    await launch(h, 'web-1');
    await h.sim.clock.advance(60_000);
    const where = { project: h.project, zone: ZONE, instance: 'web-1' };

    const [stop] = await h.instances.stop(where);
    await waitOp(h, stop.latestResponse as Operation);
    expect(h.sim.world.listVms('gcp')[0].state).toBe('stopped');
    expect((await h.instances.get(where))[0].status).toBe('TERMINATED');

    const [start] = await h.instances.start(where);
    await waitOp(h, start.latestResponse as Operation);
    expect((await h.instances.get(where))[0].status).toBe('RUNNING');

    const [before] = await h.instances.get(where);
    const [setLabels] = await h.instances.setLabels({
      ...where,
      instancesSetLabelsRequestResource: { labels: { role: 'web' }, labelFingerprint: before.labelFingerprint },
    });
    await waitOp(h, setLabels.latestResponse as Operation);
    expect(h.sim.world.listVms('gcp')[0].tags).toEqual({ role: 'web' });
    const stale = await rejection(
      h.instances.setLabels({ ...where, instancesSetLabelsRequestResource: { labels: { role: 'db' }, labelFingerprint: before.labelFingerprint } }),
    );
    expect(stale.code).toBe(9);
    expect(h.sim.world.listVms('gcp')[0].tags).toEqual({ role: 'web' });
  });

  it('auth: 401 without or with a wrong token, 403 for a project the token has no rights in', async () => {
    const h = await setUp();
    const wrong = new InstancesClient(gceClientOptions(h.sim.endpoints.gce, 'ya29.not-the-token'));
    open[0].clients.push(wrong);
    const denied = await rejection(wrong.insert({ project: h.project, zone: ZONE, instanceResource: vmBody('web-1') }));
    expect(denied.code).toBe(16);
    expect(h.sim.world.listVms('gcp')).toEqual([]);

    const raw = await fetch(`${h.sim.endpoints.gce}/compute/v1/projects/${h.project}/zones/${ZONE}/instances`);
    expect(raw.status).toBe(401);
    const body = (await raw.json()) as { error: { code: number; status: string; errors: Array<{ reason: string; domain: string }> } };
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'required', domain: 'global' }] });

    const other = await rejection(h.instances.list({ project: 'someone-else', zone: ZONE }));
    expect(other.code).toBe(7);
    expect(other.message).toBe("Required 'compute.instances.list' permission for 'projects/someone-else'");
  });

  it('an injected 5xx reaches the caller as backendError (UNAVAILABLE); gax retries idempotent calls only', async () => {
    const h = await setUp();
    h.sim.faults.set('gce', 'instances.insert', { errorRate: 1 });
    const failed = await rejection(insert(h, vmBody('web-1')));
    expect(failed.code).toBe(14);
    expect(failed.message).toContain('Internal error. Please try again');
    expect(h.sim.counters.get('gce', 'instances.insert')).toBe(1);
    expect(h.sim.world.listVms('gcp')).toEqual([]);

    h.sim.faults.clear('gce');
    await launch(h, 'web-1');
    h.sim.faults.set('gce', 'instances.get', { errorRate: 1 });
    setTimeout(() => h.sim.faults.clear('gce', 'instances.get'), 400);
    const [got] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' });
    expect(got.name).toBe('web-1');
    expect(h.sim.counters.get('gce', 'instances.get')).toBeGreaterThan(1);
  });

  it('rate limits answer 403 with reason rateLimitExceeded, as Compute Engine does; a kind world answers 429 RESOURCE_EXHAUSTED', async () => {
    const h = await setUp();
    h.sim.faults.set('gce', 'instances.list', { rateLimit: { capacity: 1, refillPerSecond: 0.001 } });
    await h.instances.list({ project: h.project, zone: ZONE });
    const throttled = await rejection(h.instances.list({ project: h.project, zone: ZONE }));
    expect(throttled.code).toBe(7);
    expect(throttled.message).toContain("Quota exceeded for quota metric 'Queries'");

    const raw = await fetch(`${h.sim.endpoints.gce}/compute/v1/projects/${h.project}/zones/${ZONE}/instances`, {
      headers: { authorization: `Bearer ${h.sim.credentials.gcp.accessToken}` },
    });
    expect(raw.status).toBe(403);
    const body = (await raw.json()) as { error: { code: number; errors: Array<{ reason: string; domain: string }> } };
    expect(body.error.code).toBe(403);
    expect(body.error.errors[0]).toMatchObject({ reason: 'rateLimitExceeded', domain: 'usageLimits' });

    const kind = await setUp({}, { kind: ['gce-rate-limit-403'] });
    kind.sim.faults.set('gce', 'instances.list', { throttle: true });
    const old = await rejection(kind.instances.list({ project: kind.project, zone: ZONE }));
    expect(old.code).toBe(8);
  });

  it('the client does not hang: retries stop at the budget and a silent server times out', async () => {
    const h = await setUp({ autoAdvance: false }, {}, { retryBudgetMs: 1_000, requestTimeoutMs: 500 });
    h.sim.faults.set('gce', 'instances.get', { errorRate: 1 });
    const t0 = Date.now();
    const exhausted = await rejection(h.instances.get({ project: h.project, zone: ZONE, instance: 'web-1' }));
    expect(exhausted.code).toBe(4);
    expect(h.sim.counters.get('gce', 'instances.get')).toBeGreaterThan(1);

    h.sim.faults.set('gce', 'instances.list', { timeout: true });
    const silent = await rejection(h.instances.list({ project: h.project, zone: ZONE }));
    expect(silent.message).toMatch(/abort|timeout/i);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a VM whose startup-script is a kubeadm join script joins with providerID gce://project/zone/name', async () => {
    const h = await setUp();
    const script = `#!/bin/bash\nset -e\nkubeadm join 10.0.0.1:6443 --token ${h.sim.world.joinToken} --discovery-token-ca-cert-hash sha256:${'ab'.repeat(32)}\n`;
    await launch(h, 'worker-1', { metadata: { items: [{ key: 'startup-script', value: script }] }, scheduling: { provisioningModel: 'SPOT' } });
    await h.sim.clock.until(() => h.sim.world.kube.get('nodes', undefined, 'worker-1') !== undefined, 600_000, 'worker-1 to join');

    const node = h.sim.world.kube.get('nodes', undefined, 'worker-1');
    expect(node?.spec.providerID).toBe(`gce://${h.project}/${ZONE}/worker-1`);
    expect(h.sim.world.listVms('gcp')[0].nodeName).toBe('worker-1');
  });
});
