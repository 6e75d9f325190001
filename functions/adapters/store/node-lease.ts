import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type LeaseAvailability, leaseAvailability, type NodeLease } from '../../decisions/node-lease.js';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

export type AcquireOutcome =
  | {
      acquired: true;
      lease: NodeLease /** Why it was free: no lease, released, expired, or already this owner's. */;
      took: Extract<LeaseAvailability, { free: true }>['why'];
      previousOwner?: string;
    }
  | { acquired: false; holder: string; leaseExpiresAt: number; reason: string };

export type RenewOutcome = { renewed: true; leaseExpiresAt: number } | { renewed: false; reason: string; holder?: string };

export type ReleaseOutcome = { released: true } | { released: false; reason: string; holder?: string };

/** One heal per node: leases taken by a workflow's execution, which expire on their own. */
export interface NodeLeaseStore {
  /** Takes the lease for `ttlSeconds` when it is free for `owner` (see leaseAvailability); re-entrant for its owner. */
  acquire(node: string, owner: string, ttlSeconds: number): Promise<AcquireOutcome>;
  /** Extends the owner's lease to `ttlSeconds` from now; never takes a lease `owner` does not hold. */
  renew(node: string, owner: string, ttlSeconds: number): Promise<RenewOutcome>;
  /** Lets the owner's lease go; a lease held by another (or by nobody) is left as it is, and the outcome says so. */
  release(node: string, owner: string): Promise<ReleaseOutcome>;
  get(node: string): Promise<NodeLease | undefined>;
}

/**
 * How long a lease's item outlives the lease before the table's TTL (`expiresAt`) deletes it: a crashed heal's lease
 * stays readable for a day. The rule never depends on TTL, which deletes items up to days late.
 */
const RECORD_SECONDS = 86_400;

/** A lease taken between our read and our retry: try again a few times, then report the holder. */
const ACQUIRE_ATTEMPTS = 3;

/** Item `LEASE#<node>` / `LEASE`, beside the claims' POOL#, CLAIM# and AUDIT# items (functions/adapters/store/claims.ts). */
const key = (node: string) => ({ pk: `LEASE#${node}`, sk: 'LEASE' });

/** The condition of `leaseAvailability`, for DynamoDB to check atomically with the write. */
const FREE_FOR_ME = 'attribute_not_exists(pk) OR attribute_not_exists(#o) OR #o = :me OR leaseExpiresAt <= :now';

export class DynamoNodeLeaseStore implements NodeLeaseStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = documentClient(client);
  }

  async acquire(node: string, owner: string, ttlSeconds: number): Promise<AcquireOutcome> {
    for (let attempt = 1; ; attempt++) {
      const now = this.seconds();
      const lease: NodeLease = { node, owner, leaseExpiresAt: now + ttlSeconds, acquiredAt: this.now().toISOString() };
      try {
        const out = await this.doc
          .send(
            new PutCommand({
              TableName: this.table,
              Item: { ...key(node), ...lease, expiresAt: lease.leaseExpiresAt + RECORD_SECONDS },
              ConditionExpression: FREE_FOR_ME,
              ExpressionAttributeNames: { '#o': 'owner' },
              ExpressionAttributeValues: { ':me': owner, ':now': now },
              ReturnValues: 'ALL_OLD',
            }),
          )
          .catch(rethrow('PutItem'));
        const previous = out.Attributes ? toLease(out.Attributes) : undefined;
        const was = leaseAvailability(previous, owner, now);
        const took = was.free ? was.why : 'expired';
        const previousOwner = previous?.owner !== undefined && previous.owner !== owner ? previous.owner : undefined;
        return { acquired: true, lease, took, ...(previousOwner ? { previousOwner } : {}) };
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        const current = await this.get(node);
        const availability = leaseAvailability(current, owner, this.seconds());
        if (!availability.free)
          return { acquired: false, holder: availability.holder, leaseExpiresAt: availability.leaseExpiresAt, reason: availability.reason };
        // Released or expired since the write was refused: take it now, unless it keeps changing hands.
        if (attempt >= ACQUIRE_ATTEMPTS) throw err;
      }
    }
  }

  async renew(node: string, owner: string, ttlSeconds: number): Promise<RenewOutcome> {
    const leaseExpiresAt = this.seconds() + ttlSeconds;
    try {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: key(node),
            UpdateExpression: 'SET leaseExpiresAt = :until, expiresAt = :record, renewedAt = :at',
            ConditionExpression: '#o = :me',
            ExpressionAttributeNames: { '#o': 'owner' },
            ExpressionAttributeValues: { ':me': owner, ':until': leaseExpiresAt, ':record': leaseExpiresAt + RECORD_SECONDS, ':at': this.now().toISOString() },
          }),
        )
        .catch(rethrow('UpdateItem'));
      return { renewed: true, leaseExpiresAt };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { renewed: false, ...(await this.notHeld(node, owner)) };
    }
  }

  async release(node: string, owner: string): Promise<ReleaseOutcome> {
    const now = this.seconds();
    try {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: key(node),
            UpdateExpression: 'SET releasedBy = #o, releasedAt = :at, leaseExpiresAt = :now, expiresAt = :record REMOVE #o',
            ConditionExpression: '#o = :me',
            ExpressionAttributeNames: { '#o': 'owner' },
            ExpressionAttributeValues: { ':me': owner, ':at': this.now().toISOString(), ':now': now, ':record': now + RECORD_SECONDS },
          }),
        )
        .catch(rethrow('UpdateItem'));
      return { released: true };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { released: false, ...(await this.notHeld(node, owner)) };
    }
  }

  async get(node: string): Promise<NodeLease | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(node), ConsistentRead: true })).catch(rethrow('GetItem'));
    return out.Item ? toLease(out.Item) : undefined;
  }

  /**
   * The leases not released, soonest to expire first: held ones, and those a crashed heal let expire (their expiry is
   * in the past). The caller compares expiries with its own clock. The table has no index for leases, so this scans
   * (an operator's read for `shepherd status`, not the workflow's: the functions' IAM grants no Scan); lease items
   * expire from the table a day after their lease.
   */
  async openLeases(): Promise<NodeLease[]> {
    const leases: NodeLease[] = [];
    const pages = paginateScan(
      { client: this.doc },
      {
        TableName: this.table,
        FilterExpression: 'begins_with(pk, :lease) AND sk = :sk AND attribute_exists(#o)',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':lease': 'LEASE#', ':sk': 'LEASE' },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) leases.push(toLease(item));
    return leases.sort((a, b) => a.leaseExpiresAt - b.leaseExpiresAt);
  }

  /** Why `owner` does not hold the lease, read after a refused write. */
  private async notHeld(node: string, owner: string): Promise<{ reason: string; holder?: string }> {
    const current = await this.get(node);
    if (!current) return { reason: `no lease on node ${node}` };
    if (current.owner === undefined) return { reason: `the lease on node ${node} was already released by ${current.releasedBy ?? 'its owner'}` };
    // The owner changed between the write and this read: it is still not `owner`'s to change.
    if (current.owner === owner) return { reason: `the lease on node ${node} changed while it was being updated; try again` };
    return { reason: `the lease on node ${node} is held by execution ${current.owner}, not by ${owner}`, holder: current.owner };
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

function toLease(item: Record<string, unknown>): NodeLease {
  const { pk: _pk, sk: _sk, expiresAt: _e, renewedAt: _r, ...rest } = item;
  return { ...rest, leaseExpiresAt: Number(rest.leaseExpiresAt) } as NodeLease;
}

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
