import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { joinSecretArns } from '../join-secrets.js';
import { vmIdentityMatcher } from '../node-match.js';
import { TAG_CLUSTER } from '../tags.js';
import type { IamContext, IamStatementSpec, ProviderDescriptor } from '../types.js';

/** EC2 resources RunInstances creates besides the instance; each must be tagged with the cluster at launch. */
const LAUNCHED_WITH_INSTANCE = ['volume', 'network-interface'];

/** EC2: instances launched from the configured AMIs into the configured subnets, tagged with the cluster. */
export const awsProvider: ProviderDescriptor<'aws'> = {
  name: 'aws',
  joinMethods: ['kosmos', 'script'],
  launchable: true,
  /** Instance types in preference order, each in every allowed zone (each subnet of that zone). */
  offerings(pool, config) {
    const subnets = config.providers.aws?.subnets ?? [];
    const zones = pool.zones ?? [...new Set(subnets.map((s) => s.zone))];
    return pool.instanceTypes.flatMap((type) => zones.flatMap((zone) => subnets.filter((s) => s.zone === zone).map((s) => ({ type, zone, subnetId: s.id }))));
  },
  launchParallelism: () => 5,
  secretArns: (config) => joinSecretArns(config, 'aws'),
  iam: ec2Statements,
  nodeMatcher: vmIdentityMatcher,
  // EC2 API reference, "Eventual consistency": tag filters and describes may miss an instance launched moments ago.
  eventuallyConsistent: true,
  // npm run bench:functions: one launch peaked at 132 MB RSS.
  function: { memoryMb: 256, timeoutSeconds: 240 },
  zones: (config) => (config.providers.aws ? [...new Set(config.providers.aws.subnets.map((s) => s.zone))] : undefined),
  checkConfig(config, report) {
    const aws = config.providers.aws;
    if (!aws) return;
    if (aws.instanceProfileArn && !aws.instanceRoleArn) {
      report({
        path: ['providers', 'aws', 'instanceRoleArn'],
        problem: 'instanceProfileArn is set but instanceRoleArn is missing',
        allowed: 'the ARN of the role inside the instance profile (launching with a profile needs iam:PassRole on that role)',
      });
    }
    aws.subnets.forEach((subnet, i) => {
      if (!new RegExp(`^${aws.region}[a-z]$`).test(subnet.zone)) {
        report({
          path: ['providers', 'aws', 'subnets', i, 'zone'],
          input: subnet.zone,
          allowed: `a zone of providers.aws.region ${JSON.stringify(aws.region)}, e.g. ${JSON.stringify(`${aws.region}a`)}`,
        });
      }
    });
  },
  checkPool(config, pool, at, report) {
    const amis = config.providers.aws?.amis;
    if (amis && !amis[pool.arch]) {
      report({
        path: at('arch'),
        input: pool.arch,
        problem: `got ${JSON.stringify(pool.arch)} but providers.aws.amis has no ${pool.arch} image`,
        allowed: Object.keys(amis)
          .map((k) => JSON.stringify(k))
          .join(' | '),
      });
    }
  },
};

/**
 * The EC2 function launches only the config's instance types in their pools' market (spot or on-demand), only into
 * the configured subnets, security groups and AMIs, only when the launch tags everything it creates with this
 * cluster, tags only at launch, and terminates only instances carrying this cluster's tag.
 * Condition keys: ec2:InstanceType and ec2:InstanceMarketType ("spot" | "on-demand") are evaluated on the instance
 * resource of RunInstances (Service Authorization Reference, Amazon EC2; AWS's own AWSEC2SpotServiceRolePolicy uses
 * ec2:InstanceMarketType on instance/*), so they sit in a statement of their own.
 */
function ec2Statements(config: ShepherdConfig, { partition, account }: IamContext): IamStatementSpec[] {
  const aws = config.providers.aws;
  if (!aws) return [];
  const cluster = config.cluster.name;
  const arn = (resource: string, owner = account) => `arn:${partition}:ec2:${aws.region}:${owner}:${resource}`;
  const pools = config.pools.filter((p) => p.provider === 'aws');
  const typesOf = (spot: boolean) => [...new Set(pools.filter((p) => p.spot === spot).flatMap((p: PoolConfig) => p.instanceTypes))].sort();
  const anySpot = pools.some((p) => p.spot);
  const others = [...LAUNCHED_WITH_INSTANCE, ...(anySpot ? ['spot-instances-request'] : [])].map((t) => arn(`${t}/*`));
  const requestTag = { [`aws:RequestTag/${TAG_CLUSTER}`]: cluster };
  const markets: Array<['on-demand' | 'spot', string[]]> = [
    ['on-demand', typesOf(false)],
    ['spot', typesOf(true)],
  ];
  const amis = [aws.amis.amd64, aws.amis.arm64].filter((ami): ami is string => ami !== undefined);
  return [
    ...markets
      .filter(([, types]) => types.length > 0)
      .map(
        ([market, types]): IamStatementSpec => ({
          sid: market === 'spot' ? 'LaunchSpotInstancesOfConfiguredTypes' : 'LaunchOnDemandInstancesOfConfiguredTypes',
          actions: ['ec2:RunInstances'],
          resources: [arn('instance/*')],
          conditions: { StringEquals: { ...requestTag, 'ec2:InstanceType': types, 'ec2:InstanceMarketType': market } },
          wildcardReason: `New instances have no id before RunInstances; the launch is allowed only for the config's ${market} instance types and when it tags them ${TAG_CLUSTER}=${cluster}.`,
        }),
      ),
    {
      sid: 'LaunchTaggedForCluster',
      actions: ['ec2:RunInstances'],
      resources: others,
      conditions: { StringEquals: requestTag },
      wildcardReason: `New volumes, network interfaces and spot requests have no id before RunInstances; the launch is allowed only when it tags them ${TAG_CLUSTER}=${cluster}.`,
    },
    {
      sid: 'LaunchIntoConfiguredNetworkAndImages',
      actions: ['ec2:RunInstances'],
      resources: [
        ...aws.subnets.map((s) => arn(`subnet/${s.id}`)),
        ...aws.securityGroupIds.map((sg) => arn(`security-group/${sg}`)),
        // Images are not owned by an account in their ARN.
        ...amis.map((ami) => arn(`image/${ami}`, '')),
      ],
    },
    {
      sid: 'TagOnlyAtLaunch',
      actions: ['ec2:CreateTags'],
      resources: [arn('instance/*'), ...others],
      conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      wildcardReason: 'Tagging is allowed only as part of RunInstances (ec2:CreateAction), so existing resources cannot be retagged into the cluster.',
    },
    {
      sid: 'TerminateClusterInstances',
      actions: ['ec2:TerminateInstances'],
      resources: [arn('instance/*')],
      conditions: { StringEquals: { [`ec2:ResourceTag/${TAG_CLUSTER}`]: cluster } },
      wildcardReason: `Instance ids are chosen by EC2; only instances tagged ${TAG_CLUSTER}=${cluster} can be terminated.`,
    },
    ...(anySpot
      ? [
          {
            // A fresh account has no AWSServiceRoleForEC2Spot; the first spot launch creates it or fails with
            // AuthFailure.ServiceLinkedRoleCreationNotPermitted.
            sid: 'CreateSpotServiceLinkedRole',
            actions: ['iam:CreateServiceLinkedRole'],
            resources: [`arn:${partition}:iam::${account}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
            conditions: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
          },
        ]
      : []),
    ...(aws.instanceRoleArn
      ? [
          {
            sid: 'PassInstanceRole',
            actions: ['iam:PassRole'],
            resources: [aws.instanceRoleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
          },
        ]
      : []),
    {
      sid: 'DescribeInstances',
      actions: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances'],
      resources: ['*'],
      wildcardReason: 'ec2:DescribeInstances and ec2:DescribeInstanceStatus support no resource-level permissions.',
    },
  ];
}
