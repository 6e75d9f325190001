import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { InstancesClient, ZoneOperationsClient } from '@google-cloud/compute';
import { createClient } from '@scaleway/sdk-client';
import { K8Sv1 } from '@scaleway/sdk-k8s';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import type { PoolConfig, ShepherdConfig } from '../../config/types.js';
import { claimIdOf, type VmRef } from '../../functions/decisions/provision.js';
import { Ec2Provider } from '../../functions/providers/aws/client.js';
import { InstanceTypeUnsupportedError } from '../../functions/providers/aws/errors.js';
import { FakeProvider, KubeApiKubelet } from '../../functions/providers/fake/client.js';
import { GceProvider, type ThrottleRetry } from '../../functions/providers/gcp/client.js';
import { gceClientOptions } from '../../functions/providers/gcp/client-options.js';
import { providerNamed } from '../../functions/providers/registry.js';
import { ScalewayPoolProvider } from '../../functions/providers/scaleway/client.js';
import type { CloudProvider, LaunchSpec } from '../../functions/providers/types.js';
import { ProviderRequestError, TransientError } from '../../functions/runtime/errors.js';
import { prepareWorld } from '../../local/shepherd-world.js';
import { type Sim, startSim } from '../../sim/index.js';
import { EC2_CONSISTENCY_LAG_MS } from '../../sim/servers/ec2/consistency.js';
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
  const ec2 = (s: Sim, config = base) =>
    new Ec2Provider(config, new EC2Client({ endpoint: s.endpoints.ec2, region: 'eu-west-3', credentials: s.credentials.aws, maxAttempts: 1 }), () =>
      s.clock.now(),
    );

  it('lists the cluster-tagged VMs (following NextToken), describes, reports scheduled events and terminates idempotently', async () => {
    const s = await world();
    const provider: CloudProvider = ec2(s);
    const pool = poolNamed(base, 'aws-amd64');
    const a = await provider.launch(spec(base, pool, 0));
    const b = await provider.launch(spec(base, pool, 1));
    // A VM of another cluster is not listed.
    s.world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', tags: { 'shepherd:cluster': 'someone-else' } });
    await s.clock.advance(EC2_CONSISTENCY_LAG_MS.max);
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

    expect(await provider.terminate(a, pool)).toBe('terminated');
    expect(['stopping', 'gone']).toContain(await provider.describe(a, pool));
    await s.clock.advance(120_000);
    expect(await provider.describe(a, pool)).toBe('gone');
    expect(await provider.terminate(a, pool)).toBe('already-gone');
    expect((await allOwned(provider)).map((v) => v.id)).toEqual([b.id]);
  });

  it('right after launch says unknown, finds nothing by claim and refuses to take a NotFound terminate for gone; later sees it', async () => {
    const s = await world();
    const provider: CloudProvider = ec2(s);
    const pool = poolNamed(base, 'aws-amd64');
    const vm = await provider.launch(spec(base, pool, 0));
    expect(vm.launchedAt).toBe(new Date(s.clock.now()).toISOString());

    expect(await provider.describe(vm, pool)).toBe('unknown');
    expect(await provider.findByClaim(claimIdOf(base.cluster.name, pool.name, 'exec-1', 0), pool)).toEqual([]);
    await expect(provider.terminate(vm, pool)).rejects.toBeInstanceOf(TransientError);
    expect(s.world.getVm(vm.id)?.state).toBe('pending');

    await s.clock.advance(EC2_CONSISTENCY_LAG_MS.max);
    expect(await provider.describe(vm, pool)).toBe('running');
    expect((await provider.findByClaim(claimIdOf(base.cluster.name, pool.name, 'exec-1', 0), pool)).map((v) => v.id)).toEqual([vm.id]);
    expect(await provider.terminate(vm, pool)).toBe('terminated');
    expect(s.world.getVm(vm.id)?.state).toBe('shutting-down');
  });

  it("finds a claim's VMs only with this cluster's tag", async () => {
    const s = await world();
    const provider: CloudProvider = ec2(s);
    const pool = poolNamed(base, 'aws-amd64');
    const claimId = claimIdOf(base.cluster.name, pool.name, 'exec-1', 0);
    s.world.launchVm({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium', tags: { 'shepherd:cluster': 'other-cluster', 'shepherd:claim': claimId } });
    const ours = s.world.launchVm({
      provider: 'aws',
      zone: 'eu-west-3a',
      type: 't3.medium',
      tags: { 'shepherd:cluster': 'kosmos-demo', 'shepherd:claim': claimId },
    });
    expect((await provider.findByClaim(claimId, pool)).map((v) => v.id)).toEqual([ours.id]);
  });

  it('launches with IMDSv2 required and a hop limit of 1, as DescribeInstances reports', async () => {
    const s = await world();
    const client = new EC2Client({ endpoint: s.endpoints.ec2, region: 'eu-west-3', credentials: s.credentials.aws, maxAttempts: 1 });
    const vm = await new Ec2Provider(base, client).launch(spec(base, poolNamed(base, 'aws-amd64'), 0));
    await s.clock.advance(EC2_CONSISTENCY_LAG_MS.max);
    const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [vm.id] }));
    expect(out.Reservations?.[0]?.Instances?.[0]?.MetadataOptions).toMatchObject({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      HttpEndpoint: 'enabled',
    });
  });

  it('takes Unsupported (a type the zone lacks) for InstanceTypeUnsupportedError, so the launch moves on', async () => {
    const s = await world();
    const pool = poolNamed(base, 'aws-arm64');
    const offering = { type: 't4g.medium', zone: 'eu-west-3c', subnetId: 'subnet-00000000000000003' };
    const err = await ec2(s)
      .launch(spec(base, pool, 0, { offering }))
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(InstanceTypeUnsupportedError);
    expect((err as Error).message).toMatch(
      /^EC2 Unsupported: Your requested instance type \(t4g\.medium\) is not supported in your requested Availability Zone \(eu-west-3c\)/,
    );
    expect(s.world.listVms('aws')).toEqual([]);
  });

  it('gives up (ProviderRequestError) on a security group or an instance profile EC2 does not have', async () => {
    const s = await world();
    const aws = base.providers.aws!;
    const pool = poolNamed(base, 'aws-amd64');
    const withGroup = { ...base, providers: { ...base.providers, aws: { ...aws, securityGroupIds: ['sg-0fedcba9876543210'] } } };
    await expect(ec2(s, withGroup).launch(spec(withGroup, pool))).rejects.toThrow(
      new ProviderRequestError("EC2 InvalidGroup.NotFound: The security group 'sg-0fedcba9876543210' does not exist in VPC 'vpc-00000000000000001'"),
    );
    const profile = 'arn:aws:iam::123456789012:instance-profile/shepherd-node';
    const withProfile = { ...base, providers: { ...base.providers, aws: { ...aws, instanceProfileArn: profile } } };
    await expect(ec2(s, withProfile).launch(spec(withProfile, pool))).rejects.toThrow(
      new ProviderRequestError(
        `EC2 InvalidParameterValue: Value (${profile}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      ),
    );
    expect(s.world.listVms('aws')).toEqual([]);
    s.world.awsInstanceProfiles.add(profile);
    expect((await ec2(s, withProfile).launch(spec(withProfile, pool))).id).toMatch(/^i-/);
  });
});

describe('Class: GceProvider (simulated GCE, @google-cloud/compute)', () => {
  function gce(s: Sim, throttleRetry?: ThrottleRetry): GceProvider {
    const options = () => gceClientOptions(s.endpoints.gce, s.credentials.gcp.accessToken);
    const instances = new InstancesClient(options());
    const operations = new ZoneOperationsClient(options());
    closers.push(
      () => instances.close(),
      () => operations.close(),
    );
    return new GceProvider(base, { instances, operations }, throttleRetry);
  }

  it("retries GCE's 403 rateLimitExceeded with growing, jittered waits, then reports ThrottledError for the workflow to retry", async () => {
    const s = await world();
    const waits: number[] = [];
    // Time is the one thing faked here: each wait the adapter asks for is recorded, and the limit lifts at the second.
    let liftAtSecondWait = true;
    const sleep = async (ms: number) => {
      waits.push(ms);
      if (liftAtSecondWait && waits.length === 2) s.faults.clear('gce', 'instances.list');
    };
    const provider = gce(s, { attempts: 3, baseDelayMs: 1_000, sleep });
    s.faults.set('gce', 'instances.list', { throttle: true });
    expect(await provider.listOwned()).toEqual({ items: [], next: '1' });
    expect(s.counters.get('gce', 'instances.list')).toBe(3);
    expect(waits[0]).toBeLessThan(1_000);
    expect(waits[1]).toBeLessThan(2_000);

    s.faults.set('gce', 'instances.list', { throttle: true });
    liftAtSecondWait = false;
    waits.length = 0;
    const given = await provider.listOwned().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(given).toMatchObject({ name: 'ThrottledError' });
    expect(given?.message).toContain('Quota exceeded');
    expect(waits).toHaveLength(2);
  });

  it('a machine type the zone does not offer is a definite InsufficientCapacityError (try the next offering), nothing launched', async () => {
    const s = await world();
    const provider = gce(s);
    const pool: PoolConfig = { ...poolNamed(base, 'gcp-amd64'), name: 'gcp-arm64', arch: 'arm64', instanceTypes: ['t2a-standard-2'] };
    const err = await provider.launch(spec(base, pool, 0, { offering: { type: 't2a-standard-2', zone: 'europe-west1-b' } })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toMatchObject({ name: 'InsufficientCapacityError' });
    expect(err?.message).toContain('does not offer machine type t2a-standard-2 in zone europe-west1-b');
    expect(s.world.listVms('gcp')).toEqual([]);
  });

  it('removes the join script from the instance metadata once asked, idempotently, and finds claims only within its cluster', async () => {
    const s = await world();
    const provider = gce(s);
    const pool = poolNamed(base, 'gcp-amd64');
    const vm = await provider.launch(spec(base, pool, 0, { userData: '#!/bin/sh\nnode-agent --secret-key s3cret\n' }));
    const metadataKeys = () => (s.world.getVm(vm.id)!.extra.gce as { metadataItems: Array<{ key: string }> }).metadataItems.map((i) => i.key);
    expect(metadataKeys()).toEqual(['startup-script']);
    expect(await provider.removeJoinSecrets(vm)).toEqual({ removed: ['startup-script'] });
    expect(metadataKeys()).toEqual([]);
    expect(await provider.removeJoinSecrets(vm)).toEqual({ removed: [] });

    const claimId = claimIdOf(base.cluster.name, pool.name, 'exec-1', 0);
    expect((await provider.findByClaim(claimId, pool)).map((v) => v.id)).toEqual([vm.id]);
    // The same claim label on another cluster's VM (same project) is not this cluster's.
    s.world.launchVm({
      provider: 'gcp',
      project: base.providers.gcp!.project,
      zone: vm.zone,
      type: 'e2-standard-2',
      name: 'other-cluster-vm',
      tags: { 'shepherd-cluster': 'another-cluster', 'shepherd-claim': claimId },
    });
    expect((await provider.findByClaim(claimId, pool)).map((v) => v.id)).toEqual([vm.id]);
  });

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

    expect(await provider.terminate(b, pool)).toBe('terminated');
    await s.clock.advance(120_000);
    expect(await provider.describe(b, pool)).toBe('gone');
    expect(await provider.terminate(b, pool)).toBe('already-gone');
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

  it('grows the pool once per claim, says whether it resized, lists and describes pool nodes, and removes the claim’s node through the node API', async () => {
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

    // Without a node taken and without having grown the pool, there is nothing of this claim's to remove.
    expect(await provider.terminate({ ...launched, resized: false }, pool)).toBe('already-gone');
    // Grown, but every node registered: which is this claim's is unknown, so none goes (the size stays).
    expect(await provider.terminate(launched, pool)).toBe('already-gone');
    expect(s.world.getPool(poolId)?.size).toBe(1);
    expect(s.counters.get('scaleway', 'DeleteNode') ?? 0).toBe(0);

    expect(await provider.terminate(launched, pool, node.name)).toBe('terminated');
    expect(s.counters.get('scaleway', 'DeleteNode')).toBe(1);
    expect(s.world.getPool(poolId)?.size).toBe(0);
    expect(await provider.describe(node, pool)).toBe('stopping');
    // Idempotent: deleting, then gone.
    expect(await provider.terminate(launched, pool, node.name)).toBe('already-gone');
    await s.clock.advance(120_000);
    expect(await provider.terminate(launched, pool, node.name)).toBe('already-gone');
    expect(await provider.describe(node, pool)).toBe('gone');
    expect(s.counters.get('scaleway', 'DeleteNode')).toBe(1);
  });

  it('a claim that grew the pool and took no node removes a node that has not registered, never a registered one', async () => {
    const s = await world();
    const provider = scaleway(s);
    const pool = poolNamed(base, 'scw-buffer');
    const poolId = (pool.join as { poolId: string }).poolId;
    s.world.resizePool(poolId, 1);
    await s.clock.until(() => s.world.listVms('scaleway').some((v) => v.nodeName), 600_000, 'the first pool node');
    const registered = s.world.poolVms(poolId)[0];
    const launched = await provider.launch(spec(base, pool, 0, { activeClaims: 2 }));
    expect(launched.resized).toBe(true);
    const fresh = s.world.poolVms(poolId).find((v) => v.id !== registered.id)!;
    await provider.terminate(launched, pool);
    expect(s.world.getVm(fresh.id)?.state).toBe('shutting-down');
    expect(s.world.getVm(registered.id)?.state).toBe('running');
    expect(s.world.getPool(poolId)?.size).toBe(1);
  });

  it('a removal (RemoveNode) of a node the claim found in the pool deletes it without a replacement: the pool shrinks', async () => {
    const s = await world();
    const provider = scaleway(s);
    const pool = poolNamed(base, 'scw-buffer');
    const poolId = (pool.join as { poolId: string }).poolId;
    s.world.resizePool(poolId, 1);
    await s.clock.until(() => s.world.listVms('scaleway').some((v) => v.nodeName), 600_000, 'the pool node');
    const launched = await provider.launch(spec(base, pool, 0, { activeClaims: 1 }));
    // Found in the pool: undoing a failed launch would keep the size (replace), a removal gives the node up.
    expect(launched.resized).toBe(false);
    const node = s.world.poolVms(poolId)[0];
    await provider.terminate(launched, pool, node.nodeName, { removal: true });
    expect(s.world.getPool(poolId)?.size).toBe(0);
    expect(s.world.getVm(node.id)?.state).toBe('shutting-down');
    await s.clock.advance(120_000);
    expect(s.world.poolVms(poolId).filter((v) => v.state === 'running')).toEqual([]);
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
