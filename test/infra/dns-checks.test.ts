import { readFileSync } from 'node:fs';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { DNS_CHECKS_MEASURED_PEAK_MIB, DNS_CHECKS_MEMORY_MB, DNS_KEEP_ALIVE_MINUTES } from '../../infra/constructs/dns-checks-sizing.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;

/** The shipped config, with an active check on its entrypoint when `check` is set. */
function config(check: boolean): ShepherdConfig {
  const raw = JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));
  if (check) raw.dns.entrypoints[0].check = { protocol: 'tcp', port: 443 };
  return parseConfig(raw, 'test config');
}

function synth(cfg: ShepherdConfig): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config: cfg, env: { region: 'eu-west-3', account: '123456789012' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;

describe('Class: DnsChecks (in ShepherdStack)', () => {
  let stack: ShepherdStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth(config(true)));
  });

  it('is not created without an active check', () => {
    expect(synth(config(false)).stack.dnsChecks).toBeUndefined();
  });

  it('feeds the runner from its tick queue one message at a time, and runs it as a keep-alive every DNS_KEEP_ALIVE_MINUTES (2)', () => {
    const checks = stack.dnsChecks!;
    const queue = logicalId(stack, checks.queue);
    const fn = logicalId(stack, checks.function.fn);
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'shepherd-kosmos-demo-dns-check-ticks', SqsManagedSseEnabled: true, VisibilityTimeout: 60 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: fn },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${DNS_KEEP_ALIVE_MINUTES} minutes)`,
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } })]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shepherd-kosmos-demo-dns-checks',
      Environment: { Variables: Match.objectLike({ TICK_QUEUE_URL: { Ref: queue } }) },
    });
  });

  it('keeps the logical IDs its queue and keep-alive had before they became a TickChain (a changed ID replaces the queue on update)', () => {
    const checks = stack.dnsChecks!;
    expect(logicalId(stack, checks.queue)).toBe('DnsChecksTicks21007E24');
    expect(logicalId(stack, checks.keepAlive)).toBe('DnsChecksKeepAlive72D278EB');
    expect(logicalId(stack, checks.function.fn)).toBe('DnsChecksFunction4F58E15F');
  });

  it("acknowledges the tick queue's missing dead-letter queue (AwsSolutions-SQS3) with the keep-alive's own period", () => {
    const acknowledged = stack.dnsChecks!.queue.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    const reason = Object.entries(acknowledged?.data as Record<string, string>).find(([id]) => id.endsWith('AwsSolutions-SQS3'))?.[1];
    expect(reason).toContain(`the keep-alive (every ${DNS_KEEP_ALIVE_MINUTES} minutes) restarts a broken chain`);
  });

  it("runs the runner at 128 MB, Lambda's smallest, with room over the peak bench:functions measured on a real call", () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'shepherd-kosmos-demo-dns-checks', MemorySize: DNS_CHECKS_MEMORY_MB });
    expect(DNS_CHECKS_MEMORY_MB).toBe(128);
    expect(DNS_CHECKS_MEMORY_MB).toBeGreaterThanOrEqual(DNS_CHECKS_MEASURED_PEAK_MIB * 1.25);
  });

  it("grants the runner its own queue, its own items of the table and the project's bus, nothing wider", () => {
    const checks = stack.dnsChecks!;
    const role = logicalId(stack, checks.function.role);
    const queue = logicalId(stack, checks.queue);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === role),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }>,
    );
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    // sqs:SendMessage also authorizes SendMessageBatch (SQS has no separate permission for batch actions).
    expect(bySid.SendTicks).toMatchObject({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } });
    expect([bySid.ConsumeTicks.Action].flat().sort()).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    expect(bySid.ConsumeTicks.Resource).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
    expect(bySid.CheckStates.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['DNSCHECK#app', 'DNSTICKS'] } });
    const sqsActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sqs:'));
    expect(sqsActions.sort()).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
  });
});

describe('Function: dnsFailoverPermissions (in ShepherdStack)', () => {
  it('lets dns-failover open and close its alerts (DNSALERT#<entrypoint>) and write nothing else new', () => {
    const { stack, template } = synth(config(false));
    const role = logicalId(stack, stack.dnsFailover!.function.role);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Action: string | string[]; Condition?: unknown }>);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect([bySid.OpenAndCloseAlerts.Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(bySid.OpenAndCloseAlerts.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DNSALERT#*'] } });
    expect(bySid.ReadLeasesAndChecks.Condition).toMatchObject({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.arrayContaining(['DNSALERT#*']) },
    });
    const deletes = statements.filter((s) => [s.Action].flat().includes('dynamodb:DeleteItem'));
    expect(deletes.map((s) => s.Sid)).toEqual(['OpenAndCloseAlerts']);
  });
});
