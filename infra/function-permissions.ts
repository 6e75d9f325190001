import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ShepherdConfig } from '../config/types.js';
import type { FunctionPermission } from './constructs/shepherd-function.js';
import { readSecrets } from './secret-permissions.js';

/** The tag every VM shepherd creates carries, with the cluster name as value; EC2 permissions hinge on it. */
export const CLUSTER_TAG = 'shepherd:cluster';

/** The item operations the claims store performs (functions/adapters/store); no scans, deletes or table admin. */
export const CLAIMS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/** EC2 resources RunInstances creates; each must be tagged with the cluster at launch. */
const LAUNCHED_RESOURCE_TYPES = ['instance', 'volume', 'network-interface'];

/** Secrets the cloud-vms handler reads: provider credentials, and the join secrets it writes into VM user data. */
export function cloudSecretArns(config: ShepherdConfig): string[] {
  const arns: string[] = [];
  if (config.providers.gcp) arns.push(config.providers.gcp.credentialsSecretArn);
  if (config.providers.scaleway) arns.push(config.providers.scaleway.credentialsSecretArn);
  for (const pool of config.pools) {
    if (pool.join.method === 'kosmos') arns.push(pool.join.secretKeySecretArn);
    if (pool.join.method === 'script') arns.push(pool.join.joinTokenSecretArn);
  }
  return arns;
}

/** validate-input only checks its input against the config: no AWS access at all. */
export function validateInputPermissions(): FunctionPermission[] {
  return [];
}

export function claimsPermissions(table: dynamodb.ITable): FunctionPermission[] {
  return [{ statement: new iam.PolicyStatement({ sid: 'ClaimsTable', actions: CLAIMS_TABLE_ACTIONS, resources: [table.tableArn] }) }];
}

export function clusterNodesPermissions(config: ShepherdConfig): FunctionPermission[] {
  return readSecrets('ReadKubeconfig', [config.cluster.kubeconfigSecretArn]);
}

/**
 * Launch, describe and stop/terminate VMs. On EC2 the function can only launch into the configured subnets, security
 * groups and AMIs, only when the launch tags everything it creates with this cluster, only tag at launch, and only
 * stop or terminate instances carrying this cluster's tag.
 */
export function cloudVmsPermissions(scope: Construct, config: ShepherdConfig): FunctionPermission[] {
  const aws = config.providers.aws;
  const permissions: FunctionPermission[] = [];
  if (aws) {
    const stack = Stack.of(scope);
    const ec2Arn = (resource: string, resourceName: string, account?: string) =>
      stack.formatArn({ service: 'ec2', region: aws.region, account, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // A spot launch through RunInstances also creates a spot-instances-request, tagged at launch like the rest.
    const anySpot = config.pools.some((p) => p.provider === 'aws' && p.spot);
    const launched = [...LAUNCHED_RESOURCE_TYPES, ...(anySpot ? ['spot-instances-request'] : [])].map((type) => ec2Arn(type, '*'));
    const amis = [aws.amis.amd64, aws.amis.arm64].filter((ami): ami is string => ami !== undefined);
    permissions.push(
      {
        statement: new iam.PolicyStatement({
          sid: 'LaunchTaggedForCluster',
          actions: ['ec2:RunInstances'],
          resources: launched,
          conditions: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: config.cluster.name } },
        }),
        wildcardReason: `New instances, volumes and network interfaces have no id before RunInstances; the launch is allowed only when it tags them ${CLUSTER_TAG}=${config.cluster.name}.`,
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'LaunchIntoConfiguredNetworkAndImages',
          actions: ['ec2:RunInstances'],
          resources: [
            ...aws.subnets.map((s) => ec2Arn('subnet', s.id)),
            ...aws.securityGroupIds.map((sg) => ec2Arn('security-group', sg)),
            // Images are not owned by an account in their ARN.
            ...amis.map((ami) => ec2Arn('image', ami, '')),
          ],
        }),
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'TagOnlyAtLaunch',
          actions: ['ec2:CreateTags'],
          resources: launched,
          conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
        }),
        wildcardReason: 'Tagging is allowed only as part of RunInstances (ec2:CreateAction), so existing resources cannot be retagged into the cluster.',
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'StopOrTerminateClusterInstances',
          actions: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          resources: [ec2Arn('instance', '*')],
          conditions: { StringEquals: { [`ec2:ResourceTag/${CLUSTER_TAG}`]: config.cluster.name } },
        }),
        wildcardReason: `Instance ids are chosen by EC2; only instances tagged ${CLUSTER_TAG}=${config.cluster.name} can be stopped or terminated.`,
      },
      ...(aws.instanceRoleArn
        ? [
            {
              statement: new iam.PolicyStatement({
                sid: 'PassInstanceRole',
                actions: ['iam:PassRole'],
                resources: [aws.instanceRoleArn],
                conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
              }),
            },
          ]
        : []),
      {
        statement: new iam.PolicyStatement({ sid: 'DescribeInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] }),
        wildcardReason: 'ec2:DescribeInstances supports no resource-level permissions.',
      },
    );
  }
  permissions.push(...readSecrets('ReadProviderAndJoinSecrets', cloudSecretArns(config)));
  return permissions;
}
