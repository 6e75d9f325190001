import { EC2Client } from '@aws-sdk/client-ec2';
import { InstancesClient, ZoneOperationsClient } from '@google-cloud/compute';
import { createClient } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { claimIdOf, type VmRef } from '../../functions/decisions/provision.js';
import { Ec2Provider } from '../../functions/providers/aws/client.js';
import { FakeProvider, KubeApiKubelet } from '../../functions/providers/fake/client.js';
import { GceProvider } from '../../functions/providers/gcp/client.js';
import { gceClientOptions } from '../../functions/providers/gcp/client-options.js';
import { providerNamed } from '../../functions/providers/registry.js';
import { ScalewayPoolProvider } from '../../functions/providers/scaleway/client.js';
import type { CloudProvider, LaunchSpec } from '../../functions/providers/types.js';
import { prepareWorld } from '../../local/shepherd-world.js';
import { type Sim, startSim } from '../../sim/index.js';
import { ec2Controls } from '../../sim/servers/ec2/index.js';

/**
 * Every provider client against the simulator, through its official SDK over the real wire protocol: launch,
 * list the cluster's VMs, describe one, report interruptions, terminate (twice: idempotent).
 */

const base = loadConfigFile('shepherd.config.json');
let sim: Sim | undefined;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await sim?.stop();
  sim = undefined;
});

async function world(config: ShepherdConfig = base): Promise<Sim> {
  sim = await startSim({ clock: { mode: 'virtual' }, world: { clusterName: config.cluster.name, scalewayClusterId: config.providers.scaleway?.clusterId } });
  prepareWorld(sim, config);
  return sim;
}

function poolNamed(config: ShepherdConfig, name: string): PoolConfig {
  return config.pools.find((p) => p.name === name)!;
}

function spec(config: ShepherdConfig, pool: PoolConfig, slot = 0, more: Partial<LaunchSpec> = {}): LaunchSpec {
  const offering = providerNamed(pool.provider).offerings(pool, config)[0];
  return { clusterName: config.cluster.name, pool, claimId: claimIdOf(config.cluster.name, pool.name, 'exec-1', slot), owner: 'exec-1', offering, ...more };
}

async function allOwned(provider: CloudProvider): Promise<VmRef[]> {
  const out: VmRef[] = [];
  let token: string | undefined;
  do {
    const page = await provider.listOwned(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

describe('Class: Ec2Provider (simulated EC2, @aws-sdk/client-ec2)', () => {
  const ec2 = (s: Sim) =>
    new Ec2Provider(base, new EC2Client({ endpoint: s.endpoints.ec2, region: 'eu-west-3', credentials: s.credentials.aws, maxAttempts: 1 }));

  it('lists the cluster-tagged VMs (following NextToken), describes, reports scheduled events and terminates idempotently', async () => {
    const s = await world();
    const provider: CloudProvider = ec2(s);
    const pool = poolNamed(base, 'aws-amd64');
    const a = await provider.launch(spec(base, pool, 0));
    const b = await provider.launch(spec(base, pool, 1));
    // A VM of another cluster is not listed.
    s.world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', tags: { 'shepherd:cluster': 'someone-else' } });
    expect((await allOwned(provider)).map((v) => v.id).sort()).toEqual([a.id, b.id].sort());

    expect(await provider.describe(a, pool)).toBe('running');
    expect(await provider.describe({ ...a, id: 'i-0123456789abcdef0' }, pool)).toBe('unknown');

    // EC2 reports event times to the second.
    const notBefore = Math.ceil((s.clock.now() + 86_400_000) / 1000) * 1000;
    ec2Controls(s.world).scheduledEvents.set(a.id, [
      { instanceEventId: 'instance-event-0a1', code: 'instance-retirement', description: 'The instance is running on degraded hardware', notBefore },
    ]);
    expect(await provider.interruptions()).toEqual([
      {
        vmId: a.id,
        kind: 'scheduled-event',
        noticeId: 'instance-event-0a1',
        at: new Date(notBefore).toISOString(),
        description: 'instance-retirement: The instance is running on degraded hardware',
      },
    ]);

    await provider.terminate(a, pool);
    expect(['stopping', 'gone']).toContain(await provider.describe(a, pool));
    await s.clock.advance(120_000);
    expect(await provider.describe(a, pool)).toBe('gone');
    await provider.terminate(a, pool);
    expect((await allOwned(provider)).map((v) => v.id)).toEqual([b.id]);
  });
});

describe('Class: GceProvider (simulated GCE, @google-cloud/compute)', () => {
  function gce(s: Sim): GceProvider {
    const options = () => gceClientOptions(s.endpoints.gce, s.credentials.gcp.accessToken);
    const instances = new InstancesClient(options());
    const operations = new ZoneOperationsClient(options());
    closers.push(
      () => instances.close(),
      () => operations.close(),
    );
    return new GceProvider(base, { instances, operations });
  }

  it('lists the cluster-labelled VMs zone by zone, describes, reports a preemption and terminates idempotently', async () => {
    const s = await world();
    const provider: CloudProvider = gce(s);
    const pool = { ...poolNamed(base, 'gcp-amd64'), spot: true };
    const zones = base.providers.gcp!.zones;
    const a = await provider.launch(spec(base, pool, 0));
    const b = await provider.launch(spec(base, pool, 1, { offering: { type: 'e2-standard-2', zone: zones[1] } }));
    const first = await provider.listOwned();
    expect(first.next).toBe('1');
    expect((await allOwned(provider)).map((v) => v.name).sort()).toEqual([a.name, b.name].sort());
    expect(await provider.describe(a, pool)).toBe('running');
    expect(await provider.interruptions()).toEqual([]);

    s.world.reclaimSpot(a.id, 30_000);
    await s.clock.advance(31_000);
    const [notice, ...more] = await provider.interruptions();
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ vmId: a.id, kind: 'preempted', noticeId: expect.stringMatching(/^operation-/) });
    expect(notice.description).toContain(`compute.instances.preempted: ${a.name} in ${a.zone}`);
    await s.clock.advance(60_000);
    expect(await provider.describe(a, pool)).toBe('gone');

    await provider.terminate(b, pool);
    await s.clock.advance(120_000);
    expect(await provider.describe(b, pool)).toBe('gone');
    await provider.terminate(b, pool);
    expect(await allOwned(provider)).toEqual([]);
  });
});

describe('Class: ScalewayPoolProvider (simulated Scaleway, @scaleway/sdk-k8s)', () => {
  function scaleway(s: Sim): ScalewayPoolProvider {
    const c = s.credentials.scaleway;
    const api = new K8Sv1.API(
      createClient({ accessKey: c.accessKey, secretKey: c.secretKey, defaultProjectId: c.projectId, defaultRegion: c.region, apiURL: s.endpoints.scaleway }),
    );
    return new ScalewayPoolProvider(base, api);
  }

  it('grows the pool once per claim, says whether it resized, lists and describes pool nodes, and shrinks only a pool it grew', async () => {
    const s = await world();
    const provider: CloudProvider = scaleway(s);
    const pool = poolNamed(base, 'scw-buffer');
    const poolId = (pool.join as { poolId: string }).poolId;
    const launched = await provider.launch(spec(base, pool, 0, { activeClaims: 1 }));
    expect(launched).toMatchObject({ provider: 'scaleway', poolId, resized: true });
    // The same claim retried: the pool already has its node.
    expect(await provider.launch(spec(base, pool, 0, { activeClaims: 1 }))).toMatchObject({ resized: false });
    expect(s.world.getPool(poolId)?.size).toBe(1);
    expect(await provider.describe(launched, pool)).toBe('unknown');

    await s.clock.until(() => s.world.listVms('scaleway').some((v) => v.nodeName), 600_000, 'the pool node');
    const [node, ...others] = await allOwned(provider);
    expect(others).toEqual([]);
    expect(node).toMatchObject({ provider: 'scaleway', poolId, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await provider.describe(node, pool)).toBe('running');
    expect(await provider.interruptions()).toEqual([]);

    await provider.terminate({ ...launched, resized: false }, pool);
    expect(s.world.getPool(poolId)?.size).toBe(1);
    await provider.terminate(launched, pool);
    expect(s.world.getPool(poolId)?.size).toBe(0);
    // Not below min_size: terminating again changes nothing.
    await provider.terminate(launched, pool);
    expect(s.world.getPool(poolId)?.size).toBe(0);
  });
});

describe('Class: FakeProvider (in memory; its VMs register through the simulated Kubernetes API)', () => {
  const config = (() => {
    const c = structuredClone(base);
    c.providers.fake = { region: 'fake-1', zones: ['fake-1a'] };
    c.pools.push({
      ...poolNamed(base, 'aws-amd64'),
      name: 'fake-pool',
      provider: 'fake',
      instanceTypes: ['f1.small'],
      zones: undefined,
      join: { method: 'none' },
    });
    return c;
  })();

  it('boots a VM into a Ready Node, lists, describes, reports an announced interruption and terminates idempotently', async () => {
    const s = await world();
    const fake = new FakeProvider(config, new KubeApiKubelet(async () => s.kubeconfig));
    const provider: CloudProvider = fake;
    const pool = poolNamed(config, 'fake-pool');
    const vm = await provider.launch(spec(config, pool, 0));
    expect(await provider.launch(spec(config, pool, 0))).toEqual(vm);
    const node = s.world.kube.get('nodes', undefined, vm.name);
    expect(node?.spec.providerID).toBe(vm.providerID);
    expect(node?.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status).toBe('True');
    expect((await allOwned(provider)).map((v) => v.id)).toEqual([vm.id]);
    expect(await provider.describe(vm, pool)).toBe('running');
    expect(await provider.describe({ ...vm, id: 'fake-unknown' }, pool)).toBe('unknown');

    fake.announce(vm.id);
    expect(await provider.interruptions()).toEqual([{ vmId: vm.id, kind: 'preempted', noticeId: 'notice-1', description: 'fake preemption' }]);
    await provider.terminate(vm, pool);
    await provider.terminate(vm, pool);
    expect(await provider.describe(vm, pool)).toBe('gone');
    expect(await allOwned(provider)).toEqual([]);
    expect(await provider.interruptions()).toEqual([]);
  });

  it('reports no capacity when its capacity for the type runs out', async () => {
    const s = await world();
    const provider = new FakeProvider(config, new KubeApiKubelet(async () => s.kubeconfig));
    provider.capacity.set('f1.small', 0);
    await expect(provider.launch(spec(config, poolNamed(config, 'fake-pool')))).rejects.toMatchObject({ name: 'InsufficientCapacityError' });
  });
});
