import { type _InstanceType, DescribeInstancesCommand, EC2Client, type Instance, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { ShepherdConfig } from '../../../config/types.js';
import { launchToken, type VmRef } from '../../decisions/provision.js';
import { InsufficientCapacityError, ProviderRequestError, ThrottledError, TransientError } from '../../runtime/errors.js';
import { type CloudProvider, type LaunchSpec, TAG_CLAIM, TAG_CLUSTER, TAG_POOL } from './types.js';

const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacity',
  'SpotMaxPriceTooLow',
  'MaxSpotInstanceCountExceeded',
]);
const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const TRANSIENT_CODES = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout']);

export class Ec2Provider implements CloudProvider {
  private readonly ec2: EC2Client;

  constructor(
    private readonly config: ShepherdConfig,
    client?: EC2Client,
  ) {
    const aws = config.providers.aws;
    if (!aws) throw new ProviderRequestError('providers.aws is missing from the config');
    // The SDK's own retries stay short: Step Functions owns the backoff across attempts.
    this.ec2 = client ?? new EC2Client({ region: aws.region, maxAttempts: 2 });
  }

  async launch(spec: LaunchSpec): Promise<VmRef> {
    const aws = this.config.providers.aws!;
    const { pool, offering, claimId } = spec;
    const ami = aws.amis[pool.arch];
    if (!ami) throw new ProviderRequestError(`providers.aws.amis has no ${pool.arch} AMI for pool ${pool.name}`);
    const tags = [
      { Key: TAG_CLUSTER, Value: spec.clusterName },
      { Key: TAG_POOL, Value: pool.name },
      { Key: TAG_CLAIM, Value: claimId },
      { Key: 'Name', Value: `${spec.clusterName}-${pool.name}` },
    ];
    const out = await this.call(() =>
      this.ec2.send(
        new RunInstancesCommand({
          ImageId: ami,
          InstanceType: offering.type as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: offering.subnetId,
          SecurityGroupIds: aws.securityGroupIds,
          UserData: spec.userData ? Buffer.from(spec.userData).toString('base64') : undefined,
          ClientToken: launchToken(claimId, spec.owner, offering),
          ...(aws.instanceProfileArn ? { IamInstanceProfile: { Arn: aws.instanceProfileArn } } : {}),
          ...(pool.spot ? { InstanceMarketOptions: { MarketType: 'spot' as const } } : {}),
          MetadataOptions: { HttpTokens: 'required' },
          // Everything RunInstances creates carries the cluster tag: the IAM policy requires it.
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'volume', Tags: tags },
            { ResourceType: 'network-interface', Tags: tags },
            ...(pool.spot ? [{ ResourceType: 'spot-instances-request' as const, Tags: tags }] : []),
          ],
        }),
      ),
    );
    const instance = out.Instances?.[0];
    if (!instance?.InstanceId) throw new TransientError('RunInstances returned no instance');
    return this.toRef(instance, aws.region);
  }

  async findByClaim(claimId: string): Promise<VmRef[]> {
    const aws = this.config.providers.aws!;
    const refs: VmRef[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.call(() =>
        this.ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TAG_CLAIM}`, Values: [claimId] },
              { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
            ],
            NextToken,
          }),
        ),
      );
      for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) refs.push(this.toRef(i, aws.region));
      NextToken = out.NextToken;
    } while (NextToken);
    return refs;
  }

  async terminate(vm: VmRef): Promise<void> {
    try {
      await this.call(() => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [vm.id] })));
    } catch (err) {
      if ((err as Error).message.includes('InvalidInstanceID.NotFound')) return;
      throw err;
    }
  }

  private toRef(i: Instance, region: string): VmRef {
    const zone = i.Placement?.AvailabilityZone ?? '';
    return {
      provider: 'aws',
      id: i.InstanceId ?? '',
      name: i.PrivateDnsName ?? '',
      zone,
      region,
      type: i.InstanceType ?? '',
      privateIp: i.PrivateIpAddress,
      providerID: `aws:///${zone}/${i.InstanceId}`,
    };
  }

  /** Maps EC2 errors onto the workflow's error names. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const code = e.Code ?? e.name ?? '';
      const msg = `EC2 ${code}: ${e.message ?? ''}`;
      if (CAPACITY_CODES.has(code)) throw new InsufficientCapacityError(msg);
      if (THROTTLE_CODES.has(code)) throw new ThrottledError(msg);
      if (TRANSIENT_CODES.has(code) || (e.$metadata?.httpStatusCode ?? 0) >= 500 || isNetworkError(err)) throw new TransientError(msg);
      throw new ProviderRequestError(msg);
    }
  }
}

export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'TimeoutError'].includes(code ?? '') || (err as Error)?.name === 'TimeoutError';
}
