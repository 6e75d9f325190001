import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { providerNamed } from '../../functions/providers/registry.js';
import { ShepherdFunction } from '../../infra/constructs/shepherd-function.js';
import { CLAIMS_TABLE_ACTIONS } from '../../infra/function-permissions.js';
import { ACCOUNT_CONTEXT, createShepherdApp, REGION_CONTEXT } from '../../infra/shepherd-app.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { allStates, functionLogicalId, stateMachineAsl } from '../helpers/asl.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;
const example = (): ShepherdConfig => loadConfigFile(root('shepherd.config.json'));
const ACCOUNT = '123456789012';

/** The stack alone, with the feature flags of cdk.json, no bundling and no built-in template validation (nag.test.ts covers the real synth). */
function synth(config: ShepherdConfig): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config, env: { region: config.providers.aws?.region ?? 'eu-west-1' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;

/** CloudFormation values as text: the account is ACCOUNT, other references `<Id>` / `<Id.Attr>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(delimiter);
  }
  if (v.Ref === 'AWS::AccountId') return ACCOUNT;
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

interface Statement {
  Sid?: string;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}

const list = (x: unknown) => (Array.isArray(x) ? x : [x]);

/** Every Allow statement of every policy attached to the role of `fn`, actions and resources as sorted text. */
function statementsOf(template: Template, stack: Stack, fn: ShepherdFunction): Statement[] {
  const role = logicalId(stack, fn.role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    list(p.Properties.Roles).some((r: { Ref?: string }) => r.Ref === role),
  );
  expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual([]);
  expect(template.findResources('AWS::IAM::Role')[role].Properties.ManagedPolicyArns).toBeUndefined();
  return policies.flatMap((p) =>
    p.Properties.PolicyDocument.Statement.map((s: Record<string, unknown>) => {
      expect(s.Effect).toBe('Allow');
      return {
        ...(s.Sid ? { Sid: s.Sid as string } : {}),
        Action: list(s.Action).sort(),
        Resource: list(s.Resource).map(text).sort(),
        ...(s.Condition ? { Condition: s.Condition } : {}),
      };
    }),
  );
}

/** The two statements every function has: writing its own log group, sending traces. */
function baseStatements(stack: Stack, fn: ShepherdFunction): Statement[] {
  return [
    { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`<${logicalId(stack, fn.logGroup)}.Arn>`] },
    { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: ['*'] },
  ];
}

const allFunctions = (stack: ShepherdStack): ShepherdFunction[] => {
  const { providers, ...fixed } = stack.functions;
  return [...Object.values(fixed), ...Object.values(providers), ...(stack.dnsFailover ? [stack.dnsFailover.function] : [])];
};

const bySid = (a: Statement, b: Statement) => `${a.Sid}${a.Action}`.localeCompare(`${b.Sid}${b.Action}`);

describe('ShepherdStack with the example config', () => {
  let stack: ShepherdStack;
  let template: Template;
  let config: ShepherdConfig;
  beforeAll(() => {
    config = example();
    ({ stack, template } = synth(config));
  });

  it('keeps claims in one retained, on-demand table with PITR, encryption and the expiresAt TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('runs every function on nodejs22.x / arm64 with active tracing and its own log group with retention', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    // validate-input, claims, cluster-nodes, claim-cleanup, heal-node, cluster-watcher, heal-intake, orphan-collector, dns-failover,
    // and one per provider the pools use (aws, gcp, scaleway; home has no API).
    expect(Object.keys(functions)).toHaveLength(12);
    expect(Object.keys(stack.functions.providers).sort()).toEqual(['aws', 'gcp', 'scaleway']);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const [id, fn] of Object.entries(functions)) {
      expect(fn.Properties, id).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      const group = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(logGroups[group]?.Properties.RetentionInDays, `${id} log group`).toBeGreaterThan(0);
    }
    const groups = Object.values(functions).map((f) => f.Properties.LoggingConfig.LogGroup.Ref);
    expect(new Set(groups).size).toBe(12);
  });

  it("gives validate-input GetItem on the pools' counters only (no claim records), the table name and the function of each provider", () => {
    const fn = stack.functions.validate;
    const table = logicalId(stack, stack.table.table);
    expect(statementsOf(template, stack, fn).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, fn),
        {
          Sid: 'ReadPoolCounters',
          Action: ['dynamodb:GetItem'],
          Resource: [`<${table}.Arn>`],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POOL#*'] } },
        },
      ].sort(bySid),
    );
    const arn = (name: string) => ({ 'Fn::GetAtt': [logicalId(stack, stack.functions.providers[name].fn), 'Arn'] });
    expect(template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.fn)].Properties.Environment).toEqual({
      Variables: {
        TABLE_NAME: { Ref: table },
        SHEPHERD_PROVIDER_FUNCTION_AWS: arn('aws'),
        SHEPHERD_PROVIDER_FUNCTION_GCP: arn('gcp'),
        SHEPHERD_PROVIDER_FUNCTION_SCALEWAY: arn('scaleway'),
        SHEPHERD_EXECUTION_BUDGET: JSON.stringify(stack.provisionNode.budget),
      },
    });
  });

  it('gives claims item access to its table only, and the table name', () => {
    const fn = stack.functions.claims;
    const table = logicalId(stack, stack.table.table);
    expect(statementsOf(template, stack, fn).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, fn),
        {
          Sid: 'ClaimsTable',
          Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: [`<${table}.Arn>`],
        },
      ].sort(bySid),
    );
    expect(template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.fn)].Properties.Environment).toEqual({
      Variables: { TABLE_NAME: { Ref: table } },
    });
  });

  it("lets provider-aws launch only the config's types in their market, cluster-tagged, into the configured network and images, and read only its own join secrets", () => {
    const fn = stack.functions.providers.aws;
    const ec2 = (what: string) => `arn:aws:ec2:eu-west-3:${ACCOUNT}:${what}`;
    // The example's aws-arm64 pool is spot: RunInstances then also creates (and must tag) a spot-instances-request.
    const others = [ec2('network-interface/*'), ec2('spot-instances-request/*'), ec2('volume/*')];
    const aws = config.providers.aws!;
    const secrets = config.pools.flatMap((p) => (p.provider === 'aws' && p.join.method === 'kosmos' ? [p.join.secretKeySecretArn] : []));
    const requestTag = { 'aws:RequestTag/shepherd:cluster': 'kosmos-demo' };
    const typesOf = (spot: boolean) => [...new Set(config.pools.filter((p) => p.provider === 'aws' && p.spot === spot).flatMap((p) => p.instanceTypes))].sort();
    expect(typesOf(false)).toEqual(['t3.large', 't3.medium']);
    expect(statementsOf(template, stack, fn).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, fn),
        {
          Sid: 'LaunchOnDemandInstancesOfConfiguredTypes',
          Action: ['ec2:RunInstances'],
          Resource: [ec2('instance/*')],
          Condition: { StringEquals: { ...requestTag, 'ec2:InstanceType': ['t3.large', 't3.medium'], 'ec2:InstanceMarketType': 'on-demand' } },
        },
        {
          Sid: 'LaunchSpotInstancesOfConfiguredTypes',
          Action: ['ec2:RunInstances'],
          Resource: [ec2('instance/*')],
          Condition: { StringEquals: { ...requestTag, 'ec2:InstanceType': typesOf(true), 'ec2:InstanceMarketType': 'spot' } },
        },
        { Sid: 'LaunchTaggedForCluster', Action: ['ec2:RunInstances'], Resource: others, Condition: { StringEquals: requestTag } },
        {
          Sid: 'LaunchIntoConfiguredNetworkAndImages',
          Action: ['ec2:RunInstances'],
          Resource: [
            'arn:aws:ec2:eu-west-3::image/ami-0aa00000000000001',
            'arn:aws:ec2:eu-west-3::image/ami-0aa00000000000002',
            ...aws.securityGroupIds.map((sg) => ec2(`security-group/${sg}`)),
            ...aws.subnets.map((s) => ec2(`subnet/${s.id}`)),
          ].sort(),
        },
        {
          Sid: 'TagOnlyAtLaunch',
          Action: ['ec2:CreateTags'],
          Resource: [ec2('instance/*'), ...others].sort(),
          Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
        },
        {
          Sid: 'TerminateClusterInstances',
          Action: ['ec2:TerminateInstances'],
          Resource: [ec2('instance/*')],
          Condition: { StringEquals: { 'ec2:ResourceTag/shepherd:cluster': 'kosmos-demo' } },
        },
        {
          Sid: 'CreateSpotServiceLinkedRole',
          Action: ['iam:CreateServiceLinkedRole'],
          Resource: [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
          Condition: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
        },
        { Sid: 'DescribeInstances', Action: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances'], Resource: ['*'] },
        { Sid: 'ReadProviderSecretsFromParameterStore', Action: ['ssm:GetParameter'], Resource: [...new Set(secrets)].sort() },
      ].sort(bySid),
    );
    expect(statementsOf(template, stack, fn).flatMap((s) => s.Action)).not.toContain('ec2:StopInstances');
  });

  it("lets provider-gcp and provider-scaleway read only their own credentials (and GCE pools' join secrets), with no AWS API access", () => {
    const gcp = stack.functions.providers.gcp;
    const gcpSecrets = [config.providers.gcp!.credentialsSecretArn];
    for (const p of config.pools) if (p.provider === 'gcp' && p.join.method === 'kosmos') gcpSecrets.push(p.join.secretKeySecretArn);
    expect(statementsOf(template, stack, gcp).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, gcp),
        { Sid: 'ReadProviderSecretsFromParameterStore', Action: ['ssm:GetParameter'], Resource: [...new Set(gcpSecrets)].sort() },
      ].sort(bySid),
    );
    const scw = stack.functions.providers.scaleway;
    expect(statementsOf(template, stack, scw).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, scw),
        { Sid: 'ReadProviderSecretsFromParameterStore', Action: ['ssm:GetParameter'], Resource: [config.providers.scaleway!.credentialsSecretArn] },
      ].sort(bySid),
    );
  });

  it('gives the GCE function the memory its measured call needs and the others less', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const memory = (name: string) => functions[logicalId(stack, stack.functions.providers[name].fn)].Properties.MemorySize;
    expect(memory('gcp')).toBe(providerNamed('gcp').function?.memoryMb);
    expect(memory('aws')).toBeLessThan(memory('gcp'));
    expect(memory('scaleway')).toBeLessThan(memory('gcp'));
  });

  it('lets cluster-nodes read the kubeconfig secret and nothing else', () => {
    const fn = stack.functions.cluster;
    expect(statementsOf(template, stack, fn).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, fn),
        { Sid: 'ReadKubeconfigFromParameterStore', Action: ['ssm:GetParameter'], Resource: [config.cluster.kubeconfigSecretArn] },
      ].sort(bySid),
    );
  });

  it('allows "*" resources only for EC2 Describe and X-Ray, which have no resource-level permissions, and grants no wildcard actions', () => {
    for (const fn of allFunctions(stack)) {
      for (const s of statementsOf(template, stack, fn)) {
        expect(s.Action.every((a) => !a.includes('*'))).toBe(true);
        if (s.Resource.includes('*'))
          expect(
            s.Action.every((a) => a.startsWith('ec2:Describe') || a.startsWith('xray:')),
            JSON.stringify(s),
          ).toBe(true);
      }
    }
  });

  it('grants the Cloudflare token to dns-failover and to no other function', () => {
    const token = config.dns!.cloudflare.apiTokenSecretArn;
    const readers = allFunctions(stack).filter((fn) => statementsOf(template, stack, fn).some((st) => st.Resource.includes(token)));
    expect(readers).toEqual([stack.dnsFailover!.function]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('cloudflare-api-token'));
    expect(policies).toHaveLength(1);
  });

  it('runs ProvisionNode as a Standard state machine with tracing, ALL-level logs without execution data, and a timeout', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 5);
    const logGroup = logicalId(stack, stack.provisionNode.logGroup);
    const machineId = logicalId(stack, stack.provisionNode.stateMachine);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] } } }],
      },
    });
    expect(template.findResources('AWS::Logs::LogGroup')[logGroup].Properties.RetentionInDays).toBeGreaterThan(0);
    // Sized from the definition: the largest request the config allows (scw-buffer, 3 nodes one at a time) at worst.
    const budget = stack.provisionNode.budget;
    expect(budget.capSeconds).toBe(budget.fixedSeconds + 3 * budget.slotSeconds);
    expect(stateMachineAsl(template.toJSON(), machineId).TimeoutSeconds).toBe(budget.capSeconds);
  });

  it('gives every Task a TimeoutSeconds above its function timeout and a Retry with backoff and jitter', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const tasks = allStates(stateMachineAsl(template.toJSON(), logicalId(stack, stack.provisionNode.stateMachine))).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    const invoked = new Set<string>();
    const providerIds = Object.values(stack.functions.providers).map((f) => logicalId(stack, f.fn));
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(task.Retry?.length, `${name} has no Retry`).toBeGreaterThan(0);
      for (const retry of task.Retry ?? []) {
        // Looking again for a VM an eventually consistent list may hide must wait a known time in all: no jitter.
        const jitter = retry.ErrorEquals?.includes('ListingLagError') ? 'NONE' : 'FULL';
        expect(retry, name).toMatchObject({ BackoffRate: expect.any(Number), JitterStrategy: jitter });
      }
      // Launch and Terminate invoke the pool's provider function, named in the slot at run time.
      const dynamic = task.Parameters?.['FunctionName.$'];
      const targets = dynamic ? providerIds : [functionLogicalId(String(task.Parameters?.FunctionName ?? task.Resource))];
      if (dynamic) expect(dynamic, name).toBe('$.slot.providerFunction');
      for (const fn of targets) {
        expect(fn, `${name} invokes no function of this stack`).toBeDefined();
        invoked.add(fn!);
        // A Lambda cut off by the task timeout would run on (and might launch a VM) after the workflow moved on.
        expect(functions[fn!].Properties.Timeout, name).toBeLessThan(task.TimeoutSeconds!);
      }
    }
    // Every function but claim-cleanup's own, which only ClaimCleanup invokes, the cluster watcher, which its schedule
    // runs, the heal triggers, which their rules run, and dns-failover, which only DnsFailover and its schedule run.
    const notTasks = [
      stack.functions.cleanup,
      stack.functions.heal,
      stack.watcher.function,
      stack.healTriggers.intake,
      stack.healTriggers.orphans,
      stack.dnsFailover!.function,
    ].map((f) => logicalId(stack, f.fn));
    expect([...invoked].sort()).toEqual(
      Object.keys(functions)
        .filter((id) => !notTasks.includes(id))
        .sort(),
    );
  });

  it('runs RemoveNode as a Standard state machine named for people, logging under /aws/vendedlogs/states/, that may invoke only its own functions', () => {
    const machineId = logicalId(stack, stack.removeNode.stateMachine);
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[machineId];
    expect(machine.Properties).toMatchObject({
      StateMachineName: 'shepherd-kosmos-demo-remove-node',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
    const logGroup = logicalId(stack, stack.removeNode.logGroup);
    expect(template.findResources('AWS::Logs::LogGroup')[logGroup].Properties.LogGroupName).toBe('/aws/vendedlogs/states/shepherd-kosmos-demo-remove-node');
    const asl = stateMachineAsl(template.toJSON(), machineId);
    expect(asl.TimeoutSeconds).toBe(7200);
    const functions = template.findResources('AWS::Lambda::Function');
    for (const [name, task] of allStates(asl).filter(([, s]) => s.Type === 'Task')) {
      expect(task.Retry?.length, `${name} has no Retry`).toBeGreaterThan(0);
      const dynamic = task.Parameters?.['FunctionName.$'];
      const fn = dynamic ? undefined : functionLogicalId(String(task.Parameters?.FunctionName ?? task.Resource));
      if (fn) expect(functions[fn!].Properties.Timeout, name).toBeLessThan(task.TimeoutSeconds!);
      else expect(dynamic, name).toBe('$.slot.providerFunction');
    }
    // Its role invokes validate-input, claims, cluster-nodes and the provider functions: not claim-cleanup's.
    const role = logicalId(stack, stack.removeNode.stateMachine.role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      list(p.Properties.Roles).some((r: { Ref?: string }) => r.Ref === role),
    );
    const invoked = new Set(
      policies
        .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((st) => list(st.Action).includes('lambda:InvokeFunction'))
        .flatMap((st) => list(st.Resource).map((r) => text(r).replace(/^<(\w+)\.Arn>(:\*)?$/, '$1'))),
    );
    const expected = [stack.functions.validate, stack.functions.claims, stack.functions.cluster, ...Object.values(stack.functions.providers)].map((f) =>
      logicalId(stack, f.fn),
    );
    expect([...invoked].sort()).toEqual(expected.sort());
  });

  it('starts ClaimCleanup on the ProvisionNode executions that timed out, were stopped or failed, and every hour for expired claims', () => {
    const cleanup = { Arn: { Ref: logicalId(stack, stack.claimCleanup.stateMachine) } };
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    const targeting = rules.filter((r) => r.Targets?.some((t: { Arn: unknown }) => JSON.stringify(t.Arn) === JSON.stringify(cleanup.Arn)));
    expect(targeting.map((r) => r.ScheduleExpression ?? r.EventPattern).sort()).toEqual(
      [
        {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: logicalId(stack, stack.provisionNode.stateMachine) }] },
        },
        'rate(1 hour)',
      ].sort(),
    );
    // On the default bus (Step Functions sends its events nowhere else).
    for (const r of targeting) expect(r.EventBusName).toBeUndefined();
  });

  it('gives claim-cleanup item access to its table, the table name and the provider functions, nothing else', () => {
    const fn = stack.functions.cleanup;
    const table = logicalId(stack, stack.table.table);
    expect(statementsOf(template, stack, fn).sort(bySid)).toEqual(
      [
        ...baseStatements(stack, fn),
        {
          Sid: 'ClaimsTable',
          Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: [`<${table}.Arn>`],
        },
      ].sort(bySid),
    );
    const arn = (name: string) => ({ 'Fn::GetAtt': [logicalId(stack, stack.functions.providers[name].fn), 'Arn'] });
    expect(template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.fn)].Properties.Environment).toEqual({
      Variables: {
        TABLE_NAME: { Ref: table },
        SHEPHERD_PROVIDER_FUNCTION_AWS: arn('aws'),
        SHEPHERD_PROVIDER_FUNCTION_GCP: arn('gcp'),
        SHEPHERD_PROVIDER_FUNCTION_SCALEWAY: arn('scaleway'),
      },
    });
  });

  it('retries every ClaimCleanup step, and keeps a claim whose cleanup failed', () => {
    const asl = stateMachineAsl(template.toJSON(), logicalId(stack, stack.claimCleanup.stateMachine));
    const tasks = allStates(asl).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(
      ['Find claims left behind', 'Record cleanup failure', 'Release claim left behind', 'Remove node of claim', 'Terminate VMs of claim'].sort(),
    );
    const catchAll = expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 10 });
    for (const [name, task] of tasks) {
      // EC2's lists lag its launches: a claim with no VM found is looked at again for about 8 min (backing off to
      // 2 min, as AWS advises for its eventual consistency), then released.
      const lag =
        name === 'Terminate VMs of claim' ? [expect.objectContaining({ ErrorEquals: ['ListingLagError'], MaxAttempts: 8, MaxDelaySeconds: 120 })] : [];
      expect(task.Retry, name).toEqual([...lag, catchAll]);
    }
    const states = Object.fromEntries(allStates(asl));
    const catches = (name: string) => (states[name].Catch ?? []) as Array<{ ErrorEquals: string[]; Next: string }>;
    for (const name of ['Remove node of claim', 'Terminate VMs of claim', 'Release claim left behind']) {
      expect(catches(name).at(-1), name).toEqual(expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Record cleanup failure' }));
    }
    expect(catches('Terminate VMs of claim')[0]).toEqual(expect.objectContaining({ ErrorEquals: ['ListingLagError'], Next: 'No VM of claim found' }));
    expect(states['No VM of claim found'].Next).toBe('Release claim left behind');
  });

  it('alarms on failed and timed-out executions and on errors of every function that events, schedules or queues invoke', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const machine = logicalId(stack, stack.provisionNode.stateMachine);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      expect(alarms, metric).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/States',
          MetricName: metric,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
          Threshold: 1,
        }),
      );
    }
    // A function only workflow tasks and other functions call has no alarm of its own: its callers report its errors.
    const alarmedByCallers = allFunctions(stack)
      .filter((f) => f.errorsAlarm === undefined)
      .map((f) => f.node.id);
    expect(alarmedByCallers.sort()).toEqual(
      [
        'Claims',
        'Cleanup',
        'ClusterNodes',
        'HealNodeFunction',
        ...Object.keys(stack.functions.providers).map((p) => `Provider${p[0].toUpperCase()}${p.slice(1)}`),
        'ValidateInput',
      ].sort(),
    );
    for (const fn of allFunctions(stack).filter((f) => f.errorsAlarm !== undefined)) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, fn.fn) } }],
          Threshold: 5,
          EvaluationPeriods: 3,
        }),
      );
    }
  });

  it('outputs the state machine ARN, the bus name and ARN, and the table name', () => {
    const bus = logicalId(stack, stack.bus);
    template.hasOutput('ProvisionNodeStateMachineArn', { Value: { Ref: logicalId(stack, stack.provisionNode.stateMachine) } });
    template.hasOutput('EventBusName', { Value: { Ref: bus } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [bus, 'Arn'] } });
    template.hasOutput('TableName', { Value: { Ref: logicalId(stack, stack.table.table) } });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'shepherd-kosmos-demo' });
  });
});

describe('IAM follows the handlers', () => {
  const source = (path: string) => readFileSync(root(path), 'utf8');

  it('grants claims every DynamoDB operation its store sends', () => {
    const commandAction: Record<string, string> = {
      GetCommand: 'GetItem',
      PutCommand: 'PutItem',
      UpdateCommand: 'UpdateItem',
      DeleteCommand: 'DeleteItem',
      QueryCommand: 'Query',
      ScanCommand: 'Scan',
      BatchGetCommand: 'BatchGetItem',
      BatchWriteCommand: 'BatchWriteItem',
    };
    const stores = ['functions/adapters/store/claims.ts', 'functions/adapters/store/audit-log.ts', 'functions/adapters/store/node-lease.ts'];
    const used = stores.flatMap((store) => [...source(store).matchAll(/new (\w+Command)\(/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(0);
    for (const command of new Set(used)) {
      expect(commandAction[command], `${command} has no known IAM action: extend this map and CLAIMS_TABLE_ACTIONS`).toBeDefined();
      expect(CLAIMS_TABLE_ACTIONS).toContain(`dynamodb:${commandAction[command]}`);
    }
  });

  it('grants provider-aws every EC2 operation its client sends', () => {
    const { stack, template } = synth(example());
    const granted = statementsOf(template, stack, stack.functions.providers.aws).flatMap((s) => s.Action);
    const used = [...source('functions/providers/aws/client.ts').matchAll(/new (\w+)Command\(/g)].map((m) => `ec2:${m[1]}`);
    expect(used.length).toBeGreaterThan(0);
    for (const action of used) expect(granted).toContain(action);
  });
});

describe('ShepherdStack with other configs', () => {
  it('creates no EC2 function and grants no EC2 access when the config has no AWS pool', () => {
    const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
    delete raw.providers.aws;
    raw.pools = raw.pools.filter((p: { provider: string }) => p.provider !== 'aws');
    raw.dns.entrypoints[0].eligiblePools = ['home'];
    const { stack, template } = synth(parseConfig(raw));
    expect(Object.keys(stack.functions.providers).sort()).toEqual(['gcp', 'scaleway']);
    const actions = allFunctions(stack).flatMap((fn) => statementsOf(template, stack, fn).flatMap((s) => s.Action));
    expect(actions.filter((a) => a.startsWith('ec2:') || a.startsWith('iam:'))).toEqual([]);
    expect(actions).toContain('ssm:GetParameter');
  });

  it('asks for no spot service-linked role when no AWS pool is spot, and only on-demand launches', () => {
    const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
    for (const p of raw.pools) if (p.provider === 'aws') p.spot = false;
    const { stack, template } = synth(parseConfig(raw));
    const statements = statementsOf(template, stack, stack.functions.providers.aws);
    expect(statements.map((s) => s.Sid)).not.toContain('CreateSpotServiceLinkedRole');
    const launches = statements.filter((s) => s.Sid?.includes('InstancesOfConfiguredTypes'));
    expect(launches.map((s) => (s.Condition as { StringEquals: Record<string, unknown> }).StringEquals['ec2:InstanceMarketType'])).toEqual(['on-demand']);
  });

  it('passes only TABLE_NAME and the provider functions through Lambda environments (the config travels in the bundle)', () => {
    const config = loadConfigFile(root('config/examples/minimal.json'));
    const { template } = synth(config);
    const envs = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => Object.keys(f.Properties.Environment?.Variables ?? {}));
    const providers = [...new Set(config.pools.map((p) => p.provider))].filter((p) => providerNamed(p).launchable);
    const providerEnv = providers.map((p) => `SHEPHERD_PROVIDER_FUNCTION_${p.toUpperCase()}`);
    // validate-input, claims, claim-cleanup, the cluster watcher, the heal intake and the orphan collector read the
    // table; validate-input, claim-cleanup, the watcher and the orphan collector name the provider functions, the heal
    // intake the aws one (EC2 events) and HealNode; the watcher and the orphan collector name their bus.
    expect(envs.flat().sort()).toEqual(
      [
        'TABLE_NAME',
        'TABLE_NAME',
        'TABLE_NAME',
        'TABLE_NAME',
        'TABLE_NAME',
        'TABLE_NAME',
        'TABLE_NAME',
        'EVENT_BUS_NAME',
        'EVENT_BUS_NAME',
        'EVENT_BUS_NAME',
        'SHEPHERD_EXECUTION_BUDGET',
        'SHEPHERD_HEAL_NODE_STATE_MACHINE_ARN',
        ...providerEnv,
        ...providerEnv,
        ...providerEnv,
        ...providerEnv,
        ...providerEnv,
        ...providerEnv.filter((e) => e === 'SHEPHERD_PROVIDER_FUNCTION_AWS'),
      ].sort(),
    );
  });
});

describe('ShepherdFunction', () => {
  it('refuses a wildcard permission that comes without a reason', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'wildcard');
    const permissions = [
      { statement: new iam.PolicyStatement({ actions: ['ec2:StartInstances'], resources: ['arn:aws:ec2:eu-west-3:123456789012:instance/*'] }) },
    ];
    const create = () =>
      new ShepherdFunction(stack, 'Fn', {
        name: 'test',
        entry: root('functions/handlers/validate-input.ts'),
        projectRoot: root(''),
        description: 'test',
        config: example(),
        permissions,
        timeout: Duration.seconds(5),
      });
    expect(create).toThrow(expect.objectContaining({ name: 'UnexplainedWildcardError', message: expect.stringContaining('instance/*') }));
  });
});

describe('createShepherdApp', () => {
  it('places the stack in the config region, account-agnostic unless the context names an account', () => {
    const config = example();
    const plain = createShepherdApp(config, { context: { 'aws:cdk:bundling-stacks': [] } }).stack;
    expect(plain.region).toBe('eu-west-3');
    expect(Stack.of(plain).resolve(plain.account)).toEqual({ Ref: 'AWS::AccountId' });

    const placed = createShepherdApp(config, {
      context: { 'aws:cdk:bundling-stacks': [], [ACCOUNT_CONTEXT]: '210987654321', [REGION_CONTEXT]: 'eu-central-1' },
    }).stack;
    expect([placed.account, placed.region]).toEqual(['210987654321', 'eu-central-1']);
    expect(placed.stackName).toBe('shepherd-kosmos-demo');
  });
});
