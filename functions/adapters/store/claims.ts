import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { PoolClaims } from '../../decisions/pool-capacity.js';
import type { OfferingAttempt, VmRef } from '../../decisions/provision.js';
import { ClaimNotOwnedError, DuplicateRequestError, PoolAtCapacityError } from '../../runtime/errors.js';
import { writeAudit } from './audit-log.js';
import { documentClient } from './document-client.js';
import { retryableDynamoError } from './dynamo-errors.js';

/** `removing`: a RemoveNode execution (the owner then) is taking the node down; the claim still counts. */
export type ClaimStatus = 'claimed' | 'launched' | 'active' | 'removing' | 'released';

export interface Claim {
  claimId: string;
  pool: string;
  /** The execution (ARN) that owns the claim: only it changes the claim, its VM or its Node. */
  owner: string;
  status: ClaimStatus;
  reason: string;
  /** The offering being tried, recorded before each launch so that a retry resumes it. */
  offering?: OfferingAttempt;
  vm?: VmRef;
  nodeName?: string;
  releaseReason?: string;
  /**
   * Epoch seconds after which the claim, while still claimed or launched, is no longer counted and is reaped: its
   * execution is over by then. Not `expiresAt`, the table's TTL attribute: TTL would delete the record of a VM that
   * may still run.
   */
  claimExpiresAt?: number;
  /** While removing: the owner before the removal took the claim (it gets it back if the removal gives up). */
  previousOwner?: string;
  /** While removing: epoch seconds until which the removing execution holds the claim (its execution's timeout). */
  leaseExpiresAt?: number;
  /** Set by a heal that replaces the node: the claim no longer counts against its pool's max (stopCounting). */
  replacing?: boolean;
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
  /** The first offering to try. */
  offering: OfferingAttempt;
}

export interface ClaimResult {
  claim: Claim;
  /** True when this call created the claim; false when it found it (a retry or the same request). */
  created: boolean;
  /** Claims the pool holds now, this one included. */
  activeClaims: number;
}

/** Capacity claims, node records and the audit log. Every change to a claim is made only for its owner. */
export interface ClaimStore {
  claim(input: ClaimInput): Promise<ClaimResult>;
  attachVm(claimId: string, owner: string, vm: VmRef): Promise<void>;
  complete(claimId: string, owner: string, vm: VmRef, nodeName: string): Promise<Claim>;
  tryOffering(claimId: string, owner: string, from: number, next: OfferingAttempt): Promise<OfferingAttempt>;
  release(claimId: string, pool: string, owner: string, reason: string): Promise<{ released: boolean; activeClaims: number }>;
  get(claimId: string): Promise<Claim | undefined>;
  /** Claims of the pool still counted whose expiry has passed: their execution is over, their VM may run. */
  expiredClaims(pool: string): Promise<string[]>;
  audit(event: string, detail: Record<string, unknown>): Promise<void>;
  /** The claim a removal recorded for a Node name (so a second run by name finds the claim after the Node is gone). */
  claimOfNode(nodeName: string): Promise<string | undefined>;
  /** Fences the claim to a RemoveNode execution until `leaseExpiresAt`; see DynamoClaimStore.takeForRemoval. */
  takeForRemoval(claimId: string, owner: string, leaseExpiresAt: number): Promise<Claim>;
  /** A removal that gave up before the Node was deleted: the claim is active again, for its previous owner, and counted again if a heal had stopped counting it. */
  giveBack(claimId: string, owner: string): Promise<void>;
  /** A removal that failed after the Node was deleted: the claim stays removing, free for the next removal to take. */
  endLease(claimId: string, owner: string): Promise<void>;
}

const RELEASED_TTL_DAYS = 30;

/** Statuses in which the owner is still working on the claim. */
const IN_PROGRESS = { ':claimed': 'claimed', ':launched': 'launched' };

/**
 * One DynamoDB table. Items:
 *   POOL#<pool> / STATE           { claims: map<claimId, 1>, active: number,   (the capacity counter)
 *                                   expiries: map<claimId, epoch s> }        (claims not yet active, and when they expire)
 *   CLAIM#<claimId> / CLAIM       the claim record
 *   AUDIT#<yyyy-mm-dd> / <iso>#<n> audit entries, expiring after 90 days (audit-log.ts)
 *   NODE#<node> / AUDIT#<iso>#<n>  the same entries again by node, for those whose detail names one (`nodeName`)
 *   NODE#<node> / REMOVAL          the claim a removal took for the node (claimOfNode)
 *   LEASE#<node> / LEASE          a heal's lease on a node (node-lease.ts)
 *   SWITCH#remediation / SWITCH   the pause switch (remediation-switch.ts)
 *   ORPHAN#<provider>/<vm> / TERMINATION  an orphan VM the orphan collector terminates (orphan-terminations.ts)
 * The counter and the claim-id map change in one conditional update, so a claim is counted once and
 * never above max, without transactions. A claim id is counted only while an execution owns its record (the record
 * is written first and released last), so only the owner ever counts or un-counts it.
 */
export class DynamoClaimStore implements ClaimStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    // The SDK retries throttling and 5xx a few times (its standard mode); past that the workflow retries.
    this.doc = documentClient(client);
  }

  async claim(input: ClaimInput): Promise<ClaimResult> {
    const existing = await this.get(input.claimId);
    if (existing && existing.status !== 'released') return this.found(existing, input);
    const at = this.now().toISOString();
    const claim: Claim = {
      claimId: input.claimId,
      pool: input.pool,
      owner: input.owner,
      status: 'claimed',
      reason: input.reason,
      ...(input.expiresAt !== undefined ? { claimExpiresAt: input.expiresAt } : {}),
      offering: input.offering,
      createdAt: at,
      updatedAt: at,
    };
    try {
      // Two executions sharing a request id race here: the one whose record lands first owns the claim, the other is
      // told who does. Only then is the claim counted.
      await this.doc
        .send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `CLAIM#${input.claimId}`, sk: 'CLAIM', ...claim },
            ConditionExpression: 'attribute_not_exists(pk) OR #s = :released',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':released': 'released' },
          }),
        )
        .catch(rethrow('PutItem'));
    } catch (err) {
      const current = isConditionFailed(err) ? await this.get(input.claimId) : undefined;
      if (!current) throw err;
      return this.found(current, input);
    }
    const active = await this.countOrGiveBack(input);
    await this.audit('claim.created', { pool: input.pool, claimId: input.claimId, owner: input.owner, reason: input.reason, activeClaims: active });
    return { claim, created: true, activeClaims: active };
  }

  /** A claim that already exists: the same execution retrying, a request already done, or another execution's. */
  private async found(existing: Claim, input: ClaimInput): Promise<ClaimResult> {
    if (existing.owner !== input.owner) {
      if (existing.status !== 'active') {
        throw new DuplicateRequestError(`request already in progress in execution ${existing.owner} (claim ${input.claimId}); wait for it to finish`);
      }
      return { claim: existing, created: false, activeClaims: await this.activeClaims(input.pool) };
    }
    // This execution's own claim, from an attempt whose answer was lost: that attempt may have stopped between the
    // record and the count, so count it (counting is idempotent).
    const activeClaims = existing.status === 'active' ? await this.activeClaims(input.pool) : await this.countOrGiveBack(input);
    return { claim: existing, created: false, activeClaims };
  }

  /** Counts the claim; at max, releases the refused claim's record so that nothing of it stays. */
  private async countOrGiveBack(input: ClaimInput): Promise<number> {
    try {
      return await this.count(input);
    } catch (err) {
      if (err instanceof PoolAtCapacityError) await this.markReleased(input.claimId, input.owner, `${err.name}: ${err.message}`);
      throw err;
    }
  }

  /**
   * Counts the claim in its pool once, never above max; returns the pool's claims now. Expired claims still in the
   * counter (their execution is over; the reaper has not released them yet) do not count against max: the limit
   * is raised by as many as were read expired, so two claimers racing for the same room still get one place each.
   */
  private async count(input: ClaimInput, poolInitialized = false, expiredRoom = 0): Promise<number> {
    const expiry = input.expiresAt !== undefined;
    try {
      const out = await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `POOL#${input.pool}`, sk: 'STATE' },
            UpdateExpression: expiry ? 'SET claims.#c = :one, expiries.#c = :exp ADD active :one' : 'SET claims.#c = :one ADD active :one',
            ConditionExpression: 'attribute_not_exists(claims.#c) AND (attribute_not_exists(active) OR active < :max)',
            ExpressionAttributeNames: { '#c': input.claimId },
            ExpressionAttributeValues: { ':one': 1, ':max': input.max + expiredRoom, ...(expiry ? { ':exp': input.expiresAt } : {}) },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch(rethrow('UpdateItem'));
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
      .catch(rethrow('UpdateItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }

  /** Records the launched VM, for the claim's owner only. */
  async attachVm(claimId: string, owner: string, vm: VmRef): Promise<void> {
    await this.ownerUpdate(claimId, owner, 'record its VM', {
      UpdateExpression: 'SET vm = :vm, #s = :s, updatedAt = :at',
      ConditionExpression: '#o = :me AND #s IN (:claimed, :launched)',
      ExpressionAttributeValues: { ':vm': vm, ':s': 'launched', ':at': this.now().toISOString(), ...IN_PROGRESS },
    });
  }

  /** Marks the claim active with its node, for the claim's owner only (again when retried). */
  async complete(claimId: string, owner: string, vm: VmRef, nodeName: string): Promise<Claim> {
    const out = await this.ownerUpdate(claimId, owner, 'record its node', {
      UpdateExpression: 'SET vm = :vm, nodeName = :n, #s = :s, updatedAt = :at',
      ConditionExpression: '#o = :me AND #s IN (:claimed, :launched, :s)',
      ExpressionAttributeValues: { ':vm': vm, ':n': nodeName, ':s': 'active', ':at': this.now().toISOString(), ...IN_PROGRESS },
      ReturnValues: 'ALL_NEW',
    });
    const claim = strip(out.Attributes) as unknown as Claim;
    // Counted for good now: a node that runs never expires.
    await this.forgetExpiry(claim.pool, claimId);
    await this.audit('node.provisioned', { pool: claim.pool, claimId, nodeName, provider: vm.provider, vmId: vm.id, zone: vm.zone, type: vm.type });
    return claim;
  }

  /**
   * Moves the claim from offering `from` to `next` (after a definite capacity error on `from`), for its owner only.
   * Idempotent: when a retry finds the claim already moved on, it gets the offering the claim records.
   */
  async tryOffering(claimId: string, owner: string, from: number, next: OfferingAttempt): Promise<OfferingAttempt> {
    try {
      await this.ownerUpdate(claimId, owner, 'try another offering', {
        UpdateExpression: 'SET offering = :next, updatedAt = :at',
        ConditionExpression: '#o = :me AND #s IN (:claimed, :launched) AND offering.#i = :from',
        ExpressionAttributeNames: { '#i': 'index' },
        ExpressionAttributeValues: { ':next': next, ':from': from, ':at': this.now().toISOString(), ...IN_PROGRESS },
      });
      return next;
    } catch (err) {
      const current = err instanceof ClaimNotOwnedError ? await this.get(claimId) : undefined;
      if (current?.owner === owner && current.offering && current.status !== 'released') return current.offering;
      throw err;
    }
  }

  /**
   * Releases the claim, for its owner only; idempotent (releasing twice counts once). The count goes first, while the
   * record is still the owner's (nobody else can take it before it is released).
   */
  async release(claimId: string, pool: string, owner: string, reason: string): Promise<{ released: boolean; activeClaims: number }> {
    const claim = await this.get(claimId);
    if (!claim || claim.owner !== owner || claim.status === 'released') return { released: false, activeClaims: await this.activeClaims(pool) };
    let released = true;
    try {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `POOL#${pool}`, sk: 'STATE' },
            UpdateExpression: 'REMOVE claims.#c ADD active :minus',
            ConditionExpression: 'attribute_exists(claims.#c)',
            ExpressionAttributeNames: { '#c': claimId },
            ExpressionAttributeValues: { ':minus': -1 },
          }),
        )
        .catch(rethrow('UpdateItem'));
    } catch (err) {
      if (!(isConditionFailed(err) || (err as Error).name === 'ValidationException')) throw err;
      released = false;
    }
    await this.markReleased(claimId, owner, reason);
    await this.forgetExpiry(pool, claimId);
    if (released) await this.audit('claim.released', { pool, claimId, owner, reason: reason.slice(0, 1000) });
    return { released, activeClaims: await this.activeClaims(pool) };
  }

  /** Marks the owner's claim record released, with an expiry; a record already released or not the owner's is left. */
  private async markReleased(claimId: string, owner: string, reason: string): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + RELEASED_TTL_DAYS * 86400;
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' },
          UpdateExpression: 'SET #s = :s, releaseReason = :r, updatedAt = :at, expiresAt = :exp',
          ConditionExpression: '#o = :me AND #s <> :s',
          ExpressionAttributeNames: { '#s': 'status', '#o': 'owner' },
          ExpressionAttributeValues: { ':s': 'released', ':me': owner, ':r': reason.slice(0, 1000), ':at': this.now().toISOString(), ':exp': expiresAt },
        }),
      )
      .catch(rethrow('UpdateItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }

  /** An update of the claim record conditioned on its owner; ClaimNotOwnedError when the condition fails. */
  private async ownerUpdate(
    claimId: string,
    owner: string,
    what: string,
    update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues' | 'ReturnValues'>,
  ) {
    try {
      return await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' },
            ...update,
            ExpressionAttributeNames: { '#s': 'status', '#o': 'owner', ...update.ExpressionAttributeNames },
            ExpressionAttributeValues: { ':me': owner, ...update.ExpressionAttributeValues },
          }),
        )
        .catch(rethrow('UpdateItem'));
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const current = await this.get(claimId);
      const holder = current ? `is ${current.status} and owned by execution ${current.owner}` : 'does not exist';
      throw new ClaimNotOwnedError(`claim ${claimId} ${holder}; this execution may not ${what}`);
    }
  }

  /**
   * The claim-owner fence of a removal, as ProvisionNode's: the claim moves from active to removing and to this
   * execution, in one conditional update. A claim already removing is taken over only by the same execution (a
   * retry) or once the holder's lease has passed (its execution is over). The Node's name is recorded beside it, so
   * that a second run by name finds the released claim and says there is nothing left to do.
   */
  async takeForRemoval(claimId: string, owner: string, leaseExpiresAt: number): Promise<Claim> {
    const now = this.now();
    const out = await this.ownerUpdate(claimId, owner, 'remove its node', {
      UpdateExpression: 'SET previousOwner = if_not_exists(previousOwner, #o), #o = :me, #s = :removing, leaseExpiresAt = :lease, updatedAt = :at',
      ConditionExpression: '#s = :active OR (#s = :removing AND (#o = :me OR leaseExpiresAt < :now))',
      ExpressionAttributeValues: {
        ':active': 'active',
        ':removing': 'removing',
        ':lease': leaseExpiresAt,
        ':now': Math.floor(now.getTime() / 1000),
        ':at': now.toISOString(),
      },
      ReturnValues: 'ALL_NEW',
    });
    const claim = strip(out.Attributes) as unknown as Claim;
    if (claim.nodeName) {
      await this.doc
        .send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: `NODE#${claim.nodeName}`,
              sk: 'REMOVAL',
              claimId,
              execution: owner,
              at: now.toISOString(),
              expiresAt: Math.floor(now.getTime() / 1000) + RELEASED_TTL_DAYS * 86400,
            },
          }),
        )
        .catch(rethrow('PutItem'));
    }
    await this.audit('node.removal.started', { pool: claim.pool, claimId, nodeName: claim.nodeName, owner, previousOwner: claim.previousOwner });
    return claim;
  }

  /**
   * A heal replaces the claim's node: the claim stops counting against its pool's max now, so that the replacement
   * (which ProvisionNode claims anew) is not refused while the old node is still being torn down; a spot node about
   * to be reclaimed is replaced before it goes. Only the claim's owner (the healing execution, which holds it as
   * removing) does this; again is harmless. Its later release finds it uncounted and only marks the record.
   */
  async stopCounting(claimId: string, pool: string, owner: string): Promise<{ uncounted: boolean }> {
    await this.ownerUpdate(claimId, owner, 'stop counting it for its replacement', {
      UpdateExpression: 'SET replacing = :true, updatedAt = :at',
      ConditionExpression: '#o = :me AND #s = :removing',
      ExpressionAttributeValues: { ':true': true, ':removing': 'removing', ':at': this.now().toISOString() },
    });
    try {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `POOL#${pool}`, sk: 'STATE' },
            UpdateExpression: 'REMOVE claims.#c ADD active :minus',
            ConditionExpression: 'attribute_exists(claims.#c)',
            ExpressionAttributeNames: { '#c': claimId },
            ExpressionAttributeValues: { ':minus': -1 },
          }),
        )
        .catch(rethrow('UpdateItem'));
    } catch (err) {
      if (!(isConditionFailed(err) || (err as Error).name === 'ValidationException')) throw err;
      return { uncounted: false };
    }
    await this.audit('claim.replacing', { pool, claimId, owner, nodeName: (await this.get(claimId))?.nodeName });
    return { uncounted: true };
  }

  async claimOfNode(nodeName: string): Promise<string | undefined> {
    const out = await this.doc
      .send(new GetCommand({ TableName: this.table, Key: { pk: `NODE#${nodeName}`, sk: 'REMOVAL' }, ConsistentRead: true }))
      .catch(rethrow('GetItem'));
    return out.Item?.claimId as string | undefined;
  }

  /**
   * A heal that stopped counting the claim (stopCounting) and gave up before the Node was deleted gives the node back
   * counted again, before the claim changes hands (while it is still this execution's, so a retry finds it to recount).
   */
  async giveBack(claimId: string, owner: string): Promise<void> {
    const current = await this.get(claimId);
    if (current?.owner === owner && current.status === 'removing' && current.replacing) await this.countAgain(current.pool, claimId, owner);
    try {
      const out = await this.ownerUpdate(claimId, owner, 'give the claim back', {
        UpdateExpression: 'SET #o = previousOwner, #s = :active, updatedAt = :at REMOVE previousOwner, leaseExpiresAt, replacing',
        ConditionExpression: '#o = :me AND #s = :removing AND attribute_exists(previousOwner)',
        ExpressionAttributeValues: { ':active': 'active', ':removing': 'removing', ':at': this.now().toISOString() },
        ReturnValues: 'ALL_NEW',
      });
      const claim = strip(out.Attributes) as unknown as Claim;
      await this.audit('node.removal.abandoned', { pool: claim.pool, claimId, nodeName: claim.nodeName, owner });
    } catch (err) {
      // Given back already (a retry): the claim is active and no longer this execution's.
      if (!(err instanceof ClaimNotOwnedError)) throw err;
    }
  }

  /**
   * Counts a claim whose node stays, once (a retry finds it counted), whatever the pool's max: the node runs, so the
   * count says so even when the replacement started beside the teardown already took the room.
   */
  private async countAgain(pool: string, claimId: string, owner: string, poolInitialized = false): Promise<void> {
    try {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: `POOL#${pool}`, sk: 'STATE' },
            UpdateExpression: 'SET claims.#c = :one ADD active :one',
            ConditionExpression: 'attribute_not_exists(claims.#c)',
            ExpressionAttributeNames: { '#c': claimId },
            ExpressionAttributeValues: { ':one': 1 },
          }),
        )
        .catch(rethrow('UpdateItem'));
    } catch (err) {
      if (isConditionFailed(err)) return;
      if ((err as Error).name === 'ValidationException' && !poolInitialized) {
        await this.initPool(pool);
        return this.countAgain(pool, claimId, owner, true);
      }
      throw err;
    }
    await this.audit('claim.counted-again', {
      pool,
      claimId,
      owner,
      nodeName: (await this.get(claimId))?.nodeName,
      activeClaims: await this.activeClaims(pool),
    });
  }

  async endLease(claimId: string, owner: string): Promise<void> {
    try {
      await this.ownerUpdate(claimId, owner, 'end its lease', {
        UpdateExpression: 'SET leaseExpiresAt = :zero, updatedAt = :at',
        ConditionExpression: '#o = :me AND #s = :removing',
        ExpressionAttributeValues: { ':zero': 0, ':removing': 'removing', ':at': this.now().toISOString() },
      });
    } catch (err) {
      if (!(err instanceof ClaimNotOwnedError)) throw err;
    }
  }

  async get(claimId: string): Promise<Claim | undefined> {
    const out = await this.doc
      .send(new GetCommand({ TableName: this.table, Key: { pk: `CLAIM#${claimId}`, sk: 'CLAIM' }, ConsistentRead: true }))
      .catch(rethrow('GetItem'));
    return out.Item ? (strip(out.Item) as unknown as Claim) : undefined;
  }

  /** See writeAudit: an entry whose detail names a node (`nodeName`) is also written to that node's history. */
  async audit(event: string, detail: Record<string, unknown>): Promise<void> {
    await writeAudit(this.doc, this.table, event, detail, this.now());
  }

  /** The claim ids the pool's counter holds and the expiries of those not yet active (none before its first claim). */
  async poolClaims(pool: string): Promise<PoolClaims> {
    const state = await this.poolState(pool);
    const expiries = (state?.expiries ?? {}) as Record<string, unknown>;
    return {
      counted: Object.keys((state?.claims ?? {}) as Record<string, unknown>),
      expiries: Object.fromEntries(Object.entries(expiries).map(([claimId, at]) => [claimId, Number(at)])),
    };
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
    const out = await this.doc
      .send(new GetCommand({ TableName: this.table, Key: { pk: `POOL#${pool}`, sk: 'STATE' }, ConsistentRead: true }))
      .catch(rethrow('GetItem'));
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
      .catch(rethrow('PutItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
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
      .catch(rethrow('UpdateItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}

/** Rethrows a DynamoDB error as the workflow retries it (throttling, 5xx); others unchanged. */
function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}

function isConditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
}

function strip(item: Record<string, unknown> | undefined): Record<string, unknown> {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = item ?? {};
  return rest;
}
