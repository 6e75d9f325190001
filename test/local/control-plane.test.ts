import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeSecretCommand, GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalControlPlane, startLocalControlPlane } from '../../local/control-plane.js';
import { Clock } from '../../sim/clock.js';
import { synthTestApp, TOKEN_VALUE } from './fixtures/test-app.js';

const REGION = 'eu-west-3';
const ACCOUNT = '123456789012';
const KUBECONFIG_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shepherd/kubeconfig-AbC123`;
const WAIT_MS = 900_000;

let cdkOut: string;

beforeAll(() => {
  cdkOut = mkdtempSync(join(tmpdir(), 'local-cp-test-'));
  synthTestApp(cdkOut);
});

afterAll(() => {
  rmSync(cdkOut, { recursive: true, force: true });
});

function clients(cp: LocalControlPlane) {
  const config = {
    region: REGION,
    credentials: { accessKeyId: cp.env.AWS_ACCESS_KEY_ID, secretAccessKey: cp.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  };
  return {
    sfn: new SFNClient({ ...config, endpoint: cp.endpoints.stepfunctions }),
    events: new EventBridgeClient({ ...config, endpoint: cp.endpoints.eventbridge }),
    secrets: new SecretsManagerClient({ ...config, endpoint: cp.endpoints.secretsmanager }),
    dynamodb: new DynamoDBClient({ ...config, endpoint: cp.endpoints.dynamodb }),
  };
}

async function start(clock: Clock): Promise<LocalControlPlane> {
  return startLocalControlPlane({
    cdkOut,
    clock,
    region: REGION,
    accountId: ACCOUNT,
    secrets: { [KUBECONFIG_ARN]: 'apiVersion: v1\nkind: Config\n' },
    onLambdaLog: () => undefined,
    // These tests are about rules, schedules and targets, not about EventBridge's duplicates and delays (test/local/event-delivery.test.ts).
    eventDelivery: 'exactly-once',
  });
}

function events(history: HistoryEvent[], type: string): HistoryEvent[] {
  return history.filter((e) => e.type === type);
}

function ms(d: Date | undefined): number {
  return d?.getTime() ?? Number.NaN;
}

describe('local control plane on a virtual clock that moves by itself', () => {
  let clock: Clock;
  let cp: LocalControlPlane;
  let api: ReturnType<typeof clients>;

  beforeAll(async () => {
    clock = new Clock({ mode: 'virtual' });
    cp = await start(clock);
    api = clients(cp);
  });

  afterAll(async () => {
    await cp?.stop();
    clock?.stop();
  });

  async function run(input: object, name?: string) {
    const started = await api.sfn.send(new StartExecutionCommand({ stateMachineArn: cp.stateMachines.provision, input: JSON.stringify(input), name }));
    await cp.waitForExecution(started.executionArn!);
    const described = await api.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const { events: history } = await api.sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }));
    return { described, history: history ?? [] };
  }

  it('lists and describes the stack state machine with local ARNs', async () => {
    const { stateMachines } = await api.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((m) => m.name)).toEqual(['provision']);
    const described = await api.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: cp.stateMachines.provision }));
    expect(described.type).toBe('STANDARD');
    const definition = JSON.parse(described.definition ?? '{}');
    expect(definition.States.Write.Parameters.FunctionName).toMatch(/^arn:aws:lambda:eu-west-3:123456789012:function:Writer/);
    await expect(
      api.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('runs Task -> 15-minute Wait -> Task to SUCCEEDED in milliseconds of wall time, writing to dynalite', async () => {
    const wallStart = Date.now();
    const { described, history } = await run({ pk: 'node-1' }, 'node-1');
    expect(Date.now() - wallStart).toBeLessThan(10_000);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toEqual({ pk: 'node-1', written: true, check: { attempts: 1 } });
    expect(ms(described.stopDate) - ms(described.startDate)).toBe(WAIT_MS);

    const item = await api.dynamodb.send(new GetItemCommand({ TableName: cp.stack.tables[0].name, Key: { pk: { S: 'node-1' }, sk: { S: 'request' } } }));
    expect(item.Item?.writtenBy?.S).toMatch(/^Writer/);
    // The function read the stack's secret through the local Secrets Manager endpoint.
    expect(item.Item?.secretChars?.N).toBe(String(TOKEN_VALUE.length));

    expect(history[0].type).toBe('ExecutionStarted');
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
    const types = history.map((e) => e.type);
    expect(types.slice(1, 7)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'WaitStateEntered']);
    const [waitEntered] = events(history, 'WaitStateEntered');
    const [waitExited] = events(history, 'WaitStateExited');
    expect(ms(waitExited.timestamp) - ms(waitEntered.timestamp)).toBe(WAIT_MS);
    expect(events(history, 'TaskScheduled')[0].taskScheduledEventDetails?.resourceType).toBe('lambda');
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
  });

  it('retries the named error on the simulated clock, with backoff', async () => {
    const { described, history } = await run({ pk: 'flaky-node', failTimes: 2 });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}').check).toEqual({ attempts: 3 });
    const failed = events(history, 'TaskFailed');
    expect(failed.map((e) => e.taskFailedEventDetails?.error)).toEqual(['FlakyError', 'FlakyError']);
    const scheduled = events(history, 'TaskScheduled').slice(1);
    expect(ms(scheduled[1].timestamp) - ms(failed[0].timestamp)).toBe(5_000);
    expect(ms(scheduled[2].timestamp) - ms(failed[1].timestamp)).toBe(10_000);
  });

  it('catches the error once retries are used up and fails with the Fail state error and cause', async () => {
    const { described, history } = await run({ pk: 'broken-node', failTimes: 5 });
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('CheckFailed');
    expect(JSON.parse(described.cause ?? '{}')).toMatchObject({ errorType: 'FlakyError', errorMessage: 'attempt 3 for broken-node failed' });
    expect(events(history, 'TaskFailed')).toHaveLength(3);
    expect(events(history, 'FailStateEntered').map((e) => e.stateEnteredEventDetails?.name)).toEqual(['CheckFailed']);
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'CheckFailed' } });
  });

  it('starts an execution with the transformed input for a matching PutEvents entry, and none for others', async () => {
    const put = await api.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'shepherd-test',
            Source: 'shepherd.test',
            DetailType: 'Node Requested',
            Detail: JSON.stringify({ node: 'evt-node', pool: 'aws-spot' }),
          },
          { EventBusName: 'shepherd-test', Source: 'shepherd.test', DetailType: 'Node Requested', Detail: JSON.stringify({ node: 'gcp-node', pool: 'gcp-a' }) },
          { EventBusName: 'shepherd-test', Source: 'aws.ec2', DetailType: 'Node Requested', Detail: '{}' },
          { EventBusName: 'shepherd-test', Source: 'shepherd.test', DetailType: 'Node Requested', Detail: '[1' },
          { EventBusName: 'no-such-bus', Source: 'shepherd.test', DetailType: 'Node Requested', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(3);
    expect(put.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'ok',
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);

    const { executions } = await api.sfn.send(new ListExecutionsCommand({ stateMachineArn: cp.stateMachines.provision }));
    const started = executions?.filter((e) => cp.stepFunctions.describeExecution(e.executionArn!).input.includes('evt-node')) ?? [];
    expect(started).toHaveLength(1);
    const done = await cp.waitForExecution(started[0].executionArn!);
    const input = JSON.parse(done.input);
    expect(input).toEqual({ pk: 'evt-node', failTimes: 0, requestedAt: expect.stringMatching(/^2026-01-01T\d\d:\d\d:\d\dZ$/) });
    expect(done.status).toBe('SUCCEEDED');
    expect(cp.stepFunctions.listExecutions(cp.stateMachines.provision).some((e) => e.input.includes('gcp-node'))).toBe(false);

    const rules = await api.events.send(new ListRulesCommand({ EventBusName: 'shepherd-test' }));
    expect(rules.Rules?.map((r) => r.Name)).toEqual(['on-node-requested']);
    expect(JSON.parse(rules.Rules?.[0].EventPattern ?? '{}').detail).toEqual({ pool: [{ prefix: 'aws-' }] });
  });

  it('serves secret values given by ARN and created by the stack; others are ResourceNotFoundException', async () => {
    const kubeconfig = await api.secrets.send(new GetSecretValueCommand({ SecretId: KUBECONFIG_ARN }));
    expect(kubeconfig.SecretString).toContain('kind: Config');
    expect(kubeconfig.Name).toBe('shepherd/kubeconfig');
    const byName = await api.secrets.send(new DescribeSecretCommand({ SecretId: 'shepherd/kubeconfig' }));
    expect(byName.ARN).toBe(KUBECONFIG_ARN);
    const stackSecret = cp.stack.secrets[0];
    expect((await api.secrets.send(new GetSecretValueCommand({ SecretId: stackSecret.arn }))).SecretString).toBe(TOKEN_VALUE);
    await expect(
      api.secrets.send(new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:other-AbC123' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('local control plane on a virtual clock moved by the test', () => {
  let clock: Clock;
  let cp: LocalControlPlane;
  let api: ReturnType<typeof clients>;

  beforeAll(async () => {
    clock = new Clock({ mode: 'virtual', autoAdvance: false });
    cp = await start(clock);
    api = clients(cp);
  });

  afterAll(async () => {
    await cp?.stop();
    clock?.stop();
  });

  it('fires the scheduled rule at noon, simulated, and its target function writes the item', async () => {
    const key = { pk: { S: 'scheduled' }, sk: { S: '2026-01-01T12:00:00Z' } };
    await clock.advance(12 * 3600_000 - 1000);
    expect((await api.dynamodb.send(new GetItemCommand({ TableName: cp.stack.tables[0].name, Key: key }))).Item).toBeUndefined();
    await clock.advance(1000);
    await until(() => cp.events.deliveries.some((d) => d.rule === 'noon'));
    expect(cp.events.deliveries.filter((d) => d.rule === 'noon')).toMatchObject([{ ok: true, at: Date.UTC(2026, 0, 1, 12) }]);
    expect((await api.dynamodb.send(new GetItemCommand({ TableName: cp.stack.tables[0].name, Key: key }))).Item?.writtenBy?.S).toMatch(/^Writer/);
  });

  it('treats StartExecution with the same name as idempotent only while running with the same input', async () => {
    const request = { stateMachineArn: cp.stateMachines.provision, name: 'same-name', input: '{"pk":"same"}' };
    const first = await api.sfn.send(new StartExecutionCommand(request));
    const again = await api.sfn.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    await expect(api.sfn.send(new StartExecutionCommand({ ...request, input: '{"pk":"other"}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const done = cp.waitForExecution(first.executionArn!);
    // advance() moves time even while a function runs (its timeout would fire): let the first Task finish.
    await until(() => cp.stepFunctions.history(first.executionArn!).some((e) => e.type === 'WaitStateEntered'));
    await clock.advance(WAIT_MS);
    expect((await done).status).toBe('SUCCEEDED');
    await expect(api.sfn.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('stops a sleeping execution with StopExecution: ABORTED with the given error', async () => {
    const { executionArn } = await api.sfn.send(new StartExecutionCommand({ stateMachineArn: cp.stateMachines.provision, input: '{"pk":"stopped"}' }));
    await until(() => cp.stepFunctions.history(executionArn!).some((e) => e.type === 'WaitStateEntered'));
    await api.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'cancelled by test' }));
    const done = await cp.waitForExecution(executionArn!);
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'cancelled by test' });
    expect(cp.stepFunctions.history(executionArn!).at(-1)?.type).toBe('ExecutionAborted');
    // The aborted Wait left no timer behind.
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('local control plane restarted with the same seed', () => {
  /** One start: an execution started without a name, one started by a rule, and the event id PutEvents gave. */
  async function oneStart() {
    const clock = new Clock({ mode: 'virtual' });
    const cp = await start(clock);
    try {
      const api = clients(cp);
      const direct = await api.sfn.send(new StartExecutionCommand({ stateMachineArn: cp.stateMachines.provision, input: '{"pk":"unnamed"}' }));
      const put = await api.events.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: 'shepherd-test', Source: 'shepherd.test', DetailType: 'Node Requested', Detail: JSON.stringify({ node: 'evt', pool: 'aws-a' }) },
          ],
        }),
      );
      await until(() => cp.stepFunctions.listExecutions(cp.stateMachines.provision).length === 2);
      const byRule = cp.stepFunctions.listExecutions(cp.stateMachines.provision).find((e) => e.executionArn !== direct.executionArn);
      await Promise.all(cp.stepFunctions.listExecutions(cp.stateMachines.provision).map((e) => cp.waitForExecution(e.executionArn)));
      return { direct: direct.executionArn, byRule: byRule?.executionArn, eventId: put.Entries?.[0].EventId };
    } finally {
      await cp.stop();
      clock.stop();
    }
  }

  it("names executions anew on each start (the last run's names stay in the audit log), and keeps event ids seeded", async () => {
    const first = await oneStart();
    const second = await oneStart();
    expect(first.byRule).toBeDefined();
    expect(second.direct).not.toBe(first.direct);
    expect(second.byRule).not.toBe(first.byRule);
    expect(second.eventId).toBe(first.eventId);
  });
});

/** Waits (in real time) for work that runs on its own, e.g. a function invoked by a rule. */
async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
