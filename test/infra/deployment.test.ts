import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { planProvision } from '../../functions/decisions/provision.js';
import { NAME_LIMITS, physicalName } from '../../infra/physical-names.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { type AslState, allStates, stateMachineAsl } from '../helpers/asl.js';

/** What a real deployment needs of the stack beyond IAM: retries that see lost Lambdas, names, logs, alarm delivery. */

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;
const rawExample = () => JSON.parse(readFileSync(root('shepherd.config.json'), 'utf8'));

function synth(config: ShepherdConfig): { stack: ShepherdStack; template: Template } {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ShepherdStack(app, 'test', { config, env: { region: 'eu-west-3' } });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;

const example = synth(loadConfigFile(root('shepherd.config.json')));
const asl = stateMachineAsl(example.template.toJSON(), logicalId(example.stack, example.stack.provisionNode.stateMachine));
const tasks = allStates(asl).filter(([, s]) => s.Type === 'Task');

/** Every `<key>.$: <value>` of a state, nested Parameters / ItemSelector included. */
function dynamicFields(value: unknown, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) for (const v of value) dynamicFields(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('.$') && typeof v === 'string') out.push([k, v]);
      else if (k !== 'States' && k !== 'ItemProcessor' && k !== 'Iterator' && k !== 'Branches') dynamicFields(v, out);
    }
  }
  return out;
}

describe('ProvisionNode retries', () => {
  const LOST = ['Sandbox.Timedout', 'Lambda.Unknown', 'Runtime.OutOfMemory', 'Runtime.ExitError'];

  it('retries a Lambda lost to its timeout or to out-of-memory on every task, cleanup included', () => {
    expect(tasks.map(([name]) => name)).toEqual(expect.arrayContaining(['Launch VM', 'Terminate VM', 'Release claim', 'Remove half-registered node']));
    for (const [name, task] of tasks) {
      const retrier = task.Retry?.find((r) => r.ErrorEquals.includes('Sandbox.Timedout'));
      expect(retrier?.ErrorEquals, name).toEqual(expect.arrayContaining(LOST));
      // One timeout and one out-of-memory in a row still leave an attempt.
      expect(retrier?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
      // States.ALL before it would shadow it; none is allowed in these Retry lists at all.
      expect(
        task.Retry?.flatMap((r) => r.ErrorEquals),
        name,
      ).not.toContain('States.ALL');
    }
  });
});

describe('ProvisionNode intrinsic functions', () => {
  const fields = allStates(asl).flatMap(([name, state]: [string, AslState]) => dynamicFields(state).map(([k, v]) => [name, k, v] as const));

  it('passes intrinsics only reference paths and string/number literals (no [*], filters or recursive descent)', () => {
    const intrinsics = fields.filter(([, , v]) => v.startsWith('States.'));
    expect(intrinsics.length).toBeGreaterThan(3);
    for (const [name, key, value] of intrinsics) {
      expect(value, `${name} ${key}`).not.toMatch(/\[\*\]|\[\?|\.\./);
      // A JSON literal smuggled in as a string ('null', '{}') is not a documented form.
      expect(value, `${name} ${key}`).not.toMatch(/StringToJson\('/);
    }
  });

  it('starts each slot with vm = null from the plan, and collects result statuses with a plain path before ArrayContains', () => {
    const map = allStates(asl).find(([, s]) => s.Type === 'Map')![1];
    expect((map.ItemSelector as Record<string, string>)['vm.$']).toBe('$.plan.noVm');
    const plan = planProvision(
      { pool: 'aws-amd64' },
      loadConfigFile(root('shepherd.config.json')),
      { name: 'exec-1', id: 'arn:aws:states:eu-west-3:123456789012:execution:pn:exec-1' },
      {
        aws: 'provider-aws',
      },
    );
    expect(plan).toHaveProperty('noVm', null);
    expect(asl.States.Summarize.Parameters).toMatchObject({ 'statuses.$': '$.results[*].status' });
    expect(asl.States.Summarize.Next).toBe('Check results');
    expect(asl.States['Check results'].Parameters).toMatchObject({ 'anyFailed.$': "States.ArrayContains($.statuses, 'failed')" });
  });
});

describe('Physical names', () => {
  it('names the state machine and every function shepherd-<cluster>-<purpose>', () => {
    example.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'shepherd-kosmos-demo-provision-node' });
    const names = Object.values(example.template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.FunctionName);
    expect(names.sort()).toEqual(
      [
        'shepherd-kosmos-demo-claim-cleanup',
        'shepherd-kosmos-demo-claims',
        'shepherd-kosmos-demo-cluster-nodes',
        'shepherd-kosmos-demo-cluster-watcher',
        'shepherd-kosmos-demo-dns-failover',
        'shepherd-kosmos-demo-heal-intake',
        'shepherd-kosmos-demo-heal-node',
        'shepherd-kosmos-demo-orphan-collector',
        'shepherd-kosmos-demo-provider-aws',
        'shepherd-kosmos-demo-provider-gcp',
        'shepherd-kosmos-demo-provider-scaleway',
        'shepherd-kosmos-demo-validate-input',
      ].sort(),
    );
  });

  it('stays within each limit for the longest cluster name, and two long names that share a prefix stay apart', () => {
    const a = 'a'.repeat(40);
    const b = `${'a'.repeat(39)}b`;
    for (const kind of Object.keys(NAME_LIMITS) as (keyof typeof NAME_LIMITS)[]) {
      const name = physicalName(a, 'launch-scaleway-vm', kind);
      expect(name.length, kind).toBeLessThanOrEqual(NAME_LIMITS[kind]);
      expect(name).toMatch(/^shepherd-a+(-[0-9a-f]{6})?-launch-scaleway-vm$/);
      expect(physicalName(b, 'launch-scaleway-vm', kind)).not.toBe(name);
    }
    expect(physicalName(a, 'launch-scaleway-vm', 'function')).toMatch(/^shepherd-a+-[0-9a-f]{6}-launch-scaleway-vm$/);
    expect(physicalName(a, 'launch-scaleway-vm', 'function')).toHaveLength(64);
    expect(physicalName('prod', 'claims', 'function')).toBe('shepherd-prod-claims');
  });
});

describe('State machine logs', () => {
  it('logs ProvisionNode to /aws/vendedlogs/states/<state machine name>', () => {
    const group = logicalId(example.stack, example.stack.provisionNode.logGroup);
    expect(example.template.findResources('AWS::Logs::LogGroup')[group].Properties.LogGroupName).toBe(
      '/aws/vendedlogs/states/shepherd-kosmos-demo-provision-node',
    );
  });
});

describe('Alarm delivery', () => {
  it('sends every alarm, into ALARM and back to OK, to one SNS topic that requires TLS', () => {
    const topic = logicalId(example.stack, example.stack.alarms.topic);
    example.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'shepherd-kosmos-demo-alarms' });
    const alarms = Object.values(example.template.findResources('AWS::CloudWatch::Alarm'));
    // One per function that events or schedules invoke (the cluster watcher, the heal intake, the orphan collector,
    // DnsFailover's, which the reconcile schedule calls); none for those only workflows and functions call (their
    // callers alarm); two for ProvisionNode, one each for ClaimCleanup, RemoveNode, HealNode and DnsFailover.
    expect(alarms.length).toBe(4 + 2 + 4);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmDescription).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions, alarm.Properties.AlarmDescription).toEqual([{ Ref: topic }]);
    }
    example.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
    example.template.hasOutput('AlarmTopicArn', { Value: { Ref: topic } });
  });

  it('subscribes the configured e-mail address, and nobody without one', () => {
    example.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const raw = rawExample();
    raw.alarms = { email: 'ops@example.com' };
    const { stack, template } = synth(parseConfig(raw));
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(stack, stack.alarms.topic) },
    });
  });

  it('refuses an alarms.email that is not an address, naming the field', () => {
    const raw = rawExample();
    raw.alarms = { email: 'ops at example.com' };
    expect(() => parseConfig(raw, 'test.json')).toThrow(ConfigError);
    expect(() => parseConfig(raw, 'test.json')).toThrow('test.json: alarms.email: got "ops at example.com"; allowed: an e-mail address like ops@example.com');
    raw.alarms = { email: 'ops@example.com', sms: '+33600000000' };
    expect(() => parseConfig(raw, 'test.json')).toThrow(/alarms/);
  });
});
