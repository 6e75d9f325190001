import {
  type _InstanceType,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Filter,
  type Instance,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { ShepherdConfig } from '../../../config/types.js';
import { launchToken } from '../../decisions/launch-token.js';
import type { VmRef } from '../../decisions/provision.js';
import { InsufficientCapacityError, ProviderRequestError, ThrottledError, TransientError } from '../../runtime/errors.js';
import { TAG_CLAIM, TAG_CLUSTER, TAG_POOL } from '../tags.js';
import type { CloudProvider, Interruption, LaunchSpec, Page, TerminateOutcome, VmState } from '../types.js';
import { InstanceTypeUnsupportedError } from './errors.js';

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
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
/**
 * EC2 keeps a terminated instance visible for about an hour; an instance launched longer ago than that which EC2 does
 * not know is gone. Younger, a NotFound may only mean the launch has not propagated yet (EC2's eventual consistency).
 */
const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;
/** DescribeInstanceStatus takes at most 100 instance ids per call. */
const STATUS_BATCH = 100;

export class Ec2Provider implements CloudProvider {
  private readonly ec2: EC2Client;

  /**
   * `now` is the time a NotFound is judged by (epoch ms): the function's clock by default; a test beside a simulated
   * EC2 passes the simulation's.
   */
  constructor(
    private readonly config: ShepherdConfig,
    client?: EC2Client,
    private readonly now: () => number = Date.now,
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
          // IMDSv2 only, and a hop limit of 1: a pod (one hop further) cannot read the instance's credentials or user data.
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
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

  /**
   * The live instances tagged with this claim and this cluster (another cluster in the account never matches). EC2's
   * tag filters may miss an instance launched moments ago: an empty answer is not proof (the descriptor says so).
   */
  async findByClaim(claimId: string): Promise<VmRef[]> {
    const refs: VmRef[] = [];
    let token: string | undefined;
    do {
      const page = await this.describePage([this.clusterFilter(), { Name: `tag:${TAG_CLAIM}`, Values: [claimId] }], token);
      refs.push(...page.items);
      token = page.next;
    } while (token);
    return refs;
  }

  async listOwned(pageToken?: string): Promise<Page<VmRef>> {
    return this.describePage([this.clusterFilter()], pageToken);
  }

  private clusterFilter(): Filter {
    return { Name: `tag:${TAG_CLUSTER}`, Values: [this.config.cluster.name] };
  }

  /**
   * EC2 is eventually consistent: right after RunInstances a describe by id may answer NotFound, so NotFound is
   * 'unknown', never proof of 'gone', unless the instance was launched so long ago that EC2 has forgotten it since it
   * terminated. A terminated instance stays visible for about an hour: that is 'gone'.
   */
  async describe(vm: VmRef): Promise<VmState> {
    try {
      const out = await this.call(() => this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [vm.id] })));
      const state = out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
      if (state === 'pending' || state === 'running') return 'running';
      if (state === 'terminated') return 'gone';
      if (state === 'shutting-down' || state === 'stopping' || state === 'stopped') return 'stopping';
      return 'unknown';
    } catch (err) {
      if (isInstanceNotFound(err)) return this.forgottenSinceTerminated(vm) ? 'gone' : 'unknown';
      throw err;
    }
  }

  /** Scheduled events (retirement, reboot, maintenance) EC2 announces for the cluster's instances. */
  async interruptions(): Promise<Interruption[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.listOwned(token);
      ids.push(...page.items.map((v) => v.id));
      token = page.next;
    } while (token);
    const found: Interruption[] = [];
    for (let i = 0; i < ids.length; i += STATUS_BATCH) {
      let next: string | undefined;
      do {
        const out = await this.call(() =>
          this.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(i, i + STATUS_BATCH), IncludeAllInstances: true, NextToken: next })),
        );
        for (const status of out.InstanceStatuses ?? []) {
          for (const e of status.Events ?? []) {
            if (!status.InstanceId || !e.InstanceEventId || e.Description?.startsWith('[Completed]') || e.Description?.startsWith('[Canceled]')) continue;
            found.push({
              vmId: status.InstanceId,
              kind: 'scheduled-event',
              noticeId: e.InstanceEventId,
              ...(e.NotBefore ? { at: e.NotBefore.toISOString() } : {}),
              description: `${e.Code ?? 'event'}: ${e.Description ?? ''}`.trim(),
            });
          }
        }
        next = out.NextToken;
      } while (next);
    }
    return found;
  }

  private async describePage(filters: Filter[], NextToken?: string): Promise<Page<VmRef>> {
    const aws = this.config.providers.aws!;
    const out = await this.call(() =>
      this.ec2.send(new DescribeInstancesCommand({ Filters: [...filters, { Name: 'instance-state-name', Values: LIVE_STATES }], NextToken, MaxResults: 500 })),
    );
    const items = (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => this.toRef(i, aws.region)));
    return { items, ...(out.NextToken ? { next: out.NextToken } : {}) };
  }

  /**
   * A NotFound from TerminateInstances "does not mean the instance was or will be terminated; it might still be
   * running" (EC2 API, eventual consistency): it is a TransientError, for the workflow to try again once the launch has
   * propagated, unless the instance is old enough to have been forgotten after it terminated.
   */
  async terminate(vm: VmRef): Promise<TerminateOutcome> {
    try {
      const out = await this.call(() => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [vm.id] })));
      // EC2 answers a terminated (or terminating) instance with its state before the call: someone else took it.
      const previous = out.TerminatingInstances?.find((i) => i.InstanceId === vm.id)?.PreviousState?.Name;
      return previous === 'terminated' || previous === 'shutting-down' ? 'already-gone' : 'terminated';
    } catch (err) {
      if (!isInstanceNotFound(err)) throw err;
      if (this.forgottenSinceTerminated(vm)) return 'already-gone';
      throw new TransientError(`EC2 does not show instance ${vm.id} yet (its API is eventually consistent): it may be running, so it is not taken for gone`);
    }
  }

  /** Launched more than an hour ago: a NotFound then means terminated and forgotten. Unknown launch time: not proven. */
  private forgottenSinceTerminated(vm: VmRef): boolean {
    return vm.launchedAt !== undefined && this.now() - Date.parse(vm.launchedAt) > TERMINATED_VISIBLE_MS;
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
      ...(i.LaunchTime ? { launchedAt: i.LaunchTime.toISOString() } : {}),
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
      if (code === 'Unsupported') throw new InstanceTypeUnsupportedError(msg);
      if (THROTTLE_CODES.has(code)) throw new ThrottledError(msg);
      if (TRANSIENT_CODES.has(code) || (e.$metadata?.httpStatusCode ?? 0) >= 500 || isNetworkError(err)) throw new TransientError(msg);
      throw new ProviderRequestError(msg);
    }
  }
}

/** EC2's InvalidInstanceID.NotFound, as call() maps it (a ProviderRequestError naming the code). */
function isInstanceNotFound(err: unknown): boolean {
  return err instanceof ProviderRequestError && err.message.startsWith('EC2 InvalidInstanceID.NotFound:');
}

export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'TimeoutError'].includes(code ?? '') || (err as Error)?.name === 'TimeoutError';
}
