import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ORPHAN_TERMINATION_PREFIX } from '../../healing/constants.js';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

/** Kept a week: long past any redelivery of the watcher's event (EventBridge gives up after 2 hours). */
const KEPT_DAYS = 7;

/** What the collector remembers of one orphan it took on: being terminated (under a lease), or terminated. */
export type OrphanTermination =
  | { status: 'terminating'; transitionId: string; leaseUntil: number; startedAt: string }
  | { status: 'terminated'; transitionId: string; startedAt: string; terminatedAt: string };

export type BeginOutcome = { begun: true } | { begun: false; current: OrphanTermination };

export interface OrphanTerminationStore {
  read(provider: string, vmId: string): Promise<OrphanTermination | undefined>;
  /** Takes the orphan on, unless another delivery has it (its lease holds) or it is terminated already. */
  begin(provider: string, vmId: string, transitionId: string, leaseSeconds: number): Promise<BeginOutcome>;
  /** The termination went through: redeliveries of its event are no-ops from now on. */
  finish(provider: string, vmId: string): Promise<void>;
  /** The termination failed: the next delivery takes it on at once instead of waiting for the lease. */
  release(provider: string, vmId: string): Promise<void>;
}

/**
 * Item `ORPHAN#<provider>/<vm id>` / `TERMINATION`: the orphan collector's memory of the VMs it terminated. The
 * providers' lists keep a VM that is being deleted (EC2 shutting-down, GCE STOPPING, a Scaleway node deleting) and do
 * not say so, and EventBridge delivers an event more than once: without this record a redelivery would terminate the
 * VM again and audit it again. A delivery takes the orphan with a conditional write and a lease (the function's
 * timeout), so two deliveries at once terminate it once; a delivery that crashed is taken over once its lease passed.
 */
export class DynamoOrphanTerminationStore implements OrphanTerminationStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = documentClient(client);
  }

  async read(provider: string, vmId: string): Promise<OrphanTermination | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(provider, vmId), ConsistentRead: true })).catch(rethrow('GetItem'));
    return out.Item ? toTermination(out.Item) : undefined;
  }

  async begin(provider: string, vmId: string, transitionId: string, leaseSeconds: number): Promise<BeginOutcome> {
    const now = this.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.doc
        .send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...key(provider, vmId),
              status: 'terminating',
              transitionId,
              leaseUntil: nowSeconds + leaseSeconds,
              startedAt: now.toISOString(),
              expiresAt: nowSeconds + KEPT_DAYS * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR (#s = :terminating AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':terminating': 'terminating', ':now': nowSeconds },
          }),
        )
        .catch(rethrow('PutItem'));
      return { begun: true };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const current = await this.read(provider, vmId);
      // Gone between the write and the read (its TTL): taking it on is safe, the next write decides.
      if (!current) return this.begin(provider, vmId, transitionId, leaseSeconds);
      return { begun: false, current };
    }
  }

  async finish(provider: string, vmId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(provider, vmId),
          UpdateExpression: 'SET #s = :terminated, terminatedAt = :at REMOVE leaseUntil',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':terminated': 'terminated', ':at': this.now().toISOString() },
        }),
      )
      .catch(rethrow('UpdateItem'));
  }

  async release(provider: string, vmId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(provider, vmId),
          UpdateExpression: 'SET leaseUntil = :zero',
          ConditionExpression: '#s = :terminating',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':zero': 0, ':terminating': 'terminating' },
        }),
      )
      .catch(rethrow('UpdateItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}

function key(provider: string, vmId: string) {
  return { pk: `${ORPHAN_TERMINATION_PREFIX}${provider}/${vmId}`, sk: 'TERMINATION' };
}

function toTermination(item: Record<string, unknown>): OrphanTermination {
  const base = { transitionId: String(item.transitionId ?? ''), startedAt: String(item.startedAt ?? '') };
  if (item.status === 'terminated') return { status: 'terminated', ...base, terminatedAt: String(item.terminatedAt ?? '') };
  return { status: 'terminating', ...base, leaseUntil: Number(item.leaseUntil ?? 0) };
}

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
