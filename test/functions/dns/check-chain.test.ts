import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchEntryFailure, TickQueue } from '../../../functions/adapters/queue/sqs-tick-queue.js';
import { TickSendError } from '../../../functions/adapters/queue/sqs-tick-queue.js';
import { DynamoCheckChainStore } from '../../../functions/adapters/store/check-chain.js';
import { type CheckTick, nextBatch, type ScheduledTick } from '../../../functions/decisions/dns/check-ticks.js';
import { type ChainDeps, keepAlive, onTick } from '../../../functions/dns-checks/chain.js';
import { RecentTicks } from '../../../functions/dns-checks/recent-ticks.js';
import { type LocalDynamo, startLocalDynamo } from '../../../local/dynamodb/dynamodb.js';
import { Clock } from '../../../sim/clock.js';

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
const tables = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((n) => ({
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

/** A chain on its own table, a queue that records what is sent (and fails as told), a clock the test moves. */
function harness(options: { failSends?: boolean; failEntries?: (seq: number, attempt: number) => { code: string; senderFault: boolean } | undefined } = {}) {
  const store = new DynamoCheckChainStore(tables[used++].name, client);
  let now = T0;
  const sent: ScheduledTick[] = [];
  let batchCalls = 0;
  const attempts = new Map<number, number>();
  const queue: TickQueue = {
    send: async (tick, delaySeconds) => {
      if (options.failSends) throw new TickSendError('SendMessage to q failed: HTTP 500');
      sent.push({ tick: tick as CheckTick, delaySeconds });
    },
    sendBatch: async (entries) => {
      batchCalls += 1;
      if (options.failSends) throw new TickSendError('SendMessageBatch to q failed: HTTP 500');
      const failed: BatchEntryFailure[] = [];
      entries.forEach((e, index) => {
        const attempt = (attempts.get(e.tick.seq) ?? 0) + 1;
        attempts.set(e.tick.seq, attempt);
        const failure = options.failEntries?.(e.tick.seq, attempt);
        if (failure) failed.push({ index, message: 'failed', ...failure });
        else sent.push(e);
      });
      return { failed };
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
    recent: new RecentTicks(),
  };
  return { deps, store, sent, logs, rounds: () => rounds, batchCalls: () => batchCalls, advance: (s: number) => (now += s * 1000) };
}

const tick = (generation: string, seq: number, lead = true) => ({ generation, seq, lead });

describe('Function: keepAlive', () => {
  it('starts the first generation at once (DelaySeconds 0) with a lead, and leaves a live chain alone', async () => {
    const h = harness();
    expect(await keepAlive(h.deps)).toEqual({ restarted: true, generation: 'gen-1', reason: 'no-chain', sent: true });
    expect(h.sent).toEqual([{ tick: tick('gen-1', 1), delaySeconds: 0 }]);
    h.advance(20);
    expect(await keepAlive(h.deps)).toEqual({ restarted: false, ageSeconds: 20 });
    expect(h.sent).toHaveLength(1);
  });

  it('leaves a chain alone while its batch is due, restarts it three intervals after, and the old generation is dropped', async () => {
    const h = harness();
    await keepAlive(h.deps);
    await onTick(h.deps, tick('gen-1', 1));
    // The batch covers 100 s: ticks 2-11, the last one the next lead.
    h.advance(130);
    expect(await keepAlive(h.deps)).toEqual({ restarted: false, ageSeconds: 30 });
    h.advance(1);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: true, generation: 'gen-2', reason: 'stale' });
    expect(await onTick(h.deps, tick('gen-1', 11))).toEqual({ ran: false, reason: 'other-generation' });
    expect(await onTick(h.deps, tick('gen-2', 1))).toEqual({ ran: true, lead: true, sent: 10, failed: 0 });
  });

  it('two keep-alives that both find the chain quiet start one generation', async () => {
    const h = harness();
    const [a, b] = await Promise.all([keepAlive(h.deps), keepAlive(h.deps)]);
    expect([a, b].filter((o) => o.restarted)).toHaveLength(1);
    expect(h.sent).toHaveLength(1);
  });
});

describe('Function: onTick', () => {
  it('a lead runs once and sends the next ten ticks in one batch, an interval apart; a second copy runs and sends nothing', async () => {
    const h = harness();
    await keepAlive(h.deps);
    h.advance(1);
    expect(await onTick(h.deps, tick('gen-1', 1))).toEqual({ ran: true, lead: true, sent: 10, failed: 0 });
    expect(await onTick(h.deps, tick('gen-1', 1))).toEqual({ ran: false, reason: 'already-run' });
    expect(h.rounds()).toBe(1);
    expect(h.batchCalls()).toBe(1);
    expect(h.sent.slice(1)).toEqual(nextBatch(tick('gen-1', 1), 10));
    expect(await h.store.get()).toEqual({
      generation: 'gen-1',
      seq: 1,
      lastTickAt: new Date(T0 + 1000).toISOString(),
      coveredUntil: new Date(T0 + 101_000).toISOString(),
    });
  });

  it('a tick that does not lead runs a round, sends nothing and writes nothing; a copy of it in the same environment is dropped', async () => {
    const h = harness();
    await keepAlive(h.deps);
    await onTick(h.deps, tick('gen-1', 1));
    const before = await h.store.get();
    expect(await onTick(h.deps, tick('gen-1', 2, false))).toEqual({ ran: true, lead: false });
    expect(await onTick(h.deps, tick('gen-1', 2, false))).toEqual({ ran: false, reason: 'seen-here' });
    expect(h.rounds()).toBe(2);
    expect(h.batchCalls()).toBe(1);
    expect(await h.store.get()).toEqual(before);
  });

  it('two copies of one lead delivered at once: exactly one runs and sends', async () => {
    const h = harness();
    await keepAlive(h.deps);
    const outcomes = await Promise.all([
      onTick({ ...h.deps, recent: new RecentTicks() }, tick('gen-1', 1)),
      onTick({ ...h.deps, recent: new RecentTicks() }, tick('gen-1', 1)),
    ]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(h.rounds()).toBe(1);
    expect(h.batchCalls()).toBe(1);
  });

  it('a failed batch still runs the round, is logged, records that nothing is due, and the keep-alive restarts the chain', async () => {
    const h = harness({ failSends: true });
    await h.store.restart(undefined, 'gen-0', new Date(T0));
    expect(await onTick(h.deps, tick('gen-0', 1))).toEqual({ ran: true, lead: true, sent: 0, failed: 10 });
    expect(h.rounds()).toBe(1);
    expect(h.logs).toContain('tick batch not sent');
    expect((await h.store.get())?.coveredUntil).toBe(new Date(T0).toISOString());
    h.advance(31);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: true, reason: 'stale' });
  });

  it('entries SQS failed on its side are sent once more; a lead still missing then leaves the chain to the keep-alive after the sent ticks', async () => {
    // Tick 3 fails once (sent on the retry); the lead (11) fails twice; tick 5 is refused as the sender's fault (not retried).
    const h = harness({
      failEntries: (seq, attempt) => {
        if (seq === 3 && attempt === 1) return { code: 'InternalError', senderFault: false };
        if (seq === 11) return { code: 'InternalError', senderFault: false };
        if (seq === 5) return { code: 'InvalidParameterValue', senderFault: true };
        return undefined;
      },
    });
    await h.store.restart(undefined, 'gen-0', new Date(T0));
    expect(await onTick(h.deps, tick('gen-0', 1))).toEqual({ ran: true, lead: true, sent: 8, failed: 2 });
    expect(h.batchCalls()).toBe(2);
    expect(h.sent.map((e) => e.tick.seq).sort((a, b) => a - b)).toEqual([2, 3, 4, 6, 7, 8, 9, 10]);
    expect(h.sent.find((e) => e.tick.seq === 3)?.delaySeconds).toBe(20);
    // Covered until tick 10 (90 s): restarted three intervals after that, not before.
    expect((await h.store.get())?.coveredUntil).toBe(new Date(T0 + 90_000).toISOString());
    h.advance(120);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: false });
    h.advance(1);
    expect(await keepAlive(h.deps)).toMatchObject({ restarted: true, reason: 'stale' });
  });

  it('one store parametrized by its partition key keeps two chains apart in one table', async () => {
    const table = tables[used++].name;
    const dns = new DynamoCheckChainStore(table, client);
    const other = new DynamoCheckChainStore(table, client, 'OTHERTICKS');
    expect(await dns.restart(undefined, 'a', new Date(T0))).toBe(true);
    expect(await other.get()).toBeUndefined();
    expect(await other.restart(undefined, 'b', new Date(T0))).toBe(true);
    expect(await other.claim(tick('b', 1), new Date(T0), new Date(T0 + 10_000))).toBe(true);
    expect((await dns.get())?.generation).toBe('a');
    expect((await dns.get())?.seq).toBe(0);
    expect(await other.get()).toMatchObject({ generation: 'b', seq: 1 });
  });
});
