import { readFileSync } from 'node:fs';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { CLUSTER_HINTS_MEMORY_MB } from '../../infra/constructs/cluster-hints-sizing.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { bufferConfig } from '../helpers/scale-buffer-local.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;

function synth(cfg: ShepherdConfig): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config: cfg, env: { region: 'eu-west-3', account: '123456789012' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('Class: ClusterHints (in ShepherdStack)', () => {
  let stack: ShepherdStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth(bufferConfig()));
  }, 120_000);

  it('is created only with buffer pools and the watcher on', () => {
    expect(stack.clusterHints).toBeDefined();
    expect(synth(loadConfigFile(root('shepherd.config.json'))).stack.clusterHints).toBeUndefined();
    const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
    raw.buffers = bufferConfig().buffers;
    raw.watcher = { enabled: false };
    expect(synth(parseConfig(raw, 'test')).stack.clusterHints).toBeUndefined();
  });

  it('adds one function (128 MB), one tick queue, one event source mapping, one keep-alive rule, one log group and one alarm', () => {
    const { template: plain } = synth(loadConfigFile(root('shepherd.config.json')));
    const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
    raw.buffers = bufferConfig().buffers;
    raw.watcher = { enabled: false };
    const { template: noHints } = synth(parseConfig(raw, 'test'));
    const count = (t: Template, type: string) => Object.keys(t.findResources(type)).length;
    for (const [type, n] of [
      ['AWS::Lambda::Function', 1],
      ['AWS::SQS::Queue', 1],
      ['AWS::Lambda::EventSourceMapping', 1],
      ['AWS::Events::Rule', 1],
      ['AWS::Logs::LogGroup', 1],
      ['AWS::CloudWatch::Alarm', 1],
    ] as const)
      expect(count(template, type) - count(noHints, type), type).toBe(n);
    expect(JSON.stringify(plain.toJSON())).not.toContain('cluster-hint');
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'shepherd-kosmos-demo-cluster-hints', MemorySize: CLUSTER_HINTS_MEMORY_MB });
    expect(CLUSTER_HINTS_MEMORY_MB).toBe(128);
  });

  it('feeds the function from its own tick queue one message at a time, and runs it as a keep-alive every minute', () => {
    const hints = stack.clusterHints!;
    const queue = logicalId(stack, hints.chain.queue);
    const fn = logicalId(stack, hints.function.fn);
    const watcher = logicalId(stack, stack.watcher.function.fn);
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'shepherd-kosmos-demo-cluster-hint-ticks', SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: fn },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } })]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shepherd-kosmos-demo-cluster-hints',
      Environment: { Variables: Match.objectLike({ TICK_QUEUE_URL: { Ref: queue }, SHEPHERD_WATCHER_FUNCTION: { Ref: watcher } }) },
    });
  });

  it("acknowledges the tick queue's missing dead-letter queue (AwsSolutions-SQS3) with its keep-alive's period, a minute", () => {
    const acknowledged = stack.clusterHints!.chain.queue.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    const reason = Object.entries(acknowledged?.data as Record<string, string>).find(([id]) => id.endsWith('AwsSolutions-SQS3'))?.[1];
    expect(reason).toContain('the keep-alive (every minute) restarts a broken chain');
  });

  it('grants its own queue, its own chain item, a read of the watcher snapshot and an invoke of the watcher only', () => {
    const hints = stack.clusterHints!;
    const role = logicalId(stack, hints.function.role);
    const queue = logicalId(stack, hints.chain.queue);
    const watcher = logicalId(stack, stack.watcher.function.fn);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.SendTicks).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } });
    expect(bySid.ConsumeTicks.Resource).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
    expect(bySid.HintChain.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WATCHERHINTS'] } });
    expect(bySid.ReadWatcherSnapshot).toMatchObject({
      Action: 'dynamodb:GetItem',
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WATCHER'] } },
    });
    expect(bySid.StartWatcherPass).toMatchObject({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [watcher, 'Arn'] } });
    const lambdaStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(lambdaStatements.map((s) => s.Sid)).toEqual(['StartWatcherPass']);
    const writes = statements.filter((s) => [s.Action].flat().some((a) => /dynamodb:(Put|Update|Delete)/.test(a)));
    expect(writes.map((s) => s.Sid)).toEqual(['HintChain']);
    expect(statements.some((s) => [s.Action].flat().some((a) => a.startsWith('events:')))).toBe(false);
  });
});
