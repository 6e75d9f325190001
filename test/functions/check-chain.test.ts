import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TickQueue } from '../../functions/adapters/queue/sqs-tick-queue.js';
import { TickSendError } from '../../functions/adapters/queue/sqs-tick-queue.js';
import { DynamoCheckChainStore } from '../../functions/adapters/store/check-chain.js';
import type { CheckTick } from '../../functions/decisions/dns/check-ticks.js';
import { type ChainDeps, keepAlive, onTick } from '../../functions/dns-checks/chain.js';
import { type LocalDynamo, startLocalDynamo } from '../../local/dynamodb/dynamodb.js';
import { Clock } from '../../sim/clock.js';

/**
 * The check chain's table item against the local control plane's DynamoDB (dynalite, through the real SDK): the
 * conditional writes must let exactly one copy of a tick run, and one keep-alive restart a quiet chain.
 */

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const key = [
  { AttributeName: 'pk', KeyType: 'HASH' as const },
  { AttributeName: 'sk', KeyType: 'RANGE' as const },
];
const attributes = [
  { AttributeName: 'pk', AttributeType: 'S' as const },
  { AttributeName: 'sk', AttributeType: 'S' as const },
];
const tables = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({
  logicalId: n,
  name: `chain-${n}`,
  arn: `arn:aws:dynamodb:eu-west-3:123456789012:table/chain-${n}`,
  keySchema: key,
  attributeDefinitions: attributes,
  billingMode: 'PAY_PER_REQUEST' as const,
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
}));
const T0 = Date.parse('2026-11-30T12:00:00.000Z');

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let used = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tables, clock: new Clock({ mode: 'virtual' }), region: 'eu-west-3', credentials });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-3', credentials });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

/** A chain on its own table, a queue that records what is sent, a clock the test moves. */
function harness(options: { failSends?: boolean } = {}) {
  const store = new DynamoCheckChainStore(tables[used++].name, client);
  let now = T0;
  const sent: Array<{ tick: CheckTick; delaySeconds: number }> = [];
  const queue: TickQueue = {
    send: async (tick, delaySeconds) => {
      if (options.failSends) throw new TickSendError('SendMessage to q failed: HTTP 500');
      sent.push({ tick: tick as CheckTick, delaySeconds });
    },
  };
  let generations = 0;
  let rounds = 0;
  const logs: string[] = [];
  const deps: ChainDeps = {
    chain: store,
    queue,
    intervalSeconds: 10,
    newGeneration: () => `gen-${++generations}`,
    now: () => new Date(now),
    round: async () => {
      rounds += 1;
    },
    log: (_level, message) => logs.push(message),
  };
  return { deps, store, sent, logs, rounds: () => rounds, advance: (s: number) => (now += s * 1000) };
}

describe('Function: keepAlive', () => {
  it('starts the first generation at once (DelaySeconds 0), and leaves a live chain alone', async () => {
    const h = harness();
    expect(await keepAlive(h.deps)).toEqual({ restarted: true, generation: 'gen-1', reason: 'no-chain', sent: true });
    expect(h.sent).toEqual([{ tick: { generation: 'gen-1', seq: 1 }, delaySeconds: 0 }]);
    h.advance(20);
    expect(await keepAlive(h.deps)).toEqual({ restarted: false, ageSeconds: 20 });
    expect(h.sent).toHaveLength(1);
  });

  it('restarts a chain quiet for more than three intervals, and the old generation is dropped', async () => {
    const h = harness();
    await keepAlive(h.deps);
    await onTick(h.deps, { generation: 'gen-1', seq: 1 });
    h.advance(31);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: true, generation: 'gen-2', reason: 'stale' });
    expect(await onTick(h.deps, { generation: 'gen-1', seq: 2 })).toEqual({ ran: false, reason: 'other-generation' });
    expect(await onTick(h.deps, { generation: 'gen-2', seq: 1 })).toEqual({ ran: true, sent: true });
  });

  it('two keep-alives that both find the chain quiet start one generation', async () => {
    const h = harness();
    const [a, b] = await Promise.all([keepAlive(h.deps), keepAlive(h.deps)]);
    expect([a, b].filter((o) => o.restarted)).toHaveLength(1);
    expect(h.sent).toHaveLength(1);
  });
});

describe('Function: onTick', () => {
  it('runs a tick once and sends the next one after the interval; a second copy runs nothing and sends nothing', async () => {
    const h = harness();
    await keepAlive(h.deps);
    h.advance(1);
    expect(await onTick(h.deps, { generation: 'gen-1', seq: 1 })).toEqual({ ran: true, sent: true });
    expect(await onTick(h.deps, { generation: 'gen-1', seq: 1 })).toEqual({ ran: false, reason: 'already-run' });
    expect(h.rounds()).toBe(1);
    expect(h.sent.slice(1)).toEqual([{ tick: { generation: 'gen-1', seq: 2 }, delaySeconds: 10 }]);
    expect(await h.store.get()).toEqual({ generation: 'gen-1', seq: 1, lastTickAt: new Date(T0 + 1000).toISOString() });
  });

  it('two copies of one tick delivered at once: exactly one runs', async () => {
    const h = harness();
    await keepAlive(h.deps);
    const outcomes = await Promise.all([onTick(h.deps, { generation: 'gen-1', seq: 1 }), onTick(h.deps, { generation: 'gen-1', seq: 1 })]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(h.rounds()).toBe(1);
  });

  it('a failed send still runs the round, is logged, and the keep-alive restarts the chain', async () => {
    const h = harness({ failSends: true });
    await h.store.restart(undefined, 'gen-0', new Date(T0));
    expect(await onTick(h.deps, { generation: 'gen-0', seq: 1 })).toEqual({ ran: true, sent: false });
    expect(h.rounds()).toBe(1);
    expect(h.logs).toContain('next tick not sent; the keep-alive restarts the chain');
    h.advance(31);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: true, reason: 'stale' });
  });
});
