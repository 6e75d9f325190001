import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPublisher, EventPublishError } from '../../../functions/adapters/events/bus-publisher.js';
import { DynamoWatcherSnapshotStore } from '../../../functions/adapters/store/watcher-snapshot.js';
import { emptySnapshot, type WatcherSnapshot } from '../../../functions/decisions/watcher/types.js';
import { createClaimsTable } from '../../helpers/claims-table.js';

const TABLE = 'watcher-test';
let server: ReturnType<typeof dynalite>;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint, region: 'eu-west-3', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await createClaimsTable(client, TABLE);
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: TABLE });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

async function watcherItems(): Promise<string[]> {
  const out = await DynamoDBDocumentClient.from(client).send(
    new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'WATCHER' } }),
  );
  return (out.Items ?? []).map((i) => i.sk as string).sort();
}

describe('Class: DynamoWatcherSnapshotStore', () => {
  it('saves and reads back a snapshot, skips an unchanged one, and refuses to save over a newer one', async () => {
    const store = new DynamoWatcherSnapshotStore(TABLE, client);
    const first = await store.read();
    expect(first).toMatchObject({ generation: 0, snapshot: emptySnapshot() });
    const snap: WatcherSnapshot = { ...emptySnapshot(), nodes: { n1: { notReadySince: '2026-01-01T00:00:00Z' } } };
    expect(await store.save(snap, first, 't1')).toBe('saved');
    const second = await store.read();
    expect(second.generation).toBe(1);
    expect(second.snapshot.nodes).toEqual(snap.nodes);
    expect(await store.save(snap, second, 't2')).toBe('unchanged');
    // Another pass read generation 1 too and saved first: this one's save is refused.
    expect(await store.save({ ...snap, pods: { count: 3, since: 't' } }, second, 't3')).toBe('saved');
    expect(await store.save({ ...snap, pods: { count: 4, since: 't' } }, second, 't4')).toBe('superseded');
    expect((await store.read()).snapshot.pods.count).toBe(3);
  });

  it('splits a snapshot too big for one item into chunk items, reads it back whole, and deletes the chunks it replaces', async () => {
    const store = new DynamoWatcherSnapshotStore(TABLE, client);
    const before = await store.read();
    // Random names do not compress: about 1 MB of gzip, four chunks.
    const nodes = Object.fromEntries(Array.from({ length: 12_000 }, () => [randomBytes(40).toString('hex'), { notReadySince: '2026-01-01T00:00:00Z' }]));
    expect(await store.save({ ...emptySnapshot(), nodes }, before, 't5')).toBe('saved');
    const big = await store.read();
    expect(big.chunks).toBeGreaterThan(1);
    expect(Object.keys(big.snapshot.nodes)).toHaveLength(12_000);
    expect((await watcherItems()).filter((sk) => sk.startsWith('SNAPSHOT#'))).toHaveLength(big.chunks as number);
    expect(await store.save(emptySnapshot(), big, 't6')).toBe('saved');
    expect(await watcherItems()).toEqual(['SNAPSHOT']);
  }, 60_000);
});

describe('Class: BusPublisher', () => {
  it('puts events ten at a time and sends again only the entries that failed', async () => {
    const eb = mockClient(EventBridgeClient);
    let call = 0;
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      call++;
      // The first call fails its second entry (throttled); everything else goes through.
      return {
        FailedEntryCount: call === 1 ? 1 : 0,
        Entries: input.Entries.map((_, i) =>
          call === 1 && i === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${call}-${i}` },
        ),
      };
    });
    const bus = new BusPublisher('shepherd-demo', 'shepherd.watcher', new EventBridgeClient({}), async () => {});
    const events = Array.from({ length: 12 }, (_, i) => ({ detailType: 'Shepherd Node Went NotReady', detail: { node: `n${i}` } }));
    expect(await bus.publish(events)).toBe(12);
    const calls = eb.commandCalls(PutEventsCommand).map((c) => (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail as string).node));
    expect(calls).toEqual([['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'], ['n1'], ['n10', 'n11']]);
    expect(eb.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0]).toMatchObject({ EventBusName: 'shepherd-demo', Source: 'shepherd.watcher' });
    eb.restore();
  });

  it('throws EventPublishError when an entry still fails after four attempts', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }] });
    const bus = new BusPublisher('shepherd-demo', 'shepherd.watcher', new EventBridgeClient({}), async () => {});
    await expect(bus.publish([{ detailType: 'x', detail: {} }])).rejects.toBeInstanceOf(EventPublishError);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(4);
    eb.restore();
  });
});
