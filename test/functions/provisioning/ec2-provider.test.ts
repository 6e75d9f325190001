import { fileURLToPath } from 'node:url';
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { launchToken } from '../../../functions/decisions/launch-token.js';
import { claimIdOf, type Offering } from '../../../functions/decisions/provision.js';
import { Ec2Provider } from '../../../functions/providers/aws/client.js';
import { InstanceTypeUnsupportedError, isInstanceTypeUnsupportedError } from '../../../functions/providers/aws/errors.js';
import {
  InsufficientCapacityError,
  isInsufficientCapacityError,
  ProviderRequestError,
  ThrottledError,
  TransientError,
} from '../../../functions/runtime/errors.js';

const config = loadConfigFile(fileURLToPath(new URL('../../../shepherd.config.json', import.meta.url)));
const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: 'eu-west-3', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const claimId = claimIdOf('kosmos-demo', 'aws-arm64', 'exec-1', 0);
const USER_DATA = '#!/bin/bash\nexport SCW_SECRET_KEY=not-a-real-key\n';

function poolNamed(name: string): PoolConfig {
  const pool = config.pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name}`);
  return pool;
}

const armOffering: Offering = { type: 't4g.medium', zone: 'eu-west-3a', subnetId: 'subnet-00000000000000001' };

const LAUNCHED_AT = new Date('2026-01-01T00:00:00Z');

function instance(id: string, zone = 'eu-west-3a', type = 't4g.medium') {
  return {
    LaunchTime: LAUNCHED_AT,
    InstanceId: id,
    InstanceType: type as never,
    Placement: { AvailabilityZone: zone },
    PrivateIpAddress: '10.0.1.5',
    PrivateDnsName: 'ip-10-0-1-5.eu-west-3.compute.internal',
  };
}

/** An error as the SDK's EC2 protocol builds it: the EC2 error code is the exception's name. */
function ec2Error(code: string, status: number): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} happened`,
  });
}

function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString();
}

function launch(provider: Ec2Provider, pool = poolNamed('aws-arm64'), offering = armOffering) {
  return provider.launch({ clusterName: config.cluster.name, pool, claimId, owner: 'exec-1', offering, userData: USER_DATA });
}

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('Class: Ec2Provider', () => {
  describe('launch', () => {
    it('sends one tagged, idempotent, IMDSv2-only RunInstances for the offering and returns the VM', async () => {
      ec2.on(RunInstancesCommand).resolves({ Instances: [instance('i-0123456789abcdef0')] });
      const vm = await launch(new Ec2Provider(config, client));

      const calls = ec2.commandCalls(RunInstancesCommand);
      expect(calls).toHaveLength(1);
      const input = calls[0].args[0].input;
      const tags = [
        { Key: 'shepherd:cluster', Value: 'kosmos-demo' },
        { Key: 'shepherd:pool', Value: 'aws-arm64' },
        { Key: 'shepherd:claim', Value: claimId },
        { Key: 'Name', Value: 'kosmos-demo-aws-arm64' },
      ];
      expect(input).toMatchObject({
        ImageId: 'ami-0aa00000000000002',
        InstanceType: 't4g.medium',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-00000000000000001',
        SecurityGroupIds: ['sg-00000000000000001'],
        ClientToken: launchToken(claimId, 'exec-1', armOffering),
        InstanceMarketOptions: { MarketType: 'spot' },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
        // Everything RunInstances creates carries the tags: the IAM policy conditions on shepherd:cluster.
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
          { ResourceType: 'network-interface', Tags: tags },
          { ResourceType: 'spot-instances-request', Tags: tags },
        ],
      });
      expect(input).not.toHaveProperty('IamInstanceProfile');
      expect(Buffer.from(input.UserData ?? '', 'base64').toString('utf8')).toBe(USER_DATA);
      expect(vm).toEqual({
        provider: 'aws',
        id: 'i-0123456789abcdef0',
        name: 'ip-10-0-1-5.eu-west-3.compute.internal',
        zone: 'eu-west-3a',
        region: 'eu-west-3',
        type: 't4g.medium',
        privateIp: '10.0.1.5',
        providerID: 'aws:///eu-west-3a/i-0123456789abcdef0',
        launchedAt: '2026-01-01T00:00:00.000Z',
      });
    });

    it('uses the AMI of the pool arch, no spot options for on-demand pools, and the instance profile when configured', async () => {
      ec2.on(RunInstancesCommand).resolves({ Instances: [instance('i-1', 'eu-west-3b', 't3.large')] });
      const aws = config.providers.aws!;
      const arn = 'arn:aws:iam::123456789012:instance-profile/shepherd-node';
      const cfg: ShepherdConfig = { ...config, providers: { ...config.providers, aws: { ...aws, instanceProfileArn: arn } } };
      await launch(new Ec2Provider(cfg, client), poolNamed('aws-amd64'), { type: 't3.large', zone: 'eu-west-3b', subnetId: 'subnet-00000000000000002' });
      const input = ec2.commandCalls(RunInstancesCommand)[0].args[0].input;
      expect(input).toMatchObject({
        ImageId: 'ami-0aa00000000000001',
        InstanceType: 't3.large',
        SubnetId: 'subnet-00000000000000002',
        IamInstanceProfile: { Arn: arn },
      });
      expect(input).not.toHaveProperty('InstanceMarketOptions');
      expect(input.TagSpecifications?.map((t) => t.ResourceType)).toEqual(['instance', 'volume', 'network-interface']);
    });

    it('keeps the ClientToken within 64 characters for long instance types and zone names', async () => {
      ec2.on(RunInstancesCommand).resolves({ Instances: [instance('i-1')] });
      await launch(new Ec2Provider(config, client), poolNamed('aws-arm64'), { type: 'u7in-32tb.224xlarge', zone: 'us-east-1-wl1-bos-wlz-1', subnetId: 's' });
      const token = ec2.commandCalls(RunInstancesCommand)[0].args[0].input.ClientToken ?? '';
      expect(token.length).toBeLessThanOrEqual(64);
      expect(token.startsWith(`${claimId}-`)).toBe(true);
    });

    it('sends no UserData when the pool has none', async () => {
      ec2.on(RunInstancesCommand).resolves({ Instances: [instance('i-1')] });
      await new Ec2Provider(config, client).launch({
        clusterName: 'kosmos-demo',
        pool: poolNamed('aws-arm64'),
        claimId,
        owner: 'exec-1',
        offering: armOffering,
      });
      expect(ec2.commandCalls(RunInstancesCommand)[0].args[0].input.UserData).toBeUndefined();
    });

    it('refuses a pool whose arch has no AMI without calling EC2', async () => {
      const aws = config.providers.aws!;
      const cfg: ShepherdConfig = { ...config, providers: { ...config.providers, aws: { ...aws, amis: { amd64: aws.amis.amd64 } } } };
      await expect(launch(new Ec2Provider(cfg, client))).rejects.toThrow(new ProviderRequestError('providers.aws.amis has no arm64 AMI for pool aws-arm64'));
      expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
    });

    it('treats an answer without an instance as transient', async () => {
      ec2.on(RunInstancesCommand).resolves({ Instances: [] });
      await expect(launch(new Ec2Provider(config, client))).rejects.toBeInstanceOf(TransientError);
    });

    it('refuses to start without providers.aws', () => {
      const { aws: _aws, ...others } = config.providers;
      expect(() => new Ec2Provider({ ...config, providers: others }, client)).toThrow(ProviderRequestError);
    });
  });

  describe('error mapping', () => {
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const refusedCause = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

    it.each([
      ['InsufficientInstanceCapacity (500)', ec2Error('InsufficientInstanceCapacity', 500), InsufficientCapacityError],
      ['InsufficientHostCapacity (500)', ec2Error('InsufficientHostCapacity', 500), InsufficientCapacityError],
      ['SpotMaxPriceTooLow (400)', ec2Error('SpotMaxPriceTooLow', 400), InsufficientCapacityError],
      ['RequestLimitExceeded (503)', ec2Error('RequestLimitExceeded', 503), ThrottledError],
      ['InternalError (500)', ec2Error('InternalError', 500), TransientError],
      ['Unavailable (503)', ec2Error('Unavailable', 503), TransientError],
      ['an unknown 502', ec2Error('BadGateway', 502), TransientError],
      ['a connection reset', reset, TransientError],
      ['a refused connection (cause)', refusedCause, TransientError],
      ['a socket timeout', timeout, TransientError],
      ['InvalidAMIID.NotFound (400)', ec2Error('InvalidAMIID.NotFound', 400), ProviderRequestError],
      ['UnauthorizedOperation (403)', ec2Error('UnauthorizedOperation', 403), ProviderRequestError],
      ['InvalidParameterValue (400)', ec2Error('InvalidParameterValue', 400), ProviderRequestError],
      ['Unsupported (400): the type is not offered in the zone', ec2Error('Unsupported', 400), InstanceTypeUnsupportedError],
    ])('maps %s onto %O', async (_, err, expected) => {
      ec2.on(RunInstancesCommand).rejects(err);
      const thrown = await launch(new Ec2Provider(config, client)).catch((e: Error) => e);
      expect(thrown).toBeInstanceOf(expected);
      expect((thrown as Error).name).toBe(expected.name);
      expect((thrown as Error).message).toMatch(/^EC2 /);
    });

    it('makes Unsupported a capacity-like error, so the launch moves on to the next offering', async () => {
      ec2.on(RunInstancesCommand).rejects(ec2Error('Unsupported', 400));
      const thrown = await launch(new Ec2Provider(config, client)).catch((e: Error) => e);
      expect(isInstanceTypeUnsupportedError(thrown)).toBe(true);
      expect(isInsufficientCapacityError(thrown)).toBe(true);
      expect(isInstanceTypeUnsupportedError(new InsufficientCapacityError('EC2 InsufficientInstanceCapacity: full'))).toBe(false);
    });

    it('names the EC2 code in the message', async () => {
      ec2.on(RunInstancesCommand).rejects(ec2Error('InsufficientInstanceCapacity', 500));
      await expect(launch(new Ec2Provider(config, client))).rejects.toThrow('EC2 InsufficientInstanceCapacity: InsufficientInstanceCapacity happened');
    });
  });

  describe('findByClaim', () => {
    it('filters on the cluster tag, the claim tag and live states, and follows NextToken across reservations', async () => {
      ec2
        .on(DescribeInstancesCommand)
        .resolvesOnce({ Reservations: [{ Instances: [instance('i-1')] }, { Instances: [instance('i-2', 'eu-west-3b')] }], NextToken: 'page-2' })
        .resolvesOnce({ Reservations: [{ Instances: [instance('i-3')] }] });
      const refs = await new Ec2Provider(config, client).findByClaim(claimId);

      expect(refs.map((r) => `${r.id}@${r.zone}`)).toEqual(['i-1@eu-west-3a', 'i-2@eu-west-3b', 'i-3@eu-west-3a']);
      const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
      expect(calls).toHaveLength(2);
      for (const input of calls) {
        expect(input.Filters).toEqual([
          { Name: 'tag:shepherd:cluster', Values: ['kosmos-demo'] },
          { Name: 'tag:shepherd:claim', Values: [claimId] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ]);
      }
      expect(calls[0].NextToken).toBeUndefined();
      expect(calls[1].NextToken).toBe('page-2');
    });

    it('returns nothing when no VM carries the claim', async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
      expect(await new Ec2Provider(config, client).findByClaim(claimId)).toEqual([]);
    });

    it('maps throttling like launch does', async () => {
      ec2.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', 503));
      await expect(new Ec2Provider(config, client).findByClaim(claimId)).rejects.toBeInstanceOf(ThrottledError);
    });
  });

  describe('terminate', () => {
    const vm = { provider: 'aws' as const, id: 'i-0123456789abcdef0', name: '', zone: 'eu-west-3a', region: 'eu-west-3', type: 't4g.medium' };

    it('terminates the instance by id, and says it did', async () => {
      ec2.on(TerminateInstancesCommand).resolves({
        TerminatingInstances: [{ InstanceId: vm.id, PreviousState: { Name: 'running' }, CurrentState: { Name: 'shutting-down' } }],
      });
      expect(await new Ec2Provider(config, client).terminate(vm)).toBe('terminated');
      expect(ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [vm.id] }]);
    });

    it.each(['terminated', 'shutting-down'] as const)('says "already-gone" when EC2 answers that the instance was %s before the call', async (previous) => {
      ec2.on(TerminateInstancesCommand).resolves({
        TerminatingInstances: [{ InstanceId: vm.id, PreviousState: { Name: previous }, CurrentState: { Name: previous } }],
      });
      expect(await new Ec2Provider(config, client).terminate(vm)).toBe('already-gone');
    });

    it('is idempotent: an instance launched over an hour ago that EC2 no longer knows was already gone', async () => {
      ec2.on(TerminateInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', 400));
      await expect(new Ec2Provider(config, client).terminate({ ...vm, launchedAt: hoursAgo(2) })).resolves.toBe('already-gone');
    });

    it('does not take a NotFound for gone while the launch may not have propagated: a TransientError to try again', async () => {
      ec2.on(TerminateInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', 400));
      const provider = new Ec2Provider(config, client);
      for (const young of [{ ...vm, launchedAt: hoursAgo(0.01) }, vm]) {
        const err = await provider.terminate(young).catch((e: Error) => e);
        expect(err).toBeInstanceOf(TransientError);
        expect((err as Error).message).toBe(
          `EC2 does not show instance ${vm.id} yet (its API is eventually consistent): it may be running, so it is not taken for gone`,
        );
      }
    });

    it('reports other refusals and throttling', async () => {
      ec2.on(TerminateInstancesCommand).rejectsOnce(ec2Error('UnauthorizedOperation', 403)).rejectsOnce(ec2Error('RequestLimitExceeded', 503));
      const provider = new Ec2Provider(config, client);
      await expect(provider.terminate(vm)).rejects.toBeInstanceOf(ProviderRequestError);
      await expect(provider.terminate(vm)).rejects.toBeInstanceOf(ThrottledError);
    });
  });

  describe('describe', () => {
    const vm = { provider: 'aws' as const, id: 'i-0123456789abcdef0', name: '', zone: 'eu-west-3a', region: 'eu-west-3', type: 't4g.medium' };
    it('says unknown, not gone, when EC2 does not know the id yet (eventual consistency right after launch)', async () => {
      ec2.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', 400));
      const provider = new Ec2Provider(config, client);
      expect(await provider.describe({ ...vm, launchedAt: hoursAgo(0.001) })).toBe('unknown');
      expect(await provider.describe(vm)).toBe('unknown');
      // Launched two hours ago and unknown: terminated and forgotten (EC2 shows terminated instances for about an hour).
      expect(await provider.describe({ ...vm, launchedAt: hoursAgo(2) })).toBe('gone');
    });

    it.each([
      ['pending', 'running'],
      ['running', 'running'],
      ['stopping', 'stopping'],
      ['shutting-down', 'stopping'],
      ['terminated', 'gone'],
    ])('maps the instance state %s to %s', async (state, expected) => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ ...instance(vm.id), State: { Name: state as never } }] }] });
      expect(await new Ec2Provider(config, client).describe(vm)).toBe(expected);
    });
  });

  describe('interruptions', () => {
    it("reports the scheduled events of the cluster's instances, skipping completed ones", async () => {
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-1'), instance('i-2')] }] });
      ec2.on(DescribeInstanceStatusCommand).resolves({
        InstanceStatuses: [
          {
            InstanceId: 'i-1',
            Events: [
              {
                InstanceEventId: 'instance-event-1',
                Code: 'instance-retirement',
                Description: 'retiring hardware',
                NotBefore: new Date('2026-12-01T00:00:00Z'),
              },
              { InstanceEventId: 'instance-event-0', Code: 'system-reboot', Description: '[Completed] rebooted' },
            ],
          },
          { InstanceId: 'i-2' },
        ],
      });
      const found = await new Ec2Provider(config, client).interruptions();
      expect(found).toEqual([
        {
          vmId: 'i-1',
          kind: 'scheduled-event',
          noticeId: 'instance-event-1',
          at: '2026-12-01T00:00:00.000Z',
          description: 'instance-retirement: retiring hardware',
        },
      ]);
      expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters?.[0]).toEqual({ Name: 'tag:shepherd:cluster', Values: ['kosmos-demo'] });
      expect(ec2.commandCalls(DescribeInstanceStatusCommand)[0].args[0].input).toMatchObject({ InstanceIds: ['i-1', 'i-2'], IncludeAllInstances: true });
    });
  });
});
