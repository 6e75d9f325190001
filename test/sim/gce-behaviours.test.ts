import { InstancesClient, type protos, ZoneOperationsClient } from '@google-cloud/compute';
import { afterEach, describe, expect, it } from 'vitest';
import { gceClientOptions } from '../../functions/providers/gcp/client-options.js';
import { type Sim, type SimOptions, startSim } from '../../sim/index.js';

/**
 * What Compute Engine refuses or does on its own that a kind simulator would not: machine types only in the zones
 * that offer them, boot images of the other architecture, spot preemption (30 s notice, STOP or DELETE per
 * instanceTerminationAction, a compute.instances.preempted operation), and setMetadata's fingerprint. Driven through
 * the official @google-cloud/compute clients (see test/sim/gce.test.ts for how they reach the simulator).
 */

type Operation = protos.google.cloud.compute.v1.IOperation;
type InstanceBody = protos.google.cloud.compute.v1.IInstance;

const AMD64_IMAGE = 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64';
const ARM64_IMAGE = 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-arm64';

interface Harness {
  sim: Sim;
  project: string;
  instances: InstancesClient;
  operations: ZoneOperationsClient;
}

let open: Harness[] = [];

afterEach(async () => {
  for (const h of open) {
    await h.instances.close();
    await h.operations.close();
    await h.sim.stop();
  }
  open = [];
});

async function setUp(world: SimOptions['world'] = {}): Promise<Harness> {
  const sim = await startSim({ servers: ['gce'], clock: { mode: 'virtual' }, world });
  const options = () => gceClientOptions(sim.endpoints.gce, sim.credentials.gcp.accessToken);
  const h = { sim, project: sim.credentials.gcp.project, instances: new InstancesClient(options()), operations: new ZoneOperationsClient(options()) };
  open.push(h);
  return h;
}

function vmBody(name: string, zone: string, type: string, image: string, more: Partial<InstanceBody> = {}): InstanceBody {
  return {
    name,
    machineType: `zones/${zone}/machineTypes/${type}`,
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: image } }],
    networkInterfaces: [{ network: 'global/networks/default' }],
    ...more,
  };
}

async function launch(h: Harness, zone: string, body: InstanceBody): Promise<Operation> {
  const [lro] = await h.instances.insert({ project: h.project, zone, instanceResource: body });
  const [done] = await h.operations.wait({ project: h.project, zone, operation: (lro.latestResponse as Operation).name });
  return done;
}

function rejection(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: { code?: number; message: string }) => err,
  );
}

describe('gce simulator: what Compute Engine refuses', () => {
  it('a machine type exists only in the zones that offer it: t2a is refused in europe-west1-b with 400 and launches in us-central1-a', async () => {
    const h = await setUp();
    const refused = await rejection(launch(h, 'europe-west1-b', vmBody('arm-1', 'europe-west1-b', 't2a-standard-2', ARM64_IMAGE)));
    expect(refused.code).toBe(3);
    expect(refused.message).toBe(
      "Invalid value for field 'resource.machineType': 'zones/europe-west1-b/machineTypes/t2a-standard-2'. Machine type with name 't2a-standard-2' does not exist in zone 'europe-west1-b'.",
    );
    expect(h.sim.world.listVms('gcp')).toEqual([]);

    const done = await launch(h, 'us-central1-a', vmBody('arm-1', 'us-central1-a', 't2a-standard-2', ARM64_IMAGE));
    expect(done.error).toBeFalsy();
    expect(h.sim.world.listVms('gcp')).toMatchObject([{ name: 'arm-1', zone: 'us-central1-a', arch: 'arm64' }]);
  });

  it('a kind world offers every machine type in every zone', async () => {
    const h = await setUp({ kind: ['gce-zonal-machine-types'] });
    const done = await launch(h, 'europe-west1-b', vmBody('arm-1', 'europe-west1-b', 't2a-standard-2', ARM64_IMAGE));
    expect(done.error).toBeFalsy();
    expect(h.sim.world.listVms('gcp')).toHaveLength(1);
  });

  it('an arm64 image on an x86 machine type, and the reverse, is refused with 400 invalidResourceUsage', async () => {
    const h = await setUp();
    const armOnX86 = await rejection(launch(h, 'europe-west1-b', vmBody('vm-1', 'europe-west1-b', 'e2-standard-2', ARM64_IMAGE)));
    expect(armOnX86.code).toBe(3);
    expect(armOnX86.message).toBe(
      "Invalid resource usage: 'Requested boot disk architecture (ARM64) is not compatible with machine type architecture (X86_64).'.",
    );
    const x86OnArm = await rejection(launch(h, 'us-central1-a', vmBody('vm-2', 'us-central1-a', 't2a-standard-2', AMD64_IMAGE)));
    expect(x86OnArm.message).toContain('Requested boot disk architecture (X86_64) is not compatible with machine type architecture (ARM64)');
    expect(h.sim.world.listVms('gcp')).toEqual([]);

    const raw = await fetch(`${h.sim.endpoints.gce}/compute/v1/projects/${h.project}/zones/europe-west1-b/instances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sim.credentials.gcp.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(vmBody('vm-3', 'europe-west1-b', 'e2-standard-2', ARM64_IMAGE)),
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0].reason).toBe('invalidResourceUsage');
  });
});

describe('gce simulator: spot preemption', () => {
  const ZONE = 'europe-west1-b';
  const preemptions = async (h: Harness) => {
    const [ops] = await h.operations.list({ project: h.project, zone: ZONE, filter: 'operationType = "compute.instances.preempted"' });
    return ops;
  };

  it('warns 30 s ahead, then STOPs a spot VM by default: it stays listed as TERMINATED, and a preempted operation appears', async () => {
    const h = await setUp();
    await launch(h, ZONE, vmBody('spot-1', ZONE, 'e2-standard-2', AMD64_IMAGE, { scheduling: { provisioningModel: 'SPOT' } }));
    await h.sim.clock.advance(60_000);
    const vm = h.sim.world.listVms('gcp')[0];
    const reclaimedAt = h.sim.clock.now();
    expect(h.sim.world.reclaimSpot(vm.id)).toBe(true);

    await h.sim.clock.advance(90_000);
    // The notice is 30 s: the VM starts stopping then, and the preemption is recorded then.
    const stopping = h.sim.world.timeline.find((e) => e.type === 'vm.stopping' && e.subject === vm.id);
    expect(stopping?.at).toBe(reclaimedAt + 30_000);
    const [op, ...more] = await preemptions(h);
    expect(more).toEqual([]);
    expect(op).toMatchObject({ operationType: 'compute.instances.preempted', status: 'DONE', targetId: vm.id });
    expect(Date.parse(op.insertTime!)).toBe(reclaimedAt + 30_000);
    expect(op.targetLink).toMatch(/\/instances\/spot-1$/);

    const [got] = await h.instances.get({ project: h.project, zone: ZONE, instance: 'spot-1' });
    expect(got.status).toBe('TERMINATED');
    expect(got.scheduling).toMatchObject({ provisioningModel: 'SPOT', instanceTerminationAction: 'STOP' });
  });

  it('instanceTerminationAction DELETE deletes the preempted VM: get answers 404', async () => {
    const h = await setUp();
    await launch(
      h,
      ZONE,
      vmBody('spot-2', ZONE, 'e2-standard-2', AMD64_IMAGE, { scheduling: { provisioningModel: 'SPOT', instanceTerminationAction: 'DELETE' } }),
    );
    const vm = h.sim.world.listVms('gcp')[0];
    h.sim.world.reclaimSpot(vm.id);
    await h.sim.clock.advance(120_000);
    expect((await rejection(h.instances.get({ project: h.project, zone: ZONE, instance: 'spot-2' }))).code).toBe(5);
    expect(await preemptions(h)).toHaveLength(1);
  });

  it('reclaiming touches only spot VMs: an on-demand VM keeps running and no preemption is recorded', async () => {
    const h = await setUp();
    await launch(h, ZONE, vmBody('std-1', ZONE, 'e2-standard-2', AMD64_IMAGE));
    await h.sim.clock.advance(60_000);
    const vm = h.sim.world.listVms('gcp')[0];
    expect(h.sim.world.reclaimSpot(vm.id)).toBe(false);
    await h.sim.clock.advance(180_000);
    expect((await h.instances.get({ project: h.project, zone: ZONE, instance: 'std-1' }))[0].status).toBe('RUNNING');
    expect(await preemptions(h)).toEqual([]);
  });
});

describe('gce simulator: instance metadata', () => {
  it('setMetadata replaces the items when given the current fingerprint and refuses a stale one with 412', async () => {
    const h = await setUp();
    const ZONE = 'europe-west1-b';
    const where = { project: h.project, zone: ZONE, instance: 'vm-1' };
    await launch(
      h,
      ZONE,
      vmBody('vm-1', ZONE, 'e2-standard-2', AMD64_IMAGE, {
        metadata: {
          items: [
            { key: 'startup-script', value: 'join --key s3cret' },
            { key: 'enable-oslogin', value: 'TRUE' },
          ],
        },
      }),
    );
    const [before] = await h.instances.get(where);
    const [lro] = await h.instances.setMetadata({
      ...where,
      metadataResource: { fingerprint: before.metadata?.fingerprint, items: [{ key: 'enable-oslogin', value: 'TRUE' }] },
    });
    const [done] = await h.operations.wait({ project: h.project, zone: ZONE, operation: (lro.latestResponse as Operation).name });
    expect(done).toMatchObject({ status: 'DONE', operationType: 'setMetadata' });
    const [after] = await h.instances.get(where);
    expect(after.metadata?.items?.map((i) => [i.key, i.value])).toEqual([['enable-oslogin', 'TRUE']]);
    expect(after.metadata?.fingerprint).not.toBe(before.metadata?.fingerprint);

    const stale = await rejection(h.instances.setMetadata({ ...where, metadataResource: { fingerprint: before.metadata?.fingerprint, items: [] } }));
    expect(stale.code).toBe(9);
    expect((await h.instances.get(where))[0].metadata?.items).toHaveLength(1);
  });
});
