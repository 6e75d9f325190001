import { readFileSync } from 'node:fs';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { EC2_HEALING_RULES } from '../../functions/decisions/healing/ec2-events/patterns.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import type { ShepherdFunction } from '../../infra/constructs/shepherd-function.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;
const example = (): ShepherdConfig => loadConfigFile(root('shepherd.config.json'));

function synth(config: ShepherdConfig, region = config.providers.aws?.region ?? 'eu-west-1'): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config, env: { region, account: '123456789012' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;

const list = (x: unknown) => (Array.isArray(x) ? x : [x]);

/** The role's statements, resources resolved to text (`<LogicalId.Attr>` for references). */
function statements(template: Template, stack: Stack, fn: ShepherdFunction): Record<string, { Action: string[]; Resource: string[]; Condition?: unknown }> {
  const role = logicalId(stack, fn.role);
  const out: Record<string, { Action: string[]; Resource: string[]; Condition?: unknown }> = {};
  for (const p of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!list(p.Properties.Roles).some((r: { Ref?: string }) => r.Ref === role)) continue;
    for (const s of p.Properties.PolicyDocument.Statement) {
      if (!s.Sid) continue;
      out[s.Sid] = { Action: list(s.Action).sort(), Resource: list(s.Resource).map(text).sort(), ...(s.Condition ? { Condition: s.Condition } : {}) };
    }
  }
  return out;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::Join']) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(delimiter);
  }
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

describe('Class: HealTriggers (in ShepherdStack)', () => {
  let stack: ShepherdStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth(example()));
  });

  it('routes the four EC2 healing patterns on the default bus to the heal intake, with a retry policy and a dead-letter queue', () => {
    const intake = logicalId(stack, stack.healTriggers.intake.fn);
    const dlq = logicalId(stack, stack.healTriggers.deadLetters);
    for (const rule of EC2_HEALING_RULES) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: rule.pattern,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [intake, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          }),
        ],
      });
    }
  });

  it("routes the watcher's NotReady and VM-gone events to the heal intake and its orphan events to the orphan collector, on the project bus", () => {
    const bus = { Ref: logicalId(stack, stack.bus) };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: bus,
      EventPattern: { source: [WATCHER_SOURCE], 'detail-type': [WATCHER_DETAIL_TYPES.nodeNotReady, WATCHER_DETAIL_TYPES.nodeVmGone] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.healTriggers.intake.fn), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: bus,
      EventPattern: { source: [WATCHER_SOURCE], 'detail-type': [WATCHER_DETAIL_TYPES.orphanVm] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.healTriggers.orphans.fn), 'Arn'] } })],
    });
  });

  it('sends what the functions keep failing on to the same dead-letter queue, after two asynchronous retries', () => {
    const dlq = logicalId(stack, stack.healTriggers.deadLetters);
    for (const fn of [stack.healTriggers.intake, stack.healTriggers.orphans]) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(stack, fn.fn) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
    }
  });

  it('lets the heal intake start executions of the heal-node state machine only, invoke the aws provider function only, read claims and write audit entries', () => {
    const got = statements(template, stack, stack.healTriggers.intake);
    const table = `<${logicalId(stack, stack.table.table)}.Arn>`;
    expect(got.StartHealNode).toEqual({
      Action: ['states:StartExecution'],
      Resource: [text(stack.resolve(stack.healNode.stateMachine.stateMachineArn))],
    });
    expect(got.DescribeInstances).toEqual({ Action: ['lambda:InvokeFunction'], Resource: [`<${logicalId(stack, stack.functions.providers.aws.fn)}.Arn>`] });
    expect(got.ReadClaims).toEqual({
      Action: ['dynamodb:GetItem'],
      Resource: [table],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#*'] } },
    });
    expect(got.WriteAudit).toEqual({
      Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      Resource: [table],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*', 'NODE#*'] } },
    });
    expect(Object.keys(got).sort()).toEqual(['DescribeInstances', 'ReadClaims', 'ReadKubeconfigFromParameterStore', 'StartHealNode', 'WriteAudit']);
  });

  it('lets the orphan collector invoke the provider functions, read the switch, counters and claims, record its terminations, audit, and publish on the project bus only', () => {
    const got = statements(template, stack, stack.healTriggers.orphans);
    const providers = Object.values(stack.functions.providers).map((f) => `<${logicalId(stack, f.fn)}.Arn>`);
    expect(got.ListAndTerminateVms).toEqual({ Action: ['lambda:InvokeFunction'], Resource: providers.sort() });
    expect(got.ReadClaimsAndSwitch.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POOL#*', 'CLAIM#*', 'SWITCH#*'] } });
    expect(got.PublishOrphanTerminated).toEqual({ Action: ['events:PutEvents'], Resource: [`<${logicalId(stack, stack.bus)}.Arn>`] });
    // Its record of each orphan it terminates, so that a redelivered event does nothing (ORPHAN# items only).
    expect(got.RecordOrphanTerminations).toEqual({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: [`<${logicalId(stack, stack.table.table)}.Arn>`],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORPHAN#*'] } },
    });
    expect(Object.keys(got).sort()).toEqual([
      'ListAndTerminateVms',
      'PublishOrphanTerminated',
      'ReadClaimsAndSwitch',
      'ReadKubeconfigFromParameterStore',
      'RecordOrphanTerminations',
      'WriteAudit',
    ]);
  });

  it('warns at synth when the stack is not in providers.aws.region, where EC2 sends its events', () => {
    const { stack: elsewhere } = synth(example(), 'us-east-1');
    const warnings = Annotations.fromStack(elsewhere).findWarning('*', Match.stringLikeRegexp('EC2 sends its events to the default bus of eu-west-3'));
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EC2 sends its events'))).toEqual([]);
  });

  it('makes no EC2 rule and grants no aws invoke when no pool is on AWS', () => {
    const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
    raw.pools = raw.pools.filter((p: { provider: string }) => p.provider !== 'aws');
    delete raw.dns;
    const { stack: noAws, template: t } = synth(parseConfig(raw, 'test'));
    expect(noAws.healTriggers.ec2Rules).toEqual([]);
    expect(Object.values(t.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.ec2'))).toEqual([]);
    expect(statements(t, noAws, noAws.healTriggers.intake).DescribeInstances).toBeUndefined();
  });
});
