import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNodeLeaseStore } from '../../../functions/adapters/store/node-lease.js';
import { leaseAvailability, type NodeLease } from '../../../functions/decisions/node-lease.js';
import { type LocalDynamo, startLocalDynamo } from '../../../local/dynamodb/dynamodb.js';
import { Clock } from '../../../sim/clock.js';

/**
 * The node lease's conditional writes against the local control plane's DynamoDB (dynalite, through the real SDK):
 * the condition expressions must implement leaseAvailability's rule, and exactly one of two racing heals wins.
 */

const TABLE = {
  logicalId: 'Table',
  name: 'lease-test',
  arn: 'arn:aws:dynamodb:eu-west-3:123456789012:table/lease-test',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
  ],
  billingMode: 'PAY_PER_REQUEST' as const,
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
};
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const A = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-a';
const B = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-b';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const DAY = 86_400;

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let nodes = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tables: [TABLE], clock: new Clock({ mode: 'virtual' }), region: 'eu-west-3', credentials });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-3', credentials });
  doc = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

/** Each test leases its own node, so tests share one table without seeing each other's leases. */
function newNode(): string {
  nodes += 1;
  return `node-${nodes}`;
}

/** A store whose clock reads `at()` (ms), so that a test moves time past a lease's expiry. */
function store(at: () => number = () => T0): DynamoNodeLeaseStore {
  return new DynamoNodeLeaseStore(TABLE.name, client, () => new Date(at()));
}

const seconds = (ms: number) => Math.floor(ms / 1000);

async function rawLease(node: string): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: TABLE.name, Key: { pk: `LEASE#${node}`, sk: 'LEASE' }, ConsistentRead: true }))).Item;
}

describe('Class: DynamoNodeLeaseStore (local DynamoDB)', () => {
  it('takes a free lease with an expiry, and a TTL attribute a day past it', async () => {
    const node = newNode();
    const out = await store().acquire(node, A, 900);
    expect(out).toEqual({
      acquired: true,
      took: 'none',
      lease: { node, owner: A, leaseExpiresAt: seconds(T0) + 900, acquiredAt: new Date(T0).toISOString() },
    });
    expect(await rawLease(node)).toEqual({
      pk: `LEASE#${node}`,
      sk: 'LEASE',
      node,
      owner: A,
      leaseExpiresAt: seconds(T0) + 900,
      acquiredAt: new Date(T0).toISOString(),
      expiresAt: seconds(T0) + 900 + DAY,
    });
  });

  it('of two heals acquiring the same node at once, exactly one wins; the other is told who holds it', async () => {
    for (let round = 0; round < 5; round++) {
      const node = newNode();
      const [a, b] = await Promise.all([store().acquire(node, A, 600), store().acquire(node, B, 600)]);
      expect([a.acquired, b.acquired].filter(Boolean)).toHaveLength(1);
      const [winner, loser] = a.acquired ? [A, b] : [B, a];
      expect(loser).toEqual({
        acquired: false,
        holder: winner,
        leaseExpiresAt: seconds(T0) + 600,
        reason: expect.stringMatching(/^node node-\d+ is being healed by execution heal-[ab] \(lease expires in 600 s\)$/),
      });
      expect((await rawLease(node))?.owner).toBe(winner);
    }
  });

  it('of ten heals racing for one node, one holds it', async () => {
    const node = newNode();
    const owners = Array.from({ length: 10 }, (_, i) => `${A}-${i}`);
    const outs = await Promise.all(owners.map((o) => store().acquire(node, o, 600)));
    const winners = owners.filter((_, i) => outs[i].acquired);
    expect(winners).toHaveLength(1);
    expect((await rawLease(node))?.owner).toBe(winners[0]);
  });

  it('is re-entrant: the holder acquiring again (a retried step) keeps it and extends it', async () => {
    const node = newNode();
    let now = T0;
    const s = store(() => now);
    await s.acquire(node, A, 600);
    now += 120_000;
    expect(await s.acquire(node, A, 600)).toMatchObject({ acquired: true, took: 'own', lease: { owner: A, leaseExpiresAt: seconds(now) + 600 } });
    expect((await rawLease(node))?.leaseExpiresAt).toBe(seconds(now) + 600);
  });

  it("takes over a crashed heal's lease once it expired, not a second before", async () => {
    const node = newNode();
    let now = T0;
    const s = store(() => now);
    await s.acquire(node, A, 600);
    now = T0 + 599_000;
    expect(await s.acquire(node, B, 600)).toMatchObject({ acquired: false, holder: A });
    now = T0 + 600_000;
    expect(await s.acquire(node, B, 600)).toEqual({
      acquired: true,
      took: 'expired',
      previousOwner: A,
      lease: { node, owner: B, leaseExpiresAt: seconds(now) + 600, acquiredAt: new Date(now).toISOString() },
    });
    // The crashed heal, back from the dead, can neither renew nor release what is now B's.
    expect(await s.renew(node, A, 600)).toEqual({ renewed: false, holder: B, reason: `the lease on node ${node} is held by execution ${B}, not by ${A}` });
    expect(await s.release(node, A)).toEqual({ released: false, holder: B, reason: `the lease on node ${node} is held by execution ${B}, not by ${A}` });
    expect((await rawLease(node))?.owner).toBe(B);
  });

  it('renews only for its holder, moving the expiry and the TTL', async () => {
    const node = newNode();
    let now = T0;
    const s = store(() => now);
    expect(await s.renew(node, A, 600)).toEqual({ renewed: false, reason: `no lease on node ${node}` });
    await s.acquire(node, A, 600);
    now += 500_000;
    expect(await s.renew(node, A, 900)).toEqual({ renewed: true, leaseExpiresAt: seconds(now) + 900 });
    expect(await rawLease(node)).toMatchObject({ owner: A, leaseExpiresAt: seconds(now) + 900, expiresAt: seconds(now) + 900 + DAY });
    now += 600_000;
    // Past the old expiry, B still finds it held.
    expect(await s.acquire(node, B, 600)).toMatchObject({ acquired: false, holder: A });
  });

  it('releases for its holder only; the lease is then free for anyone at once, and a second release is a no-op that says so', async () => {
    const node = newNode();
    const s = store();
    await s.acquire(node, A, 600);
    expect(await s.release(node, B)).toEqual({ released: false, holder: A, reason: `the lease on node ${node} is held by execution ${A}, not by ${B}` });
    expect(await s.release(node, A)).toEqual({ released: true });
    const item = await rawLease(node);
    expect(item).not.toHaveProperty('owner');
    expect(item).toMatchObject({ releasedBy: A, releasedAt: new Date(T0).toISOString(), leaseExpiresAt: seconds(T0), expiresAt: seconds(T0) + DAY });
    expect(await s.release(node, A)).toEqual({ released: false, reason: `the lease on node ${node} was already released by ${A}` });
    expect(await s.acquire(node, B, 600)).toMatchObject({ acquired: true, took: 'released' });
  });

  it('releasing a lease nobody took is a no-op that says so, and writes nothing', async () => {
    const node = newNode();
    expect(await store().release(node, A)).toEqual({ released: false, reason: `no lease on node ${node}` });
    expect(await rawLease(node)).toBeUndefined();
  });

  it('lists the leases not released, soonest to expire first: held ones and expired ones (a crashed heal), not released ones', async () => {
    const s = store();
    const [n1, n2, n3, n4] = [newNode(), newNode(), newNode(), newNode()];
    await s.acquire(n1, A, 900);
    await s.acquire(n2, B, 300);
    await s.acquire(n3, A, 300);
    await s.release(n3, A);
    await store(() => T0 - 3_600_000).acquire(n4, B, 60);
    const open = (await s.openLeases()).filter((l) => [n1, n2, n3, n4].includes(l.node));
    expect(open.map((l) => [l.node, l.owner, l.leaseExpiresAt])).toEqual([
      [n4, B, seconds(T0) - 3600 + 60],
      [n2, B, seconds(T0) + 300],
      [n1, A, seconds(T0) + 900],
    ]);
  });

  describe('its condition expressions implement leaseAvailability', () => {
    const now = T0;
    const cases: [string, Omit<NodeLease, 'node'> | undefined][] = [
      ['no lease', undefined],
      ['released before its expiry', { leaseExpiresAt: seconds(now) + 300, acquiredAt: 'x', releasedBy: B }],
      ['held by the same execution', { owner: A, leaseExpiresAt: seconds(now) + 300, acquiredAt: 'x' }],
      ['held by another, running', { owner: B, leaseExpiresAt: seconds(now) + 1, acquiredAt: 'x' }],
      ['held by another, expiring this second', { owner: B, leaseExpiresAt: seconds(now), acquiredAt: 'x' }],
      ['held by another, expired long ago', { owner: B, leaseExpiresAt: seconds(now) - DAY, acquiredAt: 'x' }],
    ];
    it.each(cases)('%s', async (_name, lease) => {
      const node = newNode();
      await doc.send(new DeleteCommand({ TableName: TABLE.name, Key: { pk: `LEASE#${node}`, sk: 'LEASE' } }));
      if (lease) await doc.send(new PutCommand({ TableName: TABLE.name, Item: { pk: `LEASE#${node}`, sk: 'LEASE', node, ...lease } }));
      const decided = leaseAvailability(lease && { node, ...lease }, A, seconds(now));
      const out = await store(() => now).acquire(node, A, 600);
      expect(out.acquired).toBe(decided.free);
      expect((await rawLease(node))?.owner).toBe(decided.free ? A : lease?.owner);
    });
  });
});
