import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { idleCost, total } from '../../cli/cost/idle-cost.js';
import {
  CLOUDWATCH_ALARM_MONTH,
  DYNAMODB_PER_WRITE_UNIT,
  DYNAMODB_PITR_PER_GB_MONTH,
  DYNAMODB_STORAGE_PER_GB_MONTH,
  GB,
  LAMBDA_PER_GB_SECOND,
  LAMBDA_PER_REQUEST,
  SECRETS_MANAGER_PER_SECRET_MONTH,
  SFN_STANDARD_PER_TRANSITION,
} from '../../cli/cost/prices.js';
import { provisionCost } from '../../cli/cost/provision-cost.js';
import { provisionUsage } from '../../cli/cost/provision-usage.js';
import { secretReferences } from '../../cli/cost/secret-references.js';
import { runsPerMonth, type StackInventory, stackInventory } from '../../cli/cost/template-inventory.js';
import type { CfnTemplate } from '../../cli/cost/types.js';
import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const SM = (name: string) => `arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/${name}`;
const SSM = (name: string) => `arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/${name}`;

let shepherd: { template: Template; json: CfnTemplate; inventory: StackInventory; config: ShepherdConfig };

beforeAll(() => {
  const config = loadConfigFile(root('shepherd.config.json'));
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ShepherdStack(app, 'cost', { config, env: { region: 'eu-west-3' } });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as CfnTemplate;
  shepherd = { template, json, inventory: stackInventory(json), config };
});

/** A stack with what shepherd's does not have yet: a schedule running a function every 5 minutes. */
function scheduledStack(): StackInventory {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'scheduled', { env: { region: 'us-east-1' } });
  const fn = new lambda.Function(stack, 'Watcher', {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  new events.Rule(stack, 'Every5', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(fn)] });
  return stackInventory(Template.fromStack(stack).toJSON() as CfnTemplate);
}

describe('Function: stackInventory', () => {
  it('counts the alarms, functions, tables and state machines of the synthesized stack', () => {
    const { template, inventory } = shepherd;
    expect(inventory.alarms).toBe(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
    expect(inventory.alarms).toBeGreaterThan(0);
    const fns = template.findResources('AWS::Lambda::Function');
    expect(inventory.functions.map((f) => f.logicalId).sort()).toEqual(Object.keys(fns).sort());
    for (const f of inventory.functions) {
      expect(f.memoryMb).toBe(fns[f.logicalId].Properties.MemorySize);
      expect(f.architecture).toBe(fns[f.logicalId].Properties.Architectures[0]);
      expect(f.logRetentionDays).toBeGreaterThan(0);
    }
    expect(inventory.tables).toEqual([expect.objectContaining({ onDemand: true, pitr: true })]);
    expect(inventory.stateMachines).toHaveLength(Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).length);
    expect(inventory.stateMachines[0]).toMatchObject({ type: 'STANDARD', tracing: true });
    expect(inventory.stateMachines[0].states).toBeGreaterThan(5);
    // The hourly ClaimCleanup sweep, DnsFailover's reconcile every 5 minutes and the cluster watcher's pass every minute.
    expect(inventory.schedules.map((s) => s.runsPerMonth ?? 0).sort((a, b) => a - b)).toEqual([730, 8_760, 43_800]);
  });

  it('finds a schedule, its runs a month and its target', () => {
    const inventory = scheduledStack();
    expect(inventory.schedules).toHaveLength(1);
    expect(inventory.schedules[0].runsPerMonth).toBe((730 * 60) / 5);
    expect(inventory.schedules[0].targets).toEqual([inventory.functions[0].logicalId]);
  });
});

describe('Function: runsPerMonth', () => {
  it('reads rate() expressions and leaves cron() unpriced', () => {
    expect(runsPerMonth('rate(1 minute)')).toBe(730 * 60);
    expect(runsPerMonth('rate(2 hours)')).toBe(365);
    expect(runsPerMonth('rate(1 day)')).toBeCloseTo(730 / 24);
    expect(runsPerMonth('cron(0 12 * * ? *)')).toBeUndefined();
  });
});

describe('Function: secretReferences', () => {
  it('finds every distinct secret ARN in the config, by kind', () => {
    const config = { a: SM('a'), nested: [{ b: SSM('b') }, { again: SM('a') }], other: 'arn:aws:iam::123456789012:role/x', c: SSM('c') };
    expect(secretReferences(config)).toEqual([
      { arn: SM('a'), kind: 'secrets-manager' },
      { arn: SSM('b'), kind: 'ssm-parameter' },
      { arn: SSM('c'), kind: 'ssm-parameter' },
    ]);
  });

  it('finds the secrets of the shipped config', () => {
    const text = JSON.stringify(shepherd.config);
    const arns = new Set(text.match(/arn:aws:(secretsmanager|ssm):[^"]+/g));
    expect(
      secretReferences(shepherd.config)
        .map((s) => s.arn)
        .sort(),
    ).toEqual([...arns].sort());
  });
});

describe('Function: idleCost', () => {
  const bytes = { bytes: 4000, source: 'test' };

  it('prices alarms and Secrets Manager secrets per month, SSM parameters at nothing', () => {
    const secrets = [...secretReferences({ a: SM('a'), b: SM('b') }), ...secretReferences({ c: SSM('c') })];
    const lines = idleCost({ inventory: shepherd.inventory, secrets, nodes: 100, tableBytesPerNode: bytes });
    const cost = (item: RegExp) => lines.filter((l) => item.test(l.item)).reduce((n, l) => n + l.cost, 0);
    expect(cost(/^CloudWatch alarms$/)).toBeCloseTo(shepherd.inventory.alarms * CLOUDWATCH_ALARM_MONTH, 10);
    expect(cost(/^Secrets Manager secrets named/)).toBeCloseTo(2 * SECRETS_MANAGER_PER_SECRET_MONTH, 10);
    expect(cost(/^SSM/)).toBe(0);
    expect(lines.find((l) => l.item.startsWith('SSM'))?.quantity).toBe(1);
  });

  it('grows table storage and its point-in-time recovery with the node count', () => {
    const at = (nodes: number) => idleCost({ inventory: shepherd.inventory, secrets: [], nodes, tableBytesPerNode: bytes });
    const storage = (nodes: number) => at(nodes).find((l) => l.item.startsWith('DynamoDB storage'))!;
    expect(storage(100).quantity).toBeCloseTo((100 * 4000) / GB, 12);
    expect(storage(100).cost).toBeCloseTo(((100 * 4000) / GB) * DYNAMODB_STORAGE_PER_GB_MONTH, 12);
    expect(at(100).find((l) => l.item.startsWith('DynamoDB point-in-time'))!.cost).toBeCloseTo(((100 * 4000) / GB) * DYNAMODB_PITR_PER_GB_MONTH, 12);
    expect(total(at(1000)) - total(at(100))).toBeCloseTo(((900 * 4000) / GB) * (DYNAMODB_STORAGE_PER_GB_MONTH + DYNAMODB_PITR_PER_GB_MONTH), 12);
  });

  it('prices a scheduled function by its runs a month', () => {
    const inventory = scheduledStack();
    const lines = idleCost({ inventory, secrets: [], nodes: 1, tableBytesPerNode: bytes });
    const requests = lines.find((l) => l.item.includes('requests'))!;
    expect(requests.quantity).toBe((730 * 60) / 5);
    expect(requests.cost).toBeCloseTo(requests.quantity * LAMBDA_PER_REQUEST, 12);
    const duration = lines.find((l) => l.item.includes('duration'))!;
    expect(duration.unitPrice).toBe(LAMBDA_PER_GB_SECOND.arm64);
    expect(duration.quantity).toBeCloseTo(requests.quantity * 0.5, 6);
  });
});

describe('Function: provisionUsage', () => {
  const execution = {
    pool: 'p',
    status: 'SUCCEEDED',
    history: [
      { type: 'ExecutionStarted' },
      { type: 'PassStateEntered' },
      { type: 'TaskStateEntered' },
      { type: 'TaskScheduled' },
      { type: 'TaskFailed' },
      { type: 'TaskScheduled' },
      { type: 'TaskSucceeded' },
      { type: 'TaskStateEntered' },
      { type: 'TaskScheduled' },
      { type: 'ExecutionSucceeded' },
    ],
    invocations: [
      { logicalId: 'Fn', wallMs: 10.2 },
      { logicalId: 'Fn', wallMs: 0.3 },
      { logicalId: 'Other', wallMs: 100 },
    ],
    awsCalls: {
      'DynamoDB_20120810.PutItem': { requests: 2, items: 2 },
      'DynamoDB_20120810.TransactWriteItems': { requests: 1, items: 3 },
      'DynamoDB_20120810.GetItem': { requests: 4, items: 4 },
      'secretsmanager.GetSecretValue': { requests: 2, items: 2 },
      'AWSEvents.PutEvents': { requests: 1, items: 5 },
    },
    functionLogBytes: 1000,
  };

  it('counts states entered plus retries as transitions', () => {
    const usage = provisionUsage(execution);
    expect(usage.retries).toBe(1);
    expect(usage.transitions).toBe(3 + 1);
  });

  it('rounds each invocation up to a whole millisecond, per function', () => {
    expect(provisionUsage(execution).lambda).toEqual([
      { logicalId: 'Fn', invocations: 2, billedMs: 11 + 1 },
      { logicalId: 'Other', invocations: 1, billedMs: 100 },
    ]);
  });

  it('bills DynamoDB per item (transactions twice), Secrets Manager per call, events per entry', () => {
    const usage = provisionUsage(execution);
    expect(usage.dynamodb).toEqual({ writeUnits: 2 + 2 * 3, readUnits: 4 });
    expect(usage.secretsManagerCalls).toBe(2);
    expect(usage.customEvents).toBe(5);
    expect(usage.logBytes).toBeGreaterThan(1000);
  });
});

describe('Function: provisionCost', () => {
  it('prices transitions, requests, GB-seconds at the function memory and architecture, and writes', () => {
    const inventory = shepherd.inventory;
    const fn = inventory.functions[0];
    const usage = {
      pool: 'p',
      status: 'SUCCEEDED',
      transitions: 40,
      retries: 0,
      lambda: [{ logicalId: fn.logicalId, invocations: 3, billedMs: 1500 }],
      dynamodb: { writeUnits: 10, readUnits: 0 },
      secretsManagerCalls: 0,
      customEvents: 0,
      logBytes: 0,
    };
    const lines = provisionCost(usage, inventory);
    const cost = (prefix: string) => lines.find((l) => l.item.startsWith(prefix))!.cost;
    expect(cost('Step Functions state transitions')).toBeCloseTo(40 * SFN_STANDARD_PER_TRANSITION, 12);
    expect(cost('Lambda requests')).toBeCloseTo(3 * LAMBDA_PER_REQUEST, 12);
    expect(cost(`Lambda ${fn.logicalId} duration`)).toBeCloseTo((fn.memoryMb / 1024) * 1.5 * LAMBDA_PER_GB_SECOND[fn.architecture], 12);
    expect(cost('DynamoDB write')).toBeCloseTo(10 * DYNAMODB_PER_WRITE_UNIT, 12);
  });
});
