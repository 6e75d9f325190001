import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoClaimStore } from '../../../functions/adapters/store/claims.js';
import { DynamoNodeHistory } from '../../../functions/adapters/store/node-history.js';
import type { OfferingAttempt, VmRef } from '../../../functions/decisions/provision.js';
import { ClaimNotOwnedError, DuplicateRequestError, PoolAtCapacityError } from '../../../functions/runtime/errors.js';
import { createClaimsTable } from '../../helpers/claims-table.js';

const TABLE = 'shepherd-claims-test';
const DAY = 86_400;

let server: Server;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let poolCount = 0;

/** Each test works on its own pool, so tests share one table without seeing each other's counters. */
function newPool(): string {
  poolCount += 1;
  return `pool-${poolCount}`;
}

function store(now?: () => Date): DynamoClaimStore {
  return new DynamoClaimStore(TABLE, client, now);
}

async function poolState(pool: string): Promise<{ active: number; claims: Record<string, number> } | undefined> {
  const out = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: `POOL#${pool}`, sk: 'STATE' }, ConsistentRead: true }));
  return out.Item as { active: number; claims: Record<string, number> } | undefined;
}

async function rawClaim(claimId: string): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' }, ConsistentRead: true }))).Item;
}

const offering: OfferingAttempt = { index: 0, type: 't3.medium', zone: 'eu-west-3a', subnetId: 'subnet-1' };

const vm: VmRef = {
  provider: 'aws',
  id: 'i-0123456789abcdef0',
  name: 'ip-10-0-1-5',
  zone: 'eu-west-3a',
  region: 'eu-west-3',
  type: 't3.medium',
  privateIp: '10.0.1.5',
  providerID: 'aws:///eu-west-3a/i-0123456789abcdef0',
};

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint, region: 'eu-west-3', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  doc = DynamoDBDocumentClient.from(client);
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

describe('Class: DynamoClaimStore', () => {
  describe('claim', () => {
    it('creates the claim and counts it once in its pool', async () => {
      const pool = newPool();
      const out = await store().claim({ pool, claimId: 'c-first', owner: 'exec-1', max: 3, reason: 'scale up', offering });
      expect(out).toMatchObject({
        created: true,
        activeClaims: 1,
        claim: { claimId: 'c-first', pool, owner: 'exec-1', status: 'claimed', reason: 'scale up' },
      });
      expect(await store().get('c-first')).toEqual(out.claim);
      expect(await poolState(pool)).toMatchObject({ active: 1, claims: { 'c-first': 1 } });
    });

    it('is idempotent for the same claim id and owner: found, not counted again', async () => {
      const pool = newPool();
      const first = await store().claim({ pool, claimId: 'c-retry', owner: 'exec-1', max: 3, reason: 'r', offering });
      const again = await store().claim({ pool, claimId: 'c-retry', owner: 'exec-1', max: 3, reason: 'r', offering });
      expect(again).toEqual({ claim: first.claim, created: false, activeClaims: 1 });
      expect((await poolState(pool))?.active).toBe(1);
    });

    it('never exceeds max: of 10 concurrent claims with max 3, exactly 3 succeed', async () => {
      const pool = newPool();
      const s = store();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.claim({ pool, claimId: `c-race-${i}`, owner: `exec-${i}`, max: 3, reason: 'burst', offering })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(3);
      expect(lost).toHaveLength(7);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(PoolAtCapacityError);
        expect(r.reason.message).toBe(`pool ${pool} already has its max of 3 nodes claimed; raise pools[].max or wait for a release`);
      }
      const state = await poolState(pool);
      expect(state?.active).toBe(3);
      expect(Object.keys(state?.claims ?? {})).toHaveLength(3);
    });

    it("refuses with DuplicateRequestError while another execution's claim is in progress, and reuses it once active", async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-shared', owner: 'exec-a', max: 3, reason: 'r', offering });
      const refusal = store().claim({ pool, claimId: 'c-shared', owner: 'exec-b', max: 3, reason: 'r', offering });
      await expect(refusal).rejects.toBeInstanceOf(DuplicateRequestError);
      await expect(refusal).rejects.toThrow('request already in progress in execution exec-a (claim c-shared); wait for it to finish');

      await store().complete('c-shared', 'exec-a', vm, 'node-a');
      const reused = await store().claim({ pool, claimId: 'c-shared', owner: 'exec-b', max: 3, reason: 'r', offering });
      expect(reused).toMatchObject({ created: false, activeClaims: 1, claim: { status: 'active', owner: 'exec-a', nodeName: 'node-a' } });
    });

    it('gives a claim id to exactly one of two executions racing for it', async () => {
      const pool = newPool();
      const results = await Promise.allSettled(
        ['exec-a', 'exec-b', 'exec-c'].map((owner) => store().claim({ pool, claimId: 'c-contended', owner, max: 5, reason: 'r', offering })),
      );
      const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<DynamoClaimStore['claim']>>> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => r.reason.name)).toEqual(['DuplicateRequestError', 'DuplicateRequestError']);
      expect((await store().get('c-contended'))?.owner).toBe(won[0].value.claim.owner);
      expect((await poolState(pool))?.active).toBe(1);
    });

    it('lets a new execution take a released claim id again', async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-again', owner: 'exec-a', max: 1, reason: 'r', offering });
      await store().release('c-again', pool, 'exec-a', 'TransientError: boom');
      const out = await store().claim({ pool, claimId: 'c-again', owner: 'exec-b', max: 1, reason: 'retry', offering });
      expect(out).toMatchObject({ created: true, activeClaims: 1, claim: { owner: 'exec-b', status: 'claimed', reason: 'retry' } });
    });
  });

  describe('release', () => {
    it('frees capacity once, however often it is called, and marks the claim released with an expiry', async () => {
      const pool = newPool();
      const now = new Date('2031-03-04T05:06:07.000Z');
      const s = store(() => now);
      for (const id of ['c-1', 'c-2', 'c-3']) await s.claim({ pool, claimId: id, owner: 'exec-1', max: 3, reason: 'r', offering });
      await expect(s.claim({ pool, claimId: 'c-4', owner: 'exec-1', max: 3, reason: 'r', offering })).rejects.toBeInstanceOf(PoolAtCapacityError);

      expect(await s.release('c-2', pool, 'exec-1', 'RegistrationTimeout: no node')).toEqual({ released: true, activeClaims: 2 });
      expect(await s.release('c-2', pool, 'exec-1', 'RegistrationTimeout: no node')).toEqual({ released: false, activeClaims: 2 });
      expect(await poolState(pool)).toMatchObject({ active: 2, claims: { 'c-1': 1, 'c-3': 1 } });

      expect(await rawClaim('c-2')).toMatchObject({
        status: 'released',
        releaseReason: 'RegistrationTimeout: no node',
        expiresAt: Math.floor(now.getTime() / 1000) + 30 * DAY,
      });
      expect((await s.claim({ pool, claimId: 'c-4', owner: 'exec-1', max: 3, reason: 'r', offering })).created).toBe(true);
    });

    it('is a no-op for a claim that was never made, on a pool never used', async () => {
      const pool = newPool();
      expect(await store().release('c-never', pool, 'exec-1', 'released')).toEqual({ released: false, activeClaims: 0 });
      expect(await rawClaim('c-never')).toBeUndefined();
    });
  });

  describe('attachVm and complete', () => {
    it('records the VM, then marks the claim active with its node', async () => {
      const pool = newPool();
      const s = store();
      await s.claim({ pool, claimId: 'c-node', owner: 'exec-1', max: 3, reason: 'r', offering });
      await s.attachVm('c-node', 'exec-1', vm);
      expect(await s.get('c-node')).toMatchObject({ status: 'launched', vm });

      const done = await s.complete('c-node', 'exec-1', vm, 'ip-10-0-1-5');
      expect(done).toMatchObject({ claimId: 'c-node', pool, status: 'active', nodeName: 'ip-10-0-1-5', vm });
      expect(done).not.toHaveProperty('pk');
      expect(await s.get('c-node')).toEqual(done);
    });

    it('refuses to record a VM or node for a claim that does not exist', async () => {
      await expect(store().attachVm('c-ghost', 'exec-1', vm)).rejects.toBeInstanceOf(ClaimNotOwnedError);
      await expect(store().complete('c-ghost', 'exec-1', vm, 'n')).rejects.toThrow('claim c-ghost does not exist; this execution may not record its node');
      expect(await rawClaim('c-ghost')).toBeUndefined();
    });
  });

  describe('fencing by owner', () => {
    it("refuses another execution's VM, node and offering, and leaves its claim and count alone on release", async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-fenced', owner: 'exec-a', max: 3, reason: 'r', offering });

      await expect(store().attachVm('c-fenced', 'exec-b', vm)).rejects.toThrow(
        'claim c-fenced is claimed and owned by execution exec-a; this execution may not record its VM',
      );
      await expect(store().complete('c-fenced', 'exec-b', vm, 'node-b')).rejects.toBeInstanceOf(ClaimNotOwnedError);
      await expect(store().tryOffering('c-fenced', 'exec-b', 0, { ...offering, index: 1 })).rejects.toBeInstanceOf(ClaimNotOwnedError);
      expect(await store().release('c-fenced', pool, 'exec-b', 'InternalServerError: boom')).toEqual({ released: false, activeClaims: 1 });

      expect(await store().get('c-fenced')).toMatchObject({ owner: 'exec-a', status: 'claimed', offering });
      expect(await poolState(pool)).toMatchObject({ active: 1, claims: { 'c-fenced': 1 } });
      expect(await store().release('c-fenced', pool, 'exec-a', 'done')).toEqual({ released: true, activeClaims: 0 });
    });

    it('refuses to record a node on a claim its owner already released', async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-gone', owner: 'exec-a', max: 3, reason: 'r', offering });
      await store().release('c-gone', pool, 'exec-a', 'RegistrationTimeout: late');
      await expect(store().complete('c-gone', 'exec-a', vm, 'late-node')).rejects.toThrow('claim c-gone is released and owned by execution exec-a');
      expect((await poolState(pool))?.active).toBe(0);
    });

    it('leaves nothing behind when the pool is full: the refused claim is released and not counted', async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-full-1', owner: 'exec-1', max: 1, reason: 'r', offering });
      await expect(store().claim({ pool, claimId: 'c-full-2', owner: 'exec-2', max: 1, reason: 'r', offering })).rejects.toBeInstanceOf(PoolAtCapacityError);
      expect(await rawClaim('c-full-2')).toMatchObject({ status: 'released', owner: 'exec-2', releaseReason: expect.stringMatching(/^PoolAtCapacityError: /) });
      expect(await poolState(pool)).toMatchObject({ active: 1, claims: { 'c-full-1': 1 } });
    });
  });

  describe('tryOffering', () => {
    it('records the next offering once; a retry of the same move gets what the claim records', async () => {
      const pool = newPool();
      const s = store();
      await s.claim({ pool, claimId: 'c-offer', owner: 'exec-1', max: 3, reason: 'r', offering });
      const second: OfferingAttempt = { index: 1, type: 't3.medium', zone: 'eu-west-3b', subnetId: 'subnet-2' };
      expect(await s.tryOffering('c-offer', 'exec-1', 0, second)).toEqual(second);
      // The answer of that move was lost: the retry asks again from 0 and resumes offering 1, not a later one.
      expect(await s.tryOffering('c-offer', 'exec-1', 0, second)).toEqual(second);
      expect((await s.get('c-offer'))?.offering).toEqual(second);
      // A retried claim step resumes the recorded offering.
      expect((await s.claim({ pool, claimId: 'c-offer', owner: 'exec-1', max: 3, reason: 'r', offering })).claim.offering).toEqual(second);
    });
  });

  describe('audit', () => {
    it('writes claim, node and release entries under the day, each expiring after 90 days', async () => {
      const pool = newPool();
      const now = new Date('2030-07-08T09:10:11.000Z');
      const s = store(() => now);
      await s.claim({ pool, claimId: 'c-audit', owner: 'exec-1', max: 3, reason: 'audit test', offering });
      await s.complete('c-audit', 'exec-1', vm, 'ip-10-0-1-5');
      await s.release('c-audit', pool, 'exec-1', 'scale down');

      const out = await doc.send(
        new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'AUDIT#2030-07-08' } }),
      );
      const entries = out.Items ?? [];
      expect(entries.map((e) => e.event).sort()).toEqual(['claim.created', 'claim.released', 'node.provisioned']);
      for (const e of entries) {
        expect(e.expiresAt).toBe(Math.floor(now.getTime() / 1000) + 90 * DAY);
        expect(e.sk).toMatch(/^2030-07-08T09:10:11\.000Z#[a-z0-9]+$/);
      }
      expect(entries.find((e) => e.event === 'node.provisioned')?.detail).toEqual({
        pool,
        claimId: 'c-audit',
        nodeName: 'ip-10-0-1-5',
        provider: 'aws',
        vmId: vm.id,
        zone: 'eu-west-3a',
        type: 't3.medium',
      });
      expect(entries.find((e) => e.event === 'claim.created')?.detail).toMatchObject({ pool, owner: 'exec-1', reason: 'audit test', activeClaims: 1 });
    });

    it("copies the entries that name a node into the node's history, read back in time order with one Query", async () => {
      const pool = newPool();
      let now = new Date('2030-07-09T01:00:00.000Z');
      const s = store(() => now);
      await s.claim({ pool, claimId: 'c-hist', owner: 'exec-1', max: 3, reason: 'history test', offering });
      now = new Date('2030-07-09T01:02:00.000Z');
      await s.complete('c-hist', 'exec-1', vm, 'node-hist-1');
      now = new Date('2030-07-09T02:00:00.000Z');
      await s.takeForRemoval('c-hist', 'exec-rm', 2_000_000_000);
      now = new Date('2030-07-10T00:00:01.000Z');
      await s.audit('node.removed', { pool, claimId: 'c-hist', nodeName: 'node-hist-1' });
      await s.audit('node.removed', { pool, claimId: 'c-other', nodeName: 'node-hist-2' });

      const history = await new DynamoNodeHistory(TABLE, client).entries('node-hist-1');
      expect(history.map((e) => [e.at, e.event])).toEqual([
        ['2030-07-09T01:02:00.000Z', 'node.provisioned'],
        ['2030-07-09T02:00:00.000Z', 'node.removal.started'],
        ['2030-07-10T00:00:01.000Z', 'node.removed'],
      ]);
      expect(history[0].detail).toMatchObject({ pool, claimId: 'c-hist', nodeName: 'node-hist-1', vmId: vm.id });
      // The removal record shares the node's partition and is not an audit entry.
      expect(await s.claimOfNode('node-hist-1')).toBe('c-hist');
      const raw = await doc.send(
        new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'NODE#node-hist-1' } }),
      );
      for (const item of (raw.Items ?? []).filter((i) => i.sk !== 'REMOVAL')) {
        expect(item.expiresAt).toBe(Math.floor(Date.parse(String(item.sk).slice(6, 30)) / 1000) + 90 * DAY);
      }
      expect(raw.Items?.map((i) => i.sk).sort()).toContain('REMOVAL');
      expect(await new DynamoNodeHistory(TABLE, client).entries('node-never-seen')).toEqual([]);
    });
  });

  describe('expiry', () => {
    const at = (iso: string) => () => new Date(iso);
    const epoch = (iso: string) => Date.parse(iso) / 1000;

    it('does not count an expired claim that is still claimed or launched: the next claim gets its place, and the expired one is listed', async () => {
      const pool = newPool();
      const early = store(at('2026-01-01T00:00:00Z'));
      await early.claim({ pool, claimId: 'c-lost', owner: 'exec-lost', max: 2, reason: 'r', expiresAt: epoch('2026-01-01T06:00:00Z'), offering });
      await early.attachVm('c-lost', 'exec-lost', vm);
      await early.claim({ pool, claimId: 'c-live', owner: 'exec-live', max: 2, reason: 'r', expiresAt: epoch('2026-01-02T06:00:00Z'), offering });
      await expect(early.claim({ pool, claimId: 'c-early', owner: 'exec-3', max: 2, reason: 'r', offering })).rejects.toBeInstanceOf(PoolAtCapacityError);
      expect(await early.expiredClaims(pool)).toEqual([]);

      const later = store(at('2026-01-01T07:00:00Z'));
      expect(await later.expiredClaims(pool)).toEqual(['c-lost']);
      const out = await later.claim({ pool, claimId: 'c-next', owner: 'exec-4', max: 2, reason: 'r', expiresAt: epoch('2026-01-02T07:00:00Z'), offering });
      expect(out).toMatchObject({ created: true, activeClaims: 2 });
      // One place only: the expired claim made room for one claim, not two.
      await expect(later.claim({ pool, claimId: 'c-more', owner: 'exec-5', max: 2, reason: 'r', offering })).rejects.toBeInstanceOf(PoolAtCapacityError);
      expect(await later.get('c-lost')).toMatchObject({ status: 'launched', claimExpiresAt: epoch('2026-01-01T06:00:00Z') });

      // Reaped: released, it leaves the counter and the expiries.
      await later.release('c-lost', pool, 'exec-lost', 'ClaimExpired: reaped');
      expect(await later.expiredClaims(pool)).toEqual([]);
      expect(await poolState(pool)).toMatchObject({ active: 2, expiries: { 'c-live': expect.any(Number), 'c-next': expect.any(Number) } });
    });

    it('never expires a claim whose node is recorded: complete forgets its expiry', async () => {
      const pool = newPool();
      const early = store(at('2026-01-01T00:00:00Z'));
      await early.claim({ pool, claimId: 'c-done', owner: 'exec-1', max: 1, reason: 'r', expiresAt: epoch('2026-01-01T06:00:00Z'), offering });
      await early.complete('c-done', 'exec-1', vm, 'node-1');
      const later = store(at('2026-01-03T00:00:00Z'));
      expect(await later.expiredClaims(pool)).toEqual([]);
      await expect(later.claim({ pool, claimId: 'c-after', owner: 'exec-2', max: 1, reason: 'r', offering })).rejects.toBeInstanceOf(PoolAtCapacityError);
    });

    it('keeps the TTL attribute (expiresAt) off a claim in progress: DynamoDB must not delete the record of a VM that may run', async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-ttl', owner: 'exec-1', max: 1, reason: 'r', expiresAt: 1_900_000_000, offering });
      const raw = await rawClaim('c-ttl');
      expect(raw?.claimExpiresAt).toBe(1_900_000_000);
      expect(raw?.expiresAt).toBeUndefined();
    });

    it('lists the claims a pool counts, with the expiries of those in progress, for validate-input; none before the first claim', async () => {
      const pool = newPool();
      expect(await store().poolClaims(pool)).toEqual({ counted: [], expiries: {} });
      await store().claim({ pool, claimId: 'c-a', owner: 'exec-1', max: 3, reason: 'r', expiresAt: 1_900_000_000, offering });
      await store().claim({ pool, claimId: 'c-b', owner: 'exec-2', max: 3, reason: 'r', expiresAt: 1_900_000_100, offering });
      await store().complete('c-b', 'exec-2', vm, 'node-b');
      await store().claim({ pool, claimId: 'c-gone', owner: 'exec-3', max: 3, reason: 'r', offering });
      await store().release('c-gone', pool, 'exec-3', 'done');
      const listed = await store().poolClaims(pool);
      expect(listed.counted.sort()).toEqual(['c-a', 'c-b']);
      expect(listed.expiries).toEqual({ 'c-a': 1_900_000_000 });
    });

    it('adds the expiries to a pool counted before claims expired', async () => {
      const pool = newPool();
      await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: `POOL#${pool}`, sk: 'STATE', claims: { 'c-old': 1 }, active: 1 } }));
      const out = await store().claim({ pool, claimId: 'c-new', owner: 'exec-1', max: 2, reason: 'r', expiresAt: 1_900_000_000, offering });
      expect(out.activeClaims).toBe(2);
      expect(await poolState(pool)).toMatchObject({ active: 2, claims: { 'c-old': 1, 'c-new': 1 }, expiries: { 'c-new': 1_900_000_000 } });
    });
  });

  describe('removal', () => {
    async function activeNode(pool: string, claimId: string, owner = 'exec-provision'): Promise<void> {
      await store().claim({ pool, claimId, owner, max: 3, reason: 'r', offering });
      await store().complete(claimId, owner, vm, `node-${claimId}`);
    }

    it('takes an active claim for the removing execution, records the Node name and keeps the claim counted', async () => {
      const pool = newPool();
      await activeNode(pool, 'c-rm-1');
      const taken = await store().takeForRemoval('c-rm-1', 'exec-remove', 5_000);
      expect(taken).toMatchObject({
        status: 'removing',
        owner: 'exec-remove',
        previousOwner: 'exec-provision',
        leaseExpiresAt: 5_000,
        nodeName: 'node-c-rm-1',
      });
      expect(await store().claimOfNode('node-c-rm-1')).toBe('c-rm-1');
      expect((await poolState(pool))?.active).toBe(1);
      // Its owner now releases it: the count goes.
      await store().release('c-rm-1', pool, 'exec-remove', 'removed');
      expect((await poolState(pool))?.active).toBe(0);
      expect(await store().claimOfNode('node-c-rm-1')).toBe('c-rm-1');
    });

    it('refuses a second removal while the lease holds, and lets one take over once it has passed', async () => {
      const pool = newPool();
      await activeNode(pool, 'c-rm-2');
      const at = (s: number) => () => new Date(s * 1000);
      await store(at(1_000)).takeForRemoval('c-rm-2', 'exec-a', 2_000);
      await expect(store(at(1_500)).takeForRemoval('c-rm-2', 'exec-b', 3_000)).rejects.toBeInstanceOf(ClaimNotOwnedError);
      // The same execution retrying is let through.
      await store(at(1_500)).takeForRemoval('c-rm-2', 'exec-a', 2_000);
      const later = await store(at(2_001)).takeForRemoval('c-rm-2', 'exec-b', 9_000);
      expect(later).toMatchObject({ owner: 'exec-b', previousOwner: 'exec-provision', leaseExpiresAt: 9_000 });
    });

    it('refuses a claim still being provisioned or already released', async () => {
      const pool = newPool();
      await store().claim({ pool, claimId: 'c-rm-3', owner: 'exec-p', max: 3, reason: 'r', offering });
      await expect(store().takeForRemoval('c-rm-3', 'exec-r', 9_000)).rejects.toBeInstanceOf(ClaimNotOwnedError);
      await store().release('c-rm-3', pool, 'exec-p', 'done');
      await expect(store().takeForRemoval('c-rm-3', 'exec-r', 9_000)).rejects.toBeInstanceOf(ClaimNotOwnedError);
    });

    it('gives the claim back to its provisioner (idempotently), or ends the lease so that the next removal may take it', async () => {
      const pool = newPool();
      await activeNode(pool, 'c-rm-4');
      await store().takeForRemoval('c-rm-4', 'exec-r', 9_999_999_999);
      await store().giveBack('c-rm-4', 'exec-r');
      await store().giveBack('c-rm-4', 'exec-r');
      const back = await rawClaim('c-rm-4');
      expect(back).toMatchObject({ status: 'active', owner: 'exec-provision' });
      expect(back).not.toHaveProperty('previousOwner');
      expect(back).not.toHaveProperty('leaseExpiresAt');

      await store().takeForRemoval('c-rm-4', 'exec-r2', 9_999_999_999);
      await store().endLease('c-rm-4', 'exec-r2');
      expect(await rawClaim('c-rm-4')).toMatchObject({ status: 'removing', owner: 'exec-r2', leaseExpiresAt: 0 });
      expect(await store().takeForRemoval('c-rm-4', 'exec-r3', 9_999_999_999)).toMatchObject({ owner: 'exec-r3', previousOwner: 'exec-provision' });
    });

    it('a heal that stopped counting the claim for its replacement and gives up before the Node is deleted counts it again, once', async () => {
      const pool = newPool();
      await activeNode(pool, 'c-rm-5');
      await activeNode(pool, 'c-rm-6');
      await store().takeForRemoval('c-rm-5', 'exec-heal', 9_999_999_999);
      expect(await store().stopCounting('c-rm-5', pool, 'exec-heal')).toEqual({ uncounted: true });
      expect(await poolState(pool)).toMatchObject({ active: 1, claims: { 'c-rm-6': 1 } });
      // Its replacement took the room meanwhile (ProvisionNode claims anew): the pool is at its max of 2.
      await store().claim({ pool, claimId: 'c-rm-7', owner: 'exec-replacement', max: 2, reason: 'r', offering });

      await store().giveBack('c-rm-5', 'exec-heal');
      await store().giveBack('c-rm-5', 'exec-heal');
      // The old node stays, so it counts again beside the replacement, even above max: the count is exact.
      const state = await poolState(pool);
      expect(state?.active).toBe(3);
      expect(Object.keys(state?.claims ?? {}).sort()).toEqual(['c-rm-5', 'c-rm-6', 'c-rm-7']);
      const back = await rawClaim('c-rm-5');
      expect(back).toMatchObject({ status: 'active', owner: 'exec-provision' });
      expect(back).not.toHaveProperty('replacing');
      // Released by its provisioner later, it frees exactly its one place.
      await store().release('c-rm-5', pool, 'exec-provision', 'removed');
      expect((await poolState(pool))?.active).toBe(2);
    });

    it('a removal that never stopped counting the claim gives it back without counting it twice', async () => {
      const pool = newPool();
      await activeNode(pool, 'c-rm-8');
      await store().takeForRemoval('c-rm-8', 'exec-r', 9_999_999_999);
      await store().giveBack('c-rm-8', 'exec-r');
      expect(await poolState(pool)).toMatchObject({ active: 1, claims: { 'c-rm-8': 1 } });
    });
  });
});
