import type { AddressInfo } from 'node:net';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWatcherStartError, WatcherStarter } from '../../../functions/adapters/lambda/watcher-starter.js';
import type { TickQueue } from '../../../functions/adapters/queue/sqs-tick-queue.js';
import { runChainEvent } from '../../../functions/adapters/queue/tick-event.js';
import { CHECK_CHAIN_PARTITION, DynamoCheckChainStore } from '../../../functions/adapters/store/check-chain.js';
import { DynamoWatcherSnapshotStore, PUBLICATION_HOLD_MS } from '../../../functions/adapters/store/watcher-snapshot.js';
import type { CheckTick } from '../../../functions/decisions/dns/check-ticks.js';
import { emptySnapshot, type NodeObservation, type UnschedulablePods, type WatcherPolicy } from '../../../functions/decisions/watcher/types.js';
import type { ChainDeps } from '../../../functions/dns-checks/chain.js';
import { HINT_CHAIN_PARTITION, HINT_EVENT_SOURCE } from '../../../functions/watcher/constants.js';
import { runHintRound } from '../../../functions/watcher/hints.js';
import { runWatcherPass, type WatcherDeps } from '../../../functions/watcher/pass.js';
import { createClaimsTable } from '../../helpers/claims-table.js';

const policy: WatcherPolicy = { cluster: 'demo', registrationTimeoutSeconds: 900, degradedPercent: 45, degradedMinNodes: 2, podSampleSize: 2 };
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const node = (name: string, ready: NodeObservation['ready'] = 'True'): NodeObservation => ({ name, ready, provider: 'aws', region: 'eu-west-3' });
const pods = (count: number): UnschedulablePods => ({ count, sample: [] });

let server: ReturnType<typeof dynalite>;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

async function freshTable(): Promise<string> {
  const name = `hints-${++tables}`;
  await createClaimsTable(client, name);
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
  return name;
}

describe('Function: runHintRound', () => {
  function deps(nodes: NodeObservation[], pending: UnschedulablePods, snapshot = emptySnapshot()) {
    const started: Record<string, unknown>[] = [];
    return {
      started,
      deps: {
        cluster: { nodes: async () => nodes, unschedulablePods: async () => pending },
        snapshots: { read: async () => ({ snapshot, generation: 7 }) },
        startPass: async (event: Record<string, unknown>) => {
          started.push(event);
        },
      },
    };
  }

  it('starts one watcher pass, with the reasons, when pods went unschedulable since the last pass', async () => {
    const { deps: d, started } = deps([node('a')], pods(3));
    const summary = await runHintRound(d, policy, at(10));
    expect(summary).toMatchObject({ generation: 7, verdict: { pass: true } });
    expect(started).toEqual([{ source: HINT_EVENT_SOURCE, observedAt: at(10), reasons: [{ kind: 'podsUnschedulable', subject: '3 pods' }] }]);
  });

  it('starts nothing when the last pass already saw the same world', async () => {
    const snapshot = { ...emptySnapshot(), nodes: { a: { notReadySince: at(-30) } }, pods: { count: 3, since: at(-30) } };
    const { deps: d, started } = deps([node('a', 'Unknown')], pods(3), snapshot);
    expect((await runHintRound(d, policy, at(10))).verdict).toEqual({ pass: false, reason: 'nothing-new' });
    expect(started).toEqual([]);
  });

  it('starts nothing when the API server does not answer (the schedule reports it)', async () => {
    const { deps: d, started } = deps([], pods(0));
    d.cluster.nodes = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    expect((await runHintRound(d, policy, at(10))).verdict).toEqual({ pass: false, reason: 'unreachable' });
    expect(started).toEqual([]);
  });
});

describe('Class: WatcherStarter', () => {
  it('invokes the watcher asynchronously (InvocationType Event) with the event', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await new WatcherStarter('shepherd-demo-cluster-watcher', new LambdaClient({ region: 'eu-west-3' })).start({ source: HINT_EVENT_SOURCE });
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call.args[0].input).toMatchObject({ FunctionName: 'shepherd-demo-cluster-watcher', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array))).toEqual({ source: HINT_EVENT_SOURCE });
    lambda.restore();
  });

  it('throws WatcherStartError when Lambda refuses or answers other than 202', async () => {
    const lambda = mockClient(LambdaClient);
    const starter = new WatcherStarter('w', new LambdaClient({ region: 'eu-west-3' }));
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(starter.start({})).rejects.toSatisfy((e: unknown) => isWatcherStartError(e) && /AccessDeniedException/.test((e as Error).message));
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(starter.start({})).rejects.toSatisfy((e: unknown) => isWatcherStartError(e) && /200/.test((e as Error).message));
    lambda.restore();
  });
});

describe('Function: runChainEvent (the hint chain)', () => {
  async function chainDeps(table: string) {
    const sent: { tick: CheckTick; delay: number }[] = [];
    const queue: TickQueue = {
      send: async (tick, delay) => {
        sent.push({ tick: tick as CheckTick, delay });
      },
      sendBatch: async (entries) => {
        for (const e of entries) sent.push({ tick: e.tick, delay: e.delaySeconds });
        return { failed: [] };
      },
    };
    let rounds = 0;
    const deps: ChainDeps = {
      chain: new DynamoCheckChainStore(table, client, HINT_CHAIN_PARTITION),
      queue,
      intervalSeconds: 10,
      newGeneration: () => 'g1',
      now: () => new Date(T0),
      round: async () => {
        rounds++;
      },
      log: () => {},
    };
    return { deps, sent, rounds: () => rounds };
  }

  it('runs the keep-alive for a scheduled event and each tick of an SQS batch once, in its own chain item', async () => {
    const table = await freshTable();
    const { deps, sent, rounds } = await chainDeps(table);
    expect(await runChainEvent(deps, { source: 'aws.events' })).toMatchObject({ keepAlive: { restarted: true, generation: 'g1', sent: true } });
    expect(sent).toEqual([{ tick: { generation: 'g1', seq: 1, lead: true }, delay: 0 }]);
    // The first tick leads: it sends the next ten, one interval apart, the last of them the next lead.
    const batch = { Records: [{ messageId: 'm1', body: JSON.stringify({ generation: 'g1', seq: 1, lead: true }) }] };
    expect(await runChainEvent(deps, batch)).toEqual({ ticks: [{ ran: true, lead: true, sent: 10, failed: 0 }] });
    // SQS delivered the same lead again: dropped, nothing sent.
    expect(await runChainEvent(deps, batch)).toEqual({ ticks: [{ ran: false, reason: 'already-run' }] });
    expect(await runChainEvent(deps, { Records: [{ messageId: 'm2', body: 'not a tick' }] })).toEqual({ ticks: [] });
    expect(rounds()).toBe(1);
    expect(sent).toHaveLength(11);
    expect(sent[1]).toEqual({ tick: { generation: 'g1', seq: 2, lead: false }, delay: 10 });
    expect(sent.at(-1)).toEqual({ tick: { generation: 'g1', seq: 11, lead: true }, delay: 100 });
    const doc = DynamoDBDocumentClient.from(client);
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: HINT_CHAIN_PARTITION, sk: 'CHAIN' } }))).Item).toMatchObject({
      generation: 'g1',
      seq: 1,
    });
    // The DNS checks' chain is another item, untouched.
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: CHECK_CHAIN_PARTITION, sk: 'CHAIN' } }))).Item).toBeUndefined();
  });
});

describe('Class: DynamoWatcherSnapshotStore (publication claims)', () => {
  it('lets one pass claim the publication of a generation; another may only after the claim lapsed or for a later generation', async () => {
    const store = new DynamoWatcherSnapshotStore(await freshTable(), client);
    const g0 = await store.read();
    expect(await store.claimPublication(g0, at(0))).toBe(true);
    expect(await store.claimPublication(g0, at(5))).toBe(false);
    // The claimant died before saving: after the hold another pass publishes the same transitions.
    expect(await store.claimPublication(g0, new Date(T0 + PUBLICATION_HOLD_MS + 1000).toISOString())).toBe(true);
    expect(await store.save({ ...emptySnapshot(), pods: { count: 1, since: at(0) } }, g0, at(61))).toBe('saved');
    const g1 = await store.read();
    expect(await store.claimPublication(g1, at(62))).toBe(true);
    // A late pass that read generation 0 cannot publish over a claim of generation 1, whatever the time.
    expect(await store.claimPublication(g0, at(3600))).toBe(false);
  });
});

describe('Function: runWatcherPass (two at once)', () => {
  it('a scheduled pass and a hinted one that read the same snapshot publish its transitions once', async () => {
    const store = new DynamoWatcherSnapshotStore(await freshTable(), client);
    const published: string[] = [];
    // Both passes read the snapshot before either publishes: each read waits for the other's.
    let reads = 0;
    let bothRead: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const deps: WatcherDeps = {
      cluster: { nodes: async () => [node('a', 'Unknown'), node('b')], unschedulablePods: async () => pods(4) },
      providers: { providers: () => [], listOwned: async () => [], preemptions: async () => [], describe: async () => 'running' },
      claimedVm: async () => undefined,
      preemptionsByPolling: new Set(),
      snapshots: {
        read: async () => {
          const stored = await store.read();
          if (++reads === 2) bothRead();
          await barrier;
          return stored;
        },
        claimPublication: (previous, when) => store.claimPublication(previous, when),
        save: (next, previous, when) => store.save(next, previous, when),
      },
      bus: {
        publish: async (events) => {
          published.push(...events.map((e) => `${e.detailType} ${(e.detail as { transitionId: string }).transitionId}`));
          return events.length;
        },
      },
    };
    const [scheduled, hinted] = await Promise.all([runWatcherPass(deps, policy, at(60)), runWatcherPass(deps, policy, at(61))]);
    expect([scheduled.snapshot, hinted.snapshot].sort()).toEqual(['saved', 'superseded']);
    expect(published).toHaveLength(2);
    expect(published.map((p) => p.split(' ').slice(0, -1).join(' ')).sort()).toEqual(
      ['Shepherd Node Went NotReady', 'Shepherd Pods Became Unschedulable'].sort(),
    );
    const loser = scheduled.snapshot === 'superseded' ? scheduled : hinted;
    expect(loser.published).toEqual({});
    // The next pass starts from the saved snapshot and publishes nothing new.
    published.length = 0;
    reads = 1;
    expect((await runWatcherPass(deps, policy, at(120))).published).toEqual({});
    expect(published).toEqual([]);
  });
});
