import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../cli/local-endpoints.js';
import { main } from '../../cli/main.js';
import { captureContext } from './capture.js';

/*
 * `shepherd start` against a loopback server speaking the Step Functions API (AWS JSON 1.0: POST /, X-Amz-Target
 * AWSStepFunctions.<Operation>, timestamps as epoch seconds, errors as { __type, message }). It stands in for AWS.
 */

const REGION = 'eu-west-3';
const MACHINES = [
  { name: 'ShepherdStack-ProvisionNodeStateMachine2E01A3A5-k1', type: 'STANDARD' },
  { name: 'ShepherdStack-OrphanSweep5C1D-k2', type: 'STANDARD' },
].map((m) => ({ ...m, stateMachineArn: `arn:aws:states:${REGION}:123456789012:stateMachine:${m.name}`, creationDate: 1767225000 }));
const T0 = 1767225600; // 2026-01-01T00:00:00Z

type Event = Record<string, unknown> & { type: string };

interface Script {
  events: Event[];
  /** How many more events become visible at each DescribeExecution. */
  revealPerDescribe: number;
  outcome: { status: 'SUCCEEDED'; output: string } | { status: 'FAILED'; error: string; cause: string };
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  visible: number;
  script: Script;
}

class FakeStepFunctions {
  readonly calls: { op: string; body: Record<string, unknown> }[] = [];
  readonly executions = new Map<string, Execution>();
  script!: Script;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^AWSStepFunctions\./, '');
      this.calls.push({ op, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${this.calls.length}` });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.0' || !target.startsWith('AWSStepFunctions.')) {
        send(400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: 'not a Step Functions request' });
        return;
      }
      try {
        send(200, this.handle(op, body));
      } catch (err) {
        send(400, { __type: `com.amazonaws.swf.service.v2.model#${(err as Error).name}`, message: (err as Error).message });
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private handle(op: string, body: Record<string, unknown>): unknown {
    switch (op) {
      case 'ListStateMachines':
        return { stateMachines: MACHINES };
      case 'StartExecution': {
        const machine = MACHINES.find((m) => m.stateMachineArn === body.stateMachineArn);
        if (!machine) throw named('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
        const name = typeof body.name === 'string' ? body.name : `exec-${this.executions.size + 1}`;
        const executionArn = `arn:aws:states:${REGION}:123456789012:execution:${machine.name}:${name}`;
        if (this.executions.has(executionArn)) throw named('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        this.executions.set(executionArn, {
          executionArn,
          stateMachineArn: machine.stateMachineArn,
          name,
          input: String(body.input),
          visible: 1,
          script: this.script,
        });
        return { executionArn, startDate: T0 };
      }
      case 'DescribeExecution': {
        const e = this.execution(body.executionArn);
        e.visible = Math.min(e.script.events.length, e.visible + e.script.revealPerDescribe);
        const done = e.visible === e.script.events.length;
        const last = e.script.events[e.visible - 1];
        return {
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: done ? e.script.outcome.status : 'RUNNING',
          startDate: T0,
          ...(done ? { stopDate: last.timestamp } : {}),
          input: e.input,
          inputDetails: { included: true },
          ...(done && e.script.outcome.status === 'SUCCEEDED' ? { output: e.script.outcome.output, outputDetails: { included: true } } : {}),
          ...(done && e.script.outcome.status === 'FAILED' ? { error: e.script.outcome.error, cause: e.script.outcome.cause } : {}),
        };
      }
      case 'GetExecutionHistory': {
        const e = this.execution(body.executionArn);
        const shown = e.script.events.slice(0, e.visible);
        const ordered = body.reverseOrder === true ? [...shown].reverse() : shown;
        const size = Math.min(Number(body.maxResults) || 100, 1000);
        const offset = body.nextToken ? Number(Buffer.from(String(body.nextToken), 'base64').toString()) : 0;
        const end = offset + size;
        return { events: ordered.slice(offset, end), ...(end < ordered.length ? { nextToken: Buffer.from(String(end)).toString('base64') } : {}) };
      }
      default:
        throw named('UnknownOperationException', `unknown operation ${op}`);
    }
  }

  private execution(arn: unknown): Execution {
    const e = this.executions.get(String(arn));
    if (!e) throw named('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Numbers the events and stamps them one simulated second apart, as a history reads. */
function history(events: Event[]): Event[] {
  return events.map((e, i) => ({ ...e, id: i + 1, previousEventId: i, timestamp: T0 + i + 0.25 }));
}

const entered = (type: string, name: string) => ({ type: `${type}StateEntered`, stateEnteredEventDetails: { name, input: '{"claimId":"c-1"}' } });
const exited = (type: string, name: string) => ({ type: `${type}StateExited`, stateExitedEventDetails: { name, output: '{}' } });
const lambda = (outcome: 'Succeeded' | 'Failed', error?: string) =>
  outcome === 'Succeeded'
    ? { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } }
    : { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error, cause: '{"errorMessage":"token=hunter2 refused"}' } };

/** A provisioning run that polls registration 30 times: 125 events, more than one history page. */
function succeededScript(): Script {
  const poll = Array.from({ length: 30 }, () => [
    entered('Wait', 'Wait for registration'),
    exited('Wait', 'Wait for registration'),
    entered('Task', 'Find node'),
    exited('Task', 'Find node'),
  ]).flat();
  return {
    events: history([
      { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
      entered('Task', 'Validate input'),
      lambda('Succeeded'),
      exited('Task', 'Validate input'),
      entered('Task', 'Claim capacity'),
      lambda('Failed', 'ThrottledError'),
      lambda('Succeeded'),
      exited('Task', 'Claim capacity'),
      ...poll,
      entered('Succeed', 'Provisioned'),
      exited('Succeed', 'Provisioned'),
      { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } },
    ]),
    revealPerDescribe: 110,
    outcome: { status: 'SUCCEEDED', output: '{"nodeName":"aws-amd64-7f3a","pool":"aws-amd64","vm":{"id":"i-0abc"}}' },
  };
}

function failedScript(): Script {
  const cause = JSON.stringify({
    errorType: 'InsufficientCapacityError',
    errorMessage: 'no capacity for t3.medium in eu-west-3a',
    trace: ['at launch (cloud-vms.js:1:1)'],
  });
  return {
    events: history([
      { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
      entered('Task', 'Launch VM'),
      lambda('Failed', 'InsufficientCapacityError'),
      entered('Fail', 'Provisioning failed'),
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'InsufficientCapacityError', cause } },
    ]),
    revealPerDescribe: 2,
    outcome: { status: 'FAILED', error: 'InsufficientCapacityError', cause },
  };
}

let fake: FakeStepFunctions;
let endpointsFile: string;

beforeEach(async () => {
  fake = new FakeStepFunctions();
  await fake.start();
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-cli-start-'));
  endpointsFile = join(dir, 'local.json');
  const file: LocalEndpoints = {
    ready: true,
    endpoints: { stepfunctions: fake.url, dynamodb: 'http://127.0.0.1:9', eventbridge: 'http://127.0.0.1:9', secretsmanager: 'http://127.0.0.1:9' },
    region: REGION,
    credentials: { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local-secret' },
  };
  writeFileSync(endpointsFile, JSON.stringify(file));
});

afterEach(async () => {
  await fake.stop();
});

describe('shepherd start --local', () => {
  it('with --verbose, follows a SUCCEEDED execution: each state once, in order, then the output; exit 0', async () => {
    fake.script = succeededScript();
    const ctx = captureContext();
    const code = await main(
      [
        'start',
        'provision-node',
        '--local',
        '--endpoints',
        endpointsFile,
        '--name',
        'pn-1',
        '--verbose',
        '--input',
        '{ "pool": "aws-amd64", "reason": "test" }',
      ],
      ctx,
    );
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);

    const start = fake.calls.find((c) => c.op === 'StartExecution')!;
    expect(start.body).toEqual({ stateMachineArn: MACHINES[0].stateMachineArn, name: 'pn-1', input: '{"pool":"aws-amd64","reason":"test"}' });
    const historyCalls = fake.calls.filter((c) => c.op === 'GetExecutionHistory');
    expect(historyCalls.every((c) => c.body.includeExecutionData === false && c.body.reverseOrder === true)).toBe(true);
    // The second poll has 110 new events, more than a page: it follows nextToken.
    expect(historyCalls.some((c) => typeof c.body.nextToken === 'string')).toBe(true);

    const lines = ctx.out().split('\n');
    expect(lines[0]).toBe(`started arn:aws:states:${REGION}:123456789012:execution:${MACHINES[0].name}:pn-1`);
    expect(lines.slice(1, 7)).toEqual([
      '2026-01-01T00:00:01.250Z  entered  Validate input (Task)',
      '2026-01-01T00:00:03.250Z  exited   Validate input',
      '2026-01-01T00:00:04.250Z  entered  Claim capacity (Task)',
      '2026-01-01T00:00:05.250Z  LambdaFunctionFailed: ThrottledError',
      '2026-01-01T00:00:07.250Z  exited   Claim capacity',
      '2026-01-01T00:00:08.250Z  entered  Wait for registration (Wait)',
    ]);
    expect(lines.filter((l) => l.endsWith('entered  Wait for registration (Wait)'))).toHaveLength(30);
    expect(lines.filter((l) => l.endsWith('exited   Find node'))).toHaveLength(30);
    expect(ctx.out()).toContain('2026-01-01T00:02:08.250Z  entered  Provisioned (Succeed)\n2026-01-01T00:02:09.250Z  exited   Provisioned\n');
    expect(ctx.out()).toContain(
      'execution SUCCEEDED after 2m10s\n{\n  "nodeName": "aws-amd64-7f3a",\n  "pool": "aws-amd64",\n  "vm": {\n    "id": "i-0abc"\n  }\n}\n',
    );
    expect(ctx.out()).not.toContain('hunter2');
  });

  it('with --verbose, reports a FAILED execution with its error and readable cause; exit 1', async () => {
    fake.script = failedScript();
    const ctx = captureContext({ SHEPHERD_LOCAL_ENDPOINTS: endpointsFile });
    const code = await main(['start', 'ProvisionNode', '--local', '--verbose', '--input', '{"pool":"aws-amd64"}'], ctx);
    expect(code).toBe(1);
    expect(fake.count('DescribeExecution')).toBe(2);
    expect(ctx.out().split('\n').slice(1)).toEqual([
      '2026-01-01T00:00:01.250Z  entered  Launch VM (Task)',
      '2026-01-01T00:00:02.250Z  LambdaFunctionFailed: InsufficientCapacityError',
      '2026-01-01T00:00:03.250Z  entered  Provisioning failed (Fail)',
      'execution FAILED after 4s',
      'error: InsufficientCapacityError',
      'cause: InsufficientCapacityError: no capacity for t3.medium in eu-west-3a',
      '',
    ]);
  });

  it('returns right after starting with --no-wait', async () => {
    fake.script = succeededScript();
    const ctx = captureContext();
    expect(await main(['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', '{}', '--no-wait'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(/^started arn:aws:states:.*:execution:ShepherdStack-ProvisionNodeStateMachine2E01A3A5-k1:exec-1\n$/);
    expect(fake.count('StartExecution')).toBe(1);
    expect(fake.count('DescribeExecution')).toBe(0);
  });

  it('lists the available state machines when the workflow matches none, and starts nothing', async () => {
    fake.script = succeededScript();
    const ctx = captureContext();
    expect(await main(['start', 'heal-node', '--local', '--endpoints', endpointsFile, '--input', '{}'], ctx)).toBe(1);
    expect(ctx.err()).toBe(`shepherd start: no state machine matches workflow "heal-node" (available: provision-node (${MACHINES[0].name}))\n`);
    expect(fake.count('StartExecution')).toBe(0);
  });

  it('passes an AWS error through by its code', async () => {
    fake.script = succeededScript();
    const args = ['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', '{}', '--name', 'twice', '--no-wait'];
    expect(await main(args, captureContext())).toBe(0);
    const ctx = captureContext();
    expect(await main(args, ctx)).toBe(1);
    expect(ctx.err()).toMatch(/^shepherd start: ExecutionAlreadyExists: Execution Already Exists: 'arn:aws:states:.*:twice'\n$/);
  });

  it('refuses invalid input JSON before calling AWS', async () => {
    const ctx = captureContext();
    expect(await main(['start', 'provision-node', '--local', '--endpoints', endpointsFile, '--input', '{"joinToken": s3cr3t}'], ctx)).toBe(1);
    expect(ctx.err()).toBe(
      'shepherd start: --input (inline JSON): not valid JSON: expected a value (a string in double quotes, a number, true, false, null, { or [) at line 1, column 15\n',
    );
    expect(fake.calls).toHaveLength(0);
  });
});
