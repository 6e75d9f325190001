import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ShepherdConfig } from '../config/types.js';
import type { ProviderDescriptor } from '../functions/providers/types.js';
import type { FunctionPermission } from './constructs/shepherd-function.js';
import { readSecrets } from './secret-permissions.js';

/**
 * The item operations the claims and node-lease stores perform (functions/adapters/store); no scans, queries, deletes
 * or table admin: a released lease is updated, not deleted, and the table's TTL removes it later. BatchWriteItem
 * writes an audit entry and its copy in the node's history in one request (audit-log.ts); it only puts items.
 */
export const CLAIMS_TABLE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * validate-input checks its input against the config and the pool's free capacity: it reads the pools' counters
 * (`POOL#<pool>` items, GetItem only), nothing else of the table.
 */
export function validateInputPermissions(table: dynamodb.ITable): FunctionPermission[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadPoolCounters',
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POOL#*'] } },
      }),
    },
  ];
}

export function claimsPermissions(table: dynamodb.ITable): FunctionPermission[] {
  return [{ statement: new iam.PolicyStatement({ sid: 'ClaimsTable', actions: CLAIMS_TABLE_ACTIONS, resources: [table.tableArn] }) }];
}

/**
 * The heal function (HealNode's facts, decision, claim fence and records): the claim, pool, node-removal and audit
 * items it reads and writes; the pause switch and the watcher's snapshot, read only; its events on the project's bus;
 * the provider functions, to ask them about a VM (describe).
 */
export function healNodePermissions(table: dynamodb.ITable, bus: events.IEventBus, providerFunctions: lambda.IFunction[]): FunctionPermission[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'HealClaims',
        actions: CLAIMS_TABLE_ACTIONS,
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#*', 'POOL#*', 'NODE#*', 'AUDIT#*'] } },
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadPauseAndSnapshot',
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SWITCH#remediation', 'WATCHER'] } },
      }),
    },
    { statement: new iam.PolicyStatement({ sid: 'PublishHealSteps', actions: ['events:PutEvents'], resources: [bus.eventBusArn] }) },
    ...(providerFunctions.length
      ? [
          {
            statement: new iam.PolicyStatement({
              sid: 'DescribeVms',
              actions: ['lambda:InvokeFunction'],
              resources: providerFunctions.map((f) => f.functionArn),
            }),
          },
        ]
      : []),
  ];
}

export function clusterNodesPermissions(config: ShepherdConfig): FunctionPermission[] {
  return readSecrets('ReadKubeconfig', [config.cluster.kubeconfigSecretArn]);
}

/**
 * The permissions of one provider's function: the IAM its descriptor asks for (functions/providers/<name>), and
 * reading its own secrets (its credentials and its pools' join secrets), nothing of another provider's.
 */
export function providerPermissions(scope: Construct, provider: ProviderDescriptor, config: ShepherdConfig): FunctionPermission[] {
  const stack = Stack.of(scope);
  const statements = provider.iam(config, { partition: stack.partition, account: stack.account }).map(
    (spec): FunctionPermission => ({
      statement: new iam.PolicyStatement({ sid: spec.sid, actions: spec.actions, resources: spec.resources, conditions: spec.conditions }),
      ...(spec.wildcardReason ? { wildcardReason: spec.wildcardReason } : {}),
    }),
  );
  return [...statements, ...readSecrets('ReadProviderSecrets', provider.secretArns(config))];
}
