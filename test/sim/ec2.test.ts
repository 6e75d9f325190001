import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeInstanceTypeOfferings,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { type KindSwitches, type Sim, startSim } from '../../sim/index.js';
import { EC2_CONSISTENCY_LAG_MS } from '../../sim/servers/ec2/consistency.js';
import { ec2Controls } from '../../sim/servers/ec2/index.js';

const AMD64_AMI = 'ami-0aa00000000000001';
const ARM64_AMI = 'ami-0aa00000000000002';
const UNKNOWN_INSTANCE = 'i-0123456789abcdef0';
const BOOT_MS = 20_000;

let sim: Sim;

afterEach(async () => {
  await sim?.stop();
});

/**
 * A sim with only EC2, on a virtual clock that moves only when a test advances it. Tests about something else than
 * EC2's eventual consistency pass `CONSISTENT`, so that an instance is visible as soon as RunInstances answers.
 */
async function start(kind: KindSwitches = []): Promise<EC2Client> {
  sim = await startSim({ servers: ['ec2'], clock: { mode: 'virtual', autoAdvance: false }, world: { kind } });
  return client();
}

const CONSISTENT: KindSwitches = ['ec2-eventual-consistency'];

function client(overrides: { accessKeyId?: string; secretAccessKey?: string; region?: string; maxAttempts?: number } = {}): EC2Client {
  const aws = sim.credentials.aws;
  return new EC2Client({
    endpoint: sim.endpoints.ec2,
    region: overrides.region ?? aws.region,
    credentials: { accessKeyId: overrides.accessKeyId ?? aws.accessKeyId, secretAccessKey: overrides.secretAccessKey ?? aws.secretAccessKey },
    // One attempt: each test sees the server's first answer (the rate-limit test checks retries).
    maxAttempts: overrides.maxAttempts ?? 1,
  });
}

function subnetOf(zone: string): string {
  const found = [...sim.world.awsSubnets].find(([, s]) => s.zone === zone);
  if (!found) throw new Error(`no subnet for ${zone}`);
  return found[0];
}

async function launch(ec2: EC2Client, input: Partial<RunInstancesCommandInput> = {}): Promise<Instance[]> {
  const out = await ec2.send(new RunInstancesCommand({ ImageId: AMD64_AMI, InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, ...input }));
  return out.Instances ?? [];
}

async function describe1(ec2: EC2Client, id: string): Promise<Instance> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new Error(`${id} not described`);
  return instance;
}

async function idsMatching(ec2: EC2Client, filters: Array<{ Name: string; Values: string[] }>): Promise<string[]> {
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: filters }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId as string);
}

/** The EC2 error a call fails with: its code (the SDK's error name), message and HTTP status. */
async function ec2Error(call: Promise<unknown>): Promise<{ code: string; message: string; status?: number; attempts?: number }> {
  try {
    await call;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { code: e.name, message: e.message, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
  }
  throw new Error('expected the call to fail');
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('EC2 RunInstances', () => {
  it('launches once per ClientToken and refuses the token with other parameters', async () => {
    const ec2 = await start();
    sim.world.awsSecurityGroups.set('sg-0123456789abcdef0', { region: 'eu-west-3', name: 'nodes' });
    const userData = b64('#!/bin/bash\necho hello\n');
    const input: Partial<RunInstancesCommandInput> = {
      ClientToken: 'shepherd-launch-1',
      SubnetId: subnetOf('eu-west-3b'),
      UserData: userData,
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'shepherd/managed', Value: 'true' }] }],
    };
    const first = await ec2.send(new RunInstancesCommand({ ImageId: AMD64_AMI, InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, ...input }));
    const again = await ec2.send(new RunInstancesCommand({ ImageId: AMD64_AMI, InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, ...input }));

    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    const vms = sim.world.listVms('aws');
    expect(vms).toHaveLength(1);
    expect(vms[0]).toMatchObject({
      id: first.Instances?.[0].InstanceId,
      zone: 'eu-west-3b',
      type: 't3.medium',
      userData,
      spot: false,
      tags: { 'shepherd/managed': 'true' },
    });
    expect(first.Instances?.[0]).toMatchObject({
      ClientToken: 'shepherd-launch-1',
      SubnetId: subnetOf('eu-west-3b'),
      SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0' }],
    });

    const mismatch = await ec2Error(launch(ec2, { ...input, InstanceType: 'm5.large' }));
    expect(mismatch).toMatchObject({ code: 'IdempotentParameterMismatch', status: 400 });
    expect(mismatch.message).toBe('Arguments on this idempotent request are inconsistent with arguments used in previous request(s).');
    expect(sim.world.listVms('aws')).toHaveLength(1);
  });

  it('refuses bad AMIs, types, subnets and user data with EC2 wording, launching nothing', async () => {
    const ec2 = await start();
    const arch = await ec2Error(launch(ec2, { ImageId: ARM64_AMI, InstanceType: 't3.medium' }));
    expect(arch).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
    expect(arch.message).toBe(
      "The architecture 'x86_64' of the specified instance type does not match the architecture 'arm64' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.",
    );
    expect(await ec2Error(launch(ec2, { ImageId: 'ami-0123456789abcdef0' }))).toMatchObject({
      code: 'InvalidAMIID.NotFound',
      message: "The image id '[ami-0123456789abcdef0]' does not exist",
    });
    expect(await ec2Error(launch(ec2, { InstanceType: 't9.huge' as never }))).toMatchObject({
      code: 'InvalidParameterValue',
      message: "Invalid value 't9.huge' for InstanceType.",
    });
    expect(await ec2Error(launch(ec2, { SubnetId: 'subnet-0123456789abcdef0' }))).toMatchObject({
      code: 'InvalidSubnetID.NotFound',
      message: "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    });
    expect(await ec2Error(launch(ec2, { UserData: 'not base64!' }))).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Invalid BASE64 encoding of user data.',
    });
    expect(await ec2Error(launch(ec2, { Placement: { AvailabilityZone: 'us-east-1a' } }))).toMatchObject({ code: 'InvalidParameterValue' });
    expect(await ec2Error(launch(ec2, { DryRun: true }))).toMatchObject({ code: 'DryRunOperation', status: 412 });
    expect(sim.world.listVms('aws')).toHaveLength(0);
  });

  it('answers InsufficientInstanceCapacity for a full zone and picks another when no zone is asked', async () => {
    const ec2 = await start();
    sim.world.setCapacity({ provider: 'aws', zone: 'eu-west-3a', type: 't3.medium' }, 0);

    const full = await ec2Error(launch(ec2, { SubnetId: subnetOf('eu-west-3a') }));
    expect(full).toMatchObject({ code: 'InsufficientInstanceCapacity', status: 500 });
    expect(full.message).toBe(
      'We currently do not have sufficient t3.medium capacity in the Availability Zone you requested (eu-west-3a). Our system will be working on provisioning additional capacity. You can currently get t3.medium capacity by not specifying an Availability Zone in your request or choosing eu-west-3b, eu-west-3c.',
    );
    expect(sim.world.listVms('aws')).toHaveLength(0);

    const [placed] = await launch(ec2);
    expect(placed.Placement?.AvailabilityZone).toBe('eu-west-3b');
    expect(sim.world.getVm(placed.InstanceId as string)?.zone).toBe('eu-west-3b');
  });
});

describe('EC2 DescribeInstances', () => {
  it('describes state, addresses, placement, architecture and spot lifecycle as the SDK reads them', async () => {
    const ec2 = await start();
    const launchedAt = sim.clock.now();
    const [arm] = await launch(ec2, {
      ImageId: ARM64_AMI,
      InstanceType: 't4g.medium',
      Placement: { AvailabilityZone: 'eu-west-3b' },
      InstanceMarketOptions: { MarketType: 'spot' },
    });
    const id = arm.InstanceId as string;
    expect(arm.State).toEqual({ Code: 0, Name: 'pending' });

    await sim.clock.advance(BOOT_MS);
    const described = await describe1(ec2, id);
    const vm = sim.world.getVm(id);
    expect(vm?.state).toBe('running');
    expect(described).toMatchObject({
      InstanceId: id,
      State: { Code: 16, Name: 'running' },
      Architecture: 'arm64',
      InstanceType: 't4g.medium',
      ImageId: ARM64_AMI,
      InstanceLifecycle: 'spot',
      Placement: { AvailabilityZone: 'eu-west-3b' },
      PrivateIpAddress: vm?.privateIp,
      PublicIpAddress: vm?.publicIp,
      PrivateDnsName: vm?.name,
      SubnetId: subnetOf('eu-west-3b'),
    });
    expect(described.LaunchTime?.getTime()).toBe(launchedAt);
    expect(described.SpotInstanceRequestId).toMatch(/^sir-[0-9a-f]{8}$/);
  });

  it('filters by tags, state, zone, type and lifecycle; CreateTags and DeleteTags change the VM', async () => {
    const ec2 = await start(CONSISTENT);
    const tags = (pairs: Record<string, string>) => [
      { ResourceType: 'instance' as const, Tags: Object.entries(pairs).map(([Key, Value]) => ({ Key, Value })) },
    ];
    const [a] = await launch(ec2, { SubnetId: subnetOf('eu-west-3a'), TagSpecifications: tags({ env: 'prod', team: 'core' }) });
    const [b] = await launch(ec2, {
      ImageId: ARM64_AMI,
      InstanceType: 't4g.medium',
      SubnetId: subnetOf('eu-west-3b'),
      TagSpecifications: tags({ env: 'staging' }),
    });
    const [c] = await launch(ec2, { InstanceType: 'm5.large', SubnetId: subnetOf('eu-west-3c'), InstanceMarketOptions: { MarketType: 'spot' } });
    const [idA, idB, idC] = [a, b, c].map((i) => i.InstanceId as string);

    expect(await idsMatching(ec2, [{ Name: 'tag:env', Values: ['prod'] }])).toEqual([idA]);
    expect(await idsMatching(ec2, [{ Name: 'tag-key', Values: ['env'] }])).toEqual([idA, idB]);
    expect(await idsMatching(ec2, [{ Name: 'instance-type', Values: ['t4g.*'] }])).toEqual([idB]);
    expect(await idsMatching(ec2, [{ Name: 'availability-zone', Values: ['eu-west-3c', 'eu-west-3b'] }])).toEqual([idB, idC]);
    expect(await idsMatching(ec2, [{ Name: 'instance-lifecycle', Values: ['spot'] }])).toEqual([idC]);
    expect(await idsMatching(ec2, [{ Name: 'instance-id', Values: [idA, idC] }])).toEqual([idA, idC]);
    expect(
      await idsMatching(ec2, [
        { Name: 'tag:env', Values: ['*'] },
        { Name: 'availability-zone', Values: ['eu-west-3a'] },
      ]),
    ).toEqual([idA]);

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [idC] }));
    await sim.clock.advance(BOOT_MS);
    expect(await idsMatching(ec2, [{ Name: 'instance-state-name', Values: ['running'] }])).toEqual([idA, idB]);
    expect(await idsMatching(ec2, [{ Name: 'instance-state-name', Values: ['terminated', 'shutting-down'] }])).toEqual([idC]);

    await ec2.send(new CreateTagsCommand({ Resources: [idB], Tags: [{ Key: 'owner', Value: 'shepherd' }] }));
    await ec2.send(new DeleteTagsCommand({ Resources: [idB], Tags: [{ Key: 'env' }] }));
    await ec2.send(new DeleteTagsCommand({ Resources: [idA], Tags: [{ Key: 'team', Value: 'other' }] }));
    expect(sim.world.getVm(idB)?.tags).toEqual({ owner: 'shepherd' });
    expect(sim.world.getVm(idA)?.tags).toEqual({ env: 'prod', team: 'core' });
    expect((await describe1(ec2, idB)).Tags).toEqual([{ Key: 'owner', Value: 'shepherd' }]);

    expect(await ec2Error(idsMatching(ec2, [{ Name: 'colour', Values: ['blue'] }]))).toMatchObject({
      code: 'InvalidParameterValue',
      message: "The filter 'colour' is invalid",
    });
    expect(await ec2Error(ec2.send(new CreateTagsCommand({ Resources: [UNKNOWN_INSTANCE], Tags: [{ Key: 'k', Value: 'v' }] })))).toMatchObject({
      code: 'InvalidInstanceID.NotFound',
    });
  });

  it('pages with MaxResults and NextToken until every instance has been seen once', async () => {
    const ec2 = await start(CONSISTENT);
    await launch(ec2, { MinCount: 12, MaxCount: 12 });
    await launch(ec2, { MinCount: 1, MaxCount: 1 });
    const pages: string[][] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      pages.push((page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId as string));
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 3]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(13);
    expect(seen.sort()).toEqual(
      sim.world
        .listVms('aws')
        .map((v) => v.id)
        .sort(),
    );

    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 10 }));
    expect(first.Reservations?.map((r) => r.Instances?.length)).toEqual([10]);
    expect(first.NextToken).toBeTruthy();
    const last = await ec2.send(new DescribeInstancesCommand({ MaxResults: 10, NextToken: first.NextToken }));
    expect(last.Reservations?.map((r) => r.Instances?.length)).toEqual([2, 1]);
    expect(last.NextToken).toBeUndefined();

    expect(await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })))).toMatchObject({ code: 'InvalidParameterValue' });
    expect(await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [seen[0]] })))).toMatchObject({
      code: 'InvalidParameterCombination',
    });
  });

  it('names unknown and malformed instance ids', async () => {
    const ec2 = await start(CONSISTENT);
    const [known] = await launch(ec2);
    expect(await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: [UNKNOWN_INSTANCE] })))).toMatchObject({
      code: 'InvalidInstanceID.NotFound',
      status: 400,
      message: `The instance ID '${UNKNOWN_INSTANCE}' does not exist`,
    });
    expect(
      await ec2Error(ec2.send(new TerminateInstancesCommand({ InstanceIds: [known.InstanceId as string, UNKNOWN_INSTANCE, 'i-0fedcba9876543210'] }))),
    ).toMatchObject({
      code: 'InvalidInstanceID.NotFound',
      message: `The instance IDs '${UNKNOWN_INSTANCE}, i-0fedcba9876543210' do not exist`,
    });
    expect(sim.world.getVm(known.InstanceId as string)?.state).toBe('pending');
    expect(await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] })))).toMatchObject({ code: 'InvalidInstanceID.Malformed' });
  });
});

describe('EC2 lifecycle and EventBridge events', () => {
  it('terminates through shutting-down to terminated, with real envelopes, then forgets the instance after an hour', async () => {
    const ec2 = await start();
    const [launched] = await launch(ec2);
    const id = launched.InstanceId as string;
    await sim.clock.advance(BOOT_MS);

    const out = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(out.TerminatingInstances).toEqual([
      { InstanceId: id, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } },
    ]);
    expect((await describe1(ec2, id)).State).toEqual({ Code: 32, Name: 'shutting-down' });
    await sim.clock.advance(20_000);
    const terminated = await describe1(ec2, id);
    expect(terminated.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(terminated.StateReason).toEqual({ Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
    expect(terminated.StateTransitionReason).toBe('User initiated (2026-01-01 00:00:20 GMT)');
    expect(sim.world.getVm(id)?.state).toBe('terminated');

    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances?.[0]).toMatchObject({ CurrentState: { Name: 'terminated' }, PreviousState: { Name: 'terminated' } });

    const events = sim.awsEvents.history.filter((e) => e.detail['instance-id'] === id);
    expect(events.map((e) => [e['detail-type'], e.detail.state, e.time])).toEqual([
      ['EC2 Instance State-change Notification', 'pending', '2026-01-01T00:00:00Z'],
      ['EC2 Instance State-change Notification', 'running', '2026-01-01T00:00:20Z'],
      ['EC2 Instance State-change Notification', 'shutting-down', '2026-01-01T00:00:20Z'],
      ['EC2 Instance State-change Notification', 'terminated', '2026-01-01T00:00:40Z'],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        version: '0',
        source: 'aws.ec2',
        account: sim.credentials.aws.accountId,
        region: 'eu-west-3',
        resources: [`arn:aws:ec2:eu-west-3:${sim.credentials.aws.accountId}:instance/${id}`],
      });
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Object.keys(e.detail).sort()).toEqual(['instance-id', 'state']);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    await sim.clock.advance(61 * 60_000);
    expect(await idsMatching(ec2, [])).toEqual([]);
    expect(await ec2Error(describe1(ec2, id))).toMatchObject({ code: 'InvalidInstanceID.NotFound' });
    expect(sim.world.getVm(id)?.state).toBe('terminated');
  });

  it('stops and starts an on-demand instance; refuses to stop spot or start terminated ones', async () => {
    const ec2 = await start();
    const [od] = await launch(ec2);
    const [spot] = await launch(ec2, { InstanceMarketOptions: { MarketType: 'spot' } });
    const id = od.InstanceId as string;
    await sim.clock.advance(BOOT_MS);

    const stopping = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stopping.StoppingInstances?.[0]).toMatchObject({ CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } });
    await sim.clock.advance(20_000);
    const stopped = await describe1(ec2, id);
    expect(stopped.State).toEqual({ Code: 80, Name: 'stopped' });
    expect(stopped.PublicIpAddress).toBeUndefined();

    const starting = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(starting.StartingInstances?.[0]).toMatchObject({ CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } });
    await sim.clock.advance(BOOT_MS);
    expect(sim.world.getVm(id)?.state).toBe('running');

    expect(await ec2Error(ec2.send(new StopInstancesCommand({ InstanceIds: [spot.InstanceId as string] })))).toMatchObject({ code: 'UnsupportedOperation' });
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await sim.clock.advance(20_000);
    expect(await ec2Error(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      code: 'IncorrectInstanceState',
      message: `The instance '${id}' is not in a state from which it can be started.`,
    });
  });

  it('warns two minutes before a spot reclaim, then terminates with the spot reason', async () => {
    const ec2 = await start();
    const [launched] = await launch(ec2, { InstanceMarketOptions: { MarketType: 'spot' } });
    const id = launched.InstanceId as string;
    await sim.clock.advance(BOOT_MS);

    sim.world.recommendRebalance(id);
    sim.world.reclaimSpot(id);
    const warnedAt = sim.clock.iso().replace(/\.\d{3}Z$/, 'Z');
    const warning = sim.awsEvents.history.find((e) => e['detail-type'] === 'EC2 Spot Instance Interruption Warning');
    expect(warning).toMatchObject({ source: 'aws.ec2', time: warnedAt, detail: { 'instance-id': id, 'instance-action': 'terminate' } });
    expect(sim.awsEvents.history.find((e) => e['detail-type'] === 'EC2 Instance Rebalance Recommendation')?.detail).toEqual({ 'instance-id': id });

    await sim.clock.advance(119_000);
    expect((await describe1(ec2, id)).State?.Name).toBe('running');
    await sim.clock.advance(1_000);
    expect((await describe1(ec2, id)).State?.Name).toBe('shutting-down');
    const shuttingDown = sim.awsEvents.history.find((e) => e.detail['instance-id'] === id && e.detail.state === 'shutting-down');
    expect(Date.parse(shuttingDown?.time as string) - Date.parse(warnedAt)).toBe(120_000);

    await sim.clock.advance(20_000);
    const gone = await describe1(ec2, id);
    expect(gone.State?.Name).toBe('terminated');
    expect(gone.StateReason?.Code).toBe('Server.SpotInstanceTermination');
  });

  it('boots a VM whose user data is a kubeadm join script into a Node with the AWS providerID', async () => {
    const ec2 = await start();
    const script = [
      '#!/bin/bash',
      'set -euo pipefail',
      'ARCH=$(dpkg --print-architecture)',
      'curl -fsSL "https://dl.k8s.io/release/v1.31.2/bin/linux/$ARCH/kubeadm" -o /usr/local/bin/kubeadm',
      `kubeadm join 10.0.0.10:6443 --token ${sim.world.joinToken} --discovery-token-unsafe-skip-ca-verification`,
    ].join('\n');
    const [launched] = await launch(ec2, { ImageId: ARM64_AMI, InstanceType: 't4g.medium', SubnetId: subnetOf('eu-west-3b'), UserData: b64(script) });
    const id = launched.InstanceId as string;

    await sim.clock.advance(3 * 60_000);
    const node = sim.world.kube.list('nodes').find((n) => n.spec?.providerID === `aws:///eu-west-3b/${id}`);
    expect(node?.metadata.name).toBe(launched.PrivateDnsName);
    expect(sim.world.getVm(id)?.joinError).toBeUndefined();
  });
});

describe('EC2 auth, throttling and faults', () => {
  it('rejects an unknown access key (AuthFailure 401) and a wrong secret (SignatureDoesNotMatch 403)', async () => {
    await start();
    const badKey = await ec2Error(launch(client({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' })));
    expect(badKey).toMatchObject({ code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials' });
    const badSecret = await ec2Error(launch(client({ secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })));
    expect(badSecret).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(sim.world.listVms('aws')).toHaveLength(0);
    expect(sim.counters.get('ec2')).toBe(0);
  });

  it('answers UnauthorizedOperation for denied actions and Unavailable / InternalError on injected faults', async () => {
    const ec2 = await start(CONSISTENT);
    const [launched] = await launch(ec2);
    const id = launched.InstanceId as string;
    const controls = ec2Controls(sim.world);

    controls.denied.add('TerminateInstances');
    const denied = await ec2Error(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })));
    expect(denied).toMatchObject({ code: 'UnauthorizedOperation', status: 403 });
    expect(denied.message).toMatch(/^You are not authorized to perform this operation\. .*ec2:TerminateInstances/);
    expect(sim.world.getVm(id)?.state).toBe('pending');
    controls.denied.clear();

    controls.unavailable.add('DescribeInstances');
    expect(await ec2Error(describe1(ec2, id))).toMatchObject({ code: 'Unavailable', status: 503 });
    controls.unavailable.clear();

    sim.faults.set('ec2', 'DescribeInstances', { errorRate: 1 });
    expect(await ec2Error(describe1(ec2, id))).toMatchObject({ code: 'InternalError', status: 500 });
    sim.faults.clear('ec2');
    expect((await describe1(ec2, id)).InstanceId).toBe(id);
  });

  it('throttles RunInstances with RequestLimitExceeded when the token bucket is empty', async () => {
    const ec2 = await start();
    sim.faults.set('ec2', 'RunInstances', { rateLimit: { capacity: 2, refillPerSecond: 0.5 } });
    await launch(ec2);
    await launch(ec2);
    const throttled = await ec2Error(launch(ec2));
    expect(throttled).toMatchObject({ code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' });

    // The SDK treats it as throttling and retries; the bucket stays empty while the clock stands still.
    const retried = await ec2Error(launch(client({ maxAttempts: 2 })));
    expect(retried).toMatchObject({ code: 'RequestLimitExceeded', attempts: 2 });
    expect(sim.world.listVms('aws')).toHaveLength(2);

    await sim.clock.advance(2_000);
    await launch(ec2);
    expect(sim.world.listVms('aws')).toHaveLength(3);
  });
});

describe('EC2 DescribeSubnets and DescribeInstanceStatus', () => {
  it('lists the default subnet of each zone of the signed region', async () => {
    const ec2 = await start(CONSISTENT);
    const out = await ec2.send(new DescribeSubnetsCommand({}));
    expect(out.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZone, s.DefaultForAz, s.State])).toEqual(
      ['eu-west-3a', 'eu-west-3b', 'eu-west-3c'].map((z) => [subnetOf(z), z, true, 'available']),
    );
    const inB = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['eu-west-3b'] }] }));
    expect(inB.Subnets?.map((s) => s.SubnetId)).toEqual([subnetOf('eu-west-3b')]);

    const [paris] = await launch(ec2);
    const virginia = client({ region: 'us-east-1' });
    const usSubnets = await virginia.send(new DescribeSubnetsCommand({}));
    expect(usSubnets.Subnets?.map((s) => s.AvailabilityZone)).toEqual(['us-east-1a', 'us-east-1b']);
    expect(await idsMatching(virginia, [])).toEqual([]);
    expect(await idsMatching(ec2, [])).toEqual([paris.InstanceId]);
  });

  it('reports status checks initializing after boot, then ok; only running instances by default', async () => {
    const ec2 = await start();
    const [a] = await launch(ec2);
    const [b] = await launch(ec2);
    await sim.clock.advance(BOOT_MS);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [b.InstanceId as string] }));

    const early = await ec2.send(new DescribeInstanceStatusCommand({}));
    expect(early.InstanceStatuses?.map((s) => [s.InstanceId, s.InstanceState?.Name, s.InstanceStatus?.Status])).toEqual([
      [a.InstanceId, 'running', 'initializing'],
    ]);
    await sim.clock.advance(3 * 60_000);
    const all = await ec2.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
    expect(all.InstanceStatuses?.map((s) => [s.InstanceId, s.InstanceState?.Name, s.SystemStatus?.Status])).toEqual([
      [a.InstanceId, 'running', 'ok'],
      [b.InstanceId, 'stopped', 'not-applicable'],
    ]);
  });
});

describe('EC2 eventual consistency (ec2-eventual-consistency)', () => {
  it('hides a new instance from DescribeInstances by id and by tag, and a NotFound terminate leaves it running', async () => {
    const ec2 = await start();
    const tag = [{ ResourceType: 'instance' as const, Tags: [{ Key: 'shepherd:claim', Value: 'c-1' }] }];
    const input = { ClientToken: 'token-1', SubnetId: subnetOf('eu-west-3a'), TagSpecifications: tag };
    const [launched] = await launch(ec2, input);
    const id = launched.InstanceId as string;

    expect(await ec2Error(describe1(ec2, id))).toMatchObject({ code: 'InvalidInstanceID.NotFound', message: `The instance ID '${id}' does not exist` });
    expect(await idsMatching(ec2, [{ Name: 'tag:shepherd:claim', Values: ['c-1'] }])).toEqual([]);
    expect(await ec2Error(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })))).toMatchObject({ code: 'InvalidInstanceID.NotFound' });
    // The NotFound did not terminate it, and RunInstances' idempotent replay still answers with it.
    expect(sim.world.getVm(id)?.state).toBe('pending');
    expect((await launch(ec2, input)).map((i) => i.InstanceId)).toEqual([id]);

    await sim.clock.advance(EC2_CONSISTENCY_LAG_MS.max);
    expect((await describe1(ec2, id)).InstanceId).toBe(id);
    expect(await idsMatching(ec2, [{ Name: 'tag:shepherd:claim', Values: ['c-1'] }])).toEqual([id]);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(sim.world.getVm(id)?.state).toBe('shutting-down');
  });

  it('gives each instance its own seeded lag within the documented few seconds; a kind world shows instances at once', async () => {
    const ec2 = await start();
    const ids = (await launch(ec2, { MinCount: 8, MaxCount: 8 })).map((i) => i.InstanceId as string);
    const seenAt = new Map<string, number>();
    for (let t = 0; t <= EC2_CONSISTENCY_LAG_MS.max; t += 500) {
      for (const id of await idsMatching(ec2, [])) if (!seenAt.has(id)) seenAt.set(id, t);
      await sim.clock.advance(500);
    }
    expect([...seenAt.keys()].sort()).toEqual([...ids].sort());
    const lags = [...seenAt.values()];
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(EC2_CONSISTENCY_LAG_MS.min);
    expect(Math.max(...lags)).toBeLessThanOrEqual(EC2_CONSISTENCY_LAG_MS.max);
    expect(new Set(lags).size).toBeGreaterThan(1);
    await sim.stop();

    const kind = await start(CONSISTENT);
    const [at] = await launch(kind);
    expect((await describe1(kind, at.InstanceId as string)).InstanceId).toBe(at.InstanceId);
  });
});

describe('EC2 instance types per zone (ec2-instance-types-per-zone)', () => {
  it('launches the widened catalog at its published size (t3.small, r6i.large, m7g.large)', async () => {
    const ec2 = await start(CONSISTENT);
    const [small] = await launch(ec2, { InstanceType: 't3.small' });
    const [memory] = await launch(ec2, { InstanceType: 'r6i.large' });
    const [graviton] = await launch(ec2, { ImageId: ARM64_AMI, InstanceType: 'm7g.large', SubnetId: subnetOf('eu-west-3a') });
    expect(sim.world.getVm(small.InstanceId as string)).toMatchObject({ type: 't3.small', cpu: 2, memoryMiB: 2048, arch: 'amd64' });
    expect(sim.world.getVm(memory.InstanceId as string)).toMatchObject({ cpu: 2, memoryMiB: 16_384, arch: 'amd64' });
    expect(sim.world.getVm(graviton.InstanceId as string)).toMatchObject({ cpu: 2, memoryMiB: 8192, arch: 'arm64' });
    expect((await ec2Error(launch(ec2, { InstanceType: 'c7g.large' }))).message).toMatch(/^The architecture 'arm64' of the specified instance type/);
  });

  it('answers Unsupported for a type the zone lacks, places it elsewhere when no zone is asked, and lists offerings', async () => {
    const ec2 = await start(CONSISTENT);
    const unsupported = await ec2Error(launch(ec2, { ImageId: ARM64_AMI, InstanceType: 't4g.medium', SubnetId: subnetOf('eu-west-3c') }));
    expect(unsupported).toMatchObject({
      code: 'Unsupported',
      status: 400,
      message:
        'Your requested instance type (t4g.medium) is not supported in your requested Availability Zone (eu-west-3c). Please retry your request by not specifying an Availability Zone or choosing eu-west-3a, eu-west-3b.',
    });
    expect(sim.world.listVms('aws')).toHaveLength(0);
    const placed = await Promise.all([1, 2, 3].map(() => launch(ec2, { ImageId: ARM64_AMI, InstanceType: 't4g.medium' })));
    expect(new Set(placed.map(([i]) => i.Placement?.AvailabilityZone))).toEqual(new Set(['eu-west-3a', 'eu-west-3b']));

    const inZones = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['t4g.medium', 't3.small'] }] }),
    );
    expect(inZones.InstanceTypeOfferings?.map((o) => `${o.InstanceType}@${o.Location}/${o.LocationType}`).sort()).toEqual(
      ['t3.small@eu-west-3a', 't3.small@eu-west-3b', 't3.small@eu-west-3c', 't4g.medium@eu-west-3a', 't4g.medium@eu-west-3b'].map(
        (s) => `${s}/availability-zone`,
      ),
    );
    const byZoneId = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone-id', Filters: [{ Name: 'location', Values: ['euw3-az3'] }] }),
    );
    expect(byZoneId.InstanceTypeOfferings?.some((o) => o.InstanceType === 't4g.medium')).toBe(false);
    expect(byZoneId.InstanceTypeOfferings?.some((o) => o.InstanceType === 'm6i.large')).toBe(true);

    const virginia = client({ region: 'us-east-1' });
    const region = await virginia.send(new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: 'instance-type', Values: ['m7g.*'] }] }));
    expect(new Set(region.InstanceTypeOfferings?.map((o) => `${o.LocationType}:${o.Location}`))).toEqual(new Set(['region:us-east-1']));
    expect(
      await ec2Error(
        virginia.send(
          new RunInstancesCommand({ ImageId: ARM64_AMI, InstanceType: 'm7g.large', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1b' } }),
        ),
      ),
    ).toMatchObject({ code: 'Unsupported' });

    // Paging returns each offering once: the same ones as one unpaged call, 20 a page.
    const pages: string[][] = [];
    for await (const page of paginateDescribeInstanceTypeOfferings({ client: ec2, pageSize: 20 }, { LocationType: 'availability-zone' })) {
      pages.push((page.InstanceTypeOfferings ?? []).map((o) => `${o.InstanceType}@${o.Location}`));
    }
    const unpaged = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone' }));
    const everyOne = (unpaged.InstanceTypeOfferings ?? []).map((o) => `${o.InstanceType}@${o.Location}`);
    expect(pages.flat().sort()).toEqual([...everyOne].sort());
    expect(new Set(everyOne).size).toBe(everyOne.length);
    expect(pages.slice(0, -1).every((p) => p.length === 20)).toBe(true);
    // eu-west-3c lacks t4g (7 sizes), m7g and c7g (8 each).
    expect(everyOne.filter((o) => o.endsWith('@eu-west-3c')).length).toBe(everyOne.filter((o) => o.endsWith('@eu-west-3a')).length - 23);
  });

  it('offers every type in every zone in a kind world', async () => {
    const ec2 = await start(['ec2-instance-types-per-zone', 'ec2-eventual-consistency']);
    const [arm] = await launch(ec2, { ImageId: ARM64_AMI, InstanceType: 't4g.medium', SubnetId: subnetOf('eu-west-3c') });
    expect(arm.Placement?.AvailabilityZone).toBe('eu-west-3c');
  });
});

describe('EC2 RunInstances refuses what does not exist: security groups, instance profiles', () => {
  it('answers InvalidGroup.NotFound and InvalidParameterValue as EC2 words them, launching nothing', async () => {
    const ec2 = await start(CONSISTENT);
    const missing = 'sg-0fedcba9876543210';
    expect(await ec2Error(launch(ec2, { SecurityGroupIds: [missing], SubnetId: subnetOf('eu-west-3a') }))).toMatchObject({
      code: 'InvalidGroup.NotFound',
      status: 400,
      message: `The security group '${missing}' does not exist in VPC 'vpc-00000000000000001'`,
    });
    expect(await ec2Error(launch(ec2, { SecurityGroupIds: [missing] }))).toMatchObject({
      message: `The security group '${missing}' does not exist in default VPC 'vpc-00000000000000001'`,
    });
    // A group of another region does not exist here.
    sim.world.awsSecurityGroups.set(missing, { region: 'us-east-1', name: 'nodes' });
    expect(await ec2Error(launch(ec2, { SecurityGroupIds: [missing] }))).toMatchObject({ code: 'InvalidGroup.NotFound' });

    const arn = 'arn:aws:iam::123456789012:instance-profile/shepherd-node';
    expect(await ec2Error(launch(ec2, { IamInstanceProfile: { Arn: arn } }))).toMatchObject({
      code: 'InvalidParameterValue',
      message: `Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
    });
    expect(await ec2Error(launch(ec2, { IamInstanceProfile: { Name: 'shepherd-node' } }))).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Value (shepherd-node) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
    });
    expect(sim.world.listVms('aws')).toHaveLength(0);

    sim.world.awsInstanceProfiles.add(arn);
    const [withProfile] = await launch(ec2, { IamInstanceProfile: { Name: 'shepherd-node' }, SecurityGroupIds: ['sg-00000000000000001'] });
    expect(withProfile.IamInstanceProfile?.Arn).toBe(arn);
    expect(withProfile.IamInstanceProfile?.Id).toMatch(/^AIPA[0-9A-Z]{17}$/);
    expect((await describe1(ec2, withProfile.InstanceId as string)).SecurityGroups).toEqual([{ GroupId: 'sg-00000000000000001' }]);
  });
});

describe('EC2 instance metadata options', () => {
  it('records MetadataOptions (IMDSv2 required, hop limit 1) and DescribeInstances returns them; EC2 defaults otherwise', async () => {
    const ec2 = await start(CONSISTENT);
    const [strict] = await launch(ec2, { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' } });
    const [loose] = await launch(ec2);
    expect((await describe1(ec2, strict.InstanceId as string)).MetadataOptions).toEqual({
      State: 'pending',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    });
    await sim.clock.advance(BOOT_MS);
    expect((await describe1(ec2, strict.InstanceId as string)).MetadataOptions).toMatchObject({ State: 'applied', HttpTokens: 'required' });
    expect((await describe1(ec2, loose.InstanceId as string)).MetadataOptions).toMatchObject({ HttpTokens: 'optional', HttpPutResponseHopLimit: 1 });
    expect(await ec2Error(launch(ec2, { MetadataOptions: { HttpPutResponseHopLimit: 65 } }))).toMatchObject({ code: 'InvalidParameterValue' });
  });
});
