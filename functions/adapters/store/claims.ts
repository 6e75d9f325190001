import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { VmRef } from '../../decisions/provision.js';
import { DuplicateRequestError, PoolAtCapacityError } from '../../runtime/errors.js';

export type ClaimStatus = 'claimed' | 'launched' | 'active' | 'released';

export interface Claim {
  claimId: string;
  pool: string;
  owner: string;
  status: ClaimStatus;
  reason: string;
  vm?: VmRef;
  nodeName?: string;
  releaseReason?: string;
  /**
   * Epoch seconds after which the claim, while still claimed or launched, is no longer counted and is reaped: its
   * execution is over by then. Not `expiresAt`, the table's TTL attribute: TTL would delete the record of a VM that
   * may still run.
   */
  claimExpiresAt?: number;
  createdAt: string;
  updatedAt: string;
}

export interface ClaimInput {
  pool: string;
  claimId: string;
  /** The execution claiming. */
  owner: string;
  max: number;
  reason: string;
  /** Epoch seconds: the claim's execution is over by then (see Claim.claimExpiresAt). */
  expiresAt?: number;
}

export interface ClaimResult {
  claim: Claim;
  /** True when this call created the claim; false when it found it (a retry or the same request). */
  created: boolean;
  /** Claims the pool holds now, this one included. */
  activeClaims: number;
}

/** Capacity claims, node records and the audit log. */
export interface ClaimStore {
  claim(input: ClaimInput): Promise<ClaimResult>;
  attachVm(claimId: string, vm: VmRef): Promise<void>;
  complete(claimId: string, vm: VmRef, nodeName: string): Promise<Claim>;
  release(claimId: string, pool: string, reason: string): Promise<{ released: boolean; activeClaims: number }>;
  get(claimId: string): Promise<Claim | undefined>;
  /** Claims of the pool still counted whose expiry has passed: their execution is over, their VM may run. */
  expiredClaims(pool: string): Promise<string[]>;
  audit(event: string, detail: Record<string, unknown>): Promise<void>;
}

const AUDIT_TTL_DAYS = 90;
const RELEASED_TTL_DAYS = 30;

/**
 * One DynamoDB table. Items:
 *   POOL#<pool> / STATE           { claims: map<claimId, 1>, active: number,   (the capacity counter)
 *                                   expiries: map<claimId, epoch s> }        (claims not yet active, and when they expire)
 *   CLAIM#<claimId> / CLAIM       the claim record
 *   AUDIT#<yyyy-mm-dd> / <iso>#<n> audit entries, expiring after 90 days
 * The counter and the claim-id map change in one conditional update, so a claim is counted once and
 * never above max, without transactions.
 */
export class DynamoClaimStore implements ClaimStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    const existing = await this.get(input.claimId);
    if (existing && existing.status !== 'released') return this.found(existing, input);
    const active = await this.count(input);
    const at = this.now().toISOString();
    const claim: Claim = {
      claimId: input.claimId,
      pool: input.pool,
      owner: input.owner,
      status: 'claimed',
      reason: input.reason,
      ...(input.expiresAt !== undefined ? { claimExpiresAt: input.expiresAt } : {}),
      createdAt: at,
      updatedAt: at,
    };
    try {
      // Two executions sharing a request id can both get past the counter (the second finds the claim already
      // counted): the one whose record lands first owns the claim, the other is told who does.
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `CLAIM#${input.claimId}`, sk: 'CLAIM', ...claim },
          ConditionExpression: 'attribute_not_exists(pk) OR #s = :released',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':released': 'released' },
        }),
      );
    } catch (err) {
      const current = isConditionFailed(err) ? await this.get(input.claimId) : undefined;
      if (!current) throw err;
      return this.found(current, input);
    }
    await this.audit('claim.created', { pool: input.pool, claimId: input.claimId, owner: input.owner, reason: input.reason, activeClaims: active });
    return { claim, created: true, activeClaims: active };
  }

  /** A claim that already exists: the same execution retrying, a request already done, or another execution's. */
  private async found(existing: Claim, input: ClaimInput): Promise<ClaimResult> {
    if (existing.owner !== input.owner && existing.status !== 'active') {
      throw new DuplicateRequestError(`request already in progress in execution ${existing.owner} (claim ${input.claimId}); wait for it to finish`);
    }
    return { claim: existing, created: false, activeClaims: await this.activeClaims(input.pool) };
  }

  /**
   * Counts the claim in its pool once, never above max; returns the pool's claims now. Expired claims still in the
   * counter (their execution is over; the reaper has not released them yet) do not count against max: the limit
   * is raised by as many as were read expired, so two claimers racing for the same room still get one place each.
   */
  private async count(input: ClaimInput, poolInitialized = false, expiredRoom = 0): Promise<number> {
    const expiry = input.expiresAt !== undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `POOL#${input.pool}`, sk: 'STATE' },
          UpdateExpression: expiry ? 'SET claims.#c = :one, expiries.#c = :exp ADD active :one' : 'SET claims.#c = :one ADD active :one',
          ConditionExpression: 'attribute_not_exists(claims.#c) AND (attribute_not_exists(active) OR active < :max)',
          ExpressionAttributeNames: { '#c': input.claimId },
          ExpressionAttributeValues: { ':one': 1, ':max': input.max + expiredRoom, ...(expiry ? { ':exp': input.expiresAt } : {}) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Number(out.Attributes?.active ?? 1) - expiredRoom;
    } catch (err) {
      if (isConditionFailed(err)) {
        if (await this.isCounted(input.pool, input.claimId)) return this.activeClaims(input.pool);
        const expired = expiredRoom === 0 ? (await this.expiredClaims(input.pool)).length : 0;
        if (expired > 0) return this.count(input, poolInitialized, expired);
        throw new PoolAtCapacityError(`pool ${input.pool} already has its max of ${input.max} nodes claimed; raise pools[].max or wait for a release`);
      }
      // First claim ever on this pool, or a pool counted before claims expired: a map does not exist yet (once; any
      // other ValidationException is real).
      if ((err as Error).name === 'ValidationException' && !poolInitialized) {
        await this.initPool(input.pool);
        return this.count(input, true, expiredRoom);
      }
      throw err;
    }
  }

  async expiredClaims(pool: string): Promise<string[]> {
    const state = await this.poolState(pool);
    const counted = (state?.claims ?? {}) as Record<string, unknown>;
    const expiries = (state?.expiries ?? {}) as Record<string, unknown>;
    const now = this.now().getTime() / 1000;
    return Object.entries(expiries)
      .filter(([claimId, at]) => counted[claimId] !== undefined && Number(at) <= now)
      .map(([claimId]) => claimId);
  }

  /** The claim no longer expires (its node is recorded) or no longer counts (released). */
  private async forgetExpiry(pool: string, claimId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `POOL#${pool}`, sk: 'STATE' },
          UpdateExpression: 'REMOVE expiries.#c',
          ConditionExpression: 'attribute_exists(expiries.#c)',
          ExpressionAttributeNames: { '#c': claimId },
        }),
      )
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }

  async attachVm(claimId: string, vm: VmRef): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' },
        UpdateExpression: 'SET vm = :vm, #s = :s, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':vm': vm, ':s': 'launched', ':at': this.now().toISOString() },
      }),
    );
  }

  async complete(claimId: string, vm: VmRef, nodeName: string): Promise<Claim> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' },
        UpdateExpression: 'SET vm = :vm, nodeName = :n, #s = :s, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':vm': vm, ':n': nodeName, ':s': 'active', ':at': this.now().toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const claim = strip(out.Attributes) as unknown as Claim;
    // Counted for good now: a node that runs never expires.
    await this.forgetExpiry(claim.pool, claimId);
    await this.audit('node.provisioned', { pool: claim.pool, claimId, nodeName, provider: vm.provider, vmId: vm.id, zone: vm.zone, type: vm.type });
    return claim;
  }

  /** Idempotent: releasing twice counts once. */
  async release(claimId: string, pool: string, reason: string): Promise<{ released: boolean; activeClaims: number }> {
    let released = true;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `POOL#${pool}`, sk: 'STATE' },
          UpdateExpression: 'REMOVE claims.#c ADD active :minus',
          ConditionExpression: 'attribute_exists(claims.#c)',
          ExpressionAttributeNames: { '#c': claimId },
          ExpressionAttributeValues: { ':minus': -1 },
        }),
      );
    } catch (err) {
      if (!(isConditionFailed(err) || (err as Error).name === 'ValidationException')) throw err;
      released = false;
    }
    const expiresAt = Math.floor(this.now().getTime() / 1000) + RELEASED_TTL_DAYS * 86400;
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' },
          UpdateExpression: 'SET #s = :s, releaseReason = :r, updatedAt = :at, expiresAt = :exp',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'released', ':r': reason.slice(0, 1000), ':at': this.now().toISOString(), ':exp': expiresAt },
        }),
      )
      .catch((err) => {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      });
    await this.forgetExpiry(pool, claimId);
    if (released) await this.audit('claim.released', { pool, claimId, reason: reason.slice(0, 1000) });
    return { released, activeClaims: await this.activeClaims(pool) };
  }

  async get(claimId: string): Promise<Claim | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' }, ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as unknown as Claim) : undefined;
  }

  async audit(event: string, detail: Record<string, unknown>): Promise<void> {
    const now = this.now();
    const iso = now.toISOString();
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `AUDIT#${iso.slice(0, 10)}`,
          sk: `${iso}#${Math.random().toString(36).slice(2, 10)}`,
          event,
          detail,
          expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_TTL_DAYS * 86400,
        },
      }),
    );
  }

  /** Claims the pool holds now (0 before its first claim). */
  async activeClaims(pool: string): Promise<number> {
    return Number((await this.poolState(pool))?.active ?? 0);
  }

  /**
   * The most recently updated claims, released ones included. The table has no index by time, so this
   * scans for claim records (an operator's read, not the workflow's: the functions' IAM grants no Scan);
   * released claims expire after 30 days, which keeps the scan small.
   */
  async recentClaims(limit: number): Promise<Claim[]> {
    const claims: Claim[] = [];
    const pages = paginateScan(
      { client: this.doc },
      { TableName: this.table, FilterExpression: 'begins_with(pk, :claim) AND sk = :sk', ExpressionAttributeValues: { ':claim': 'CLAIM#', ':sk': 'CLAIM' } },
    );
    for await (const page of pages) for (const item of page.Items ?? []) claims.push(strip(item) as unknown as Claim);
    return claims.sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt))).slice(0, limit);
  }

  private async isCounted(pool: string, claimId: string): Promise<boolean> {
    return Boolean(((await this.poolState(pool))?.claims as Record<string, unknown> | undefined)?.[claimId]);
  }

  private async poolState(pool: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `POOL#${pool}`, sk: 'STATE' }, ConsistentRead: true }));
    return out.Item;
  }

  private async initPool(pool: string): Promise<void> {
    await this.doc
      .send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `POOL#${pool}`, sk: 'STATE', claims: {}, expiries: {}, active: 0 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((err) => {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      });
    // A pool counted before claims had an expiry.
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `POOL#${pool}`, sk: 'STATE' },
          UpdateExpression: 'SET expiries = :empty',
          ConditionExpression: 'attribute_not_exists(expiries)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      )
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}

function isConditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
}

function strip(item: Record<string, unknown> | undefined): Record<string, unknown> {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = item ?? {};
  return rest;
}
