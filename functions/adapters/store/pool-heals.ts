import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

/**
 * The heals in flight per pool (healing.maxConcurrentPerPool), one item per pool: `POOL#<pool>` / `HEALS`, a map of
 * claim id -> epoch seconds at which that heal's lease ends (a crashed heal stops counting then). Beside the pool's
 * counter (`POOL#<pool>` / `STATE`), which no longer counts a claim once its replacement is under way.
 */
export class DynamoPoolHealStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = documentClient(client);
  }

  /** Heals of the pool whose lease has not ended, by claim id. */
  async inFlight(pool: string): Promise<string[]> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(pool), ConsistentRead: true })).catch(rethrow('GetItem'));
    const heals = (out.Item?.heals ?? {}) as Record<string, unknown>;
    const now = this.now().getTime() / 1000;
    return Object.entries(heals)
      .filter(([, until]) => Number(until) > now)
      .map(([claimId]) => claimId);
  }

  /** Counts the heal of `claimId` until `until` (epoch seconds); again is harmless. */
  async start(pool: string, claimId: string, until: number): Promise<void> {
    const set = () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(pool),
          UpdateExpression: 'SET heals.#c = :until',
          ExpressionAttributeNames: { '#c': claimId },
          ExpressionAttributeValues: { ':until': until },
        }),
      );
    try {
      await set().catch(rethrow('UpdateItem'));
    } catch (err) {
      // The first heal of the pool: the map does not exist yet.
      if ((err as Error).name !== 'ValidationException') throw err;
      await this.doc
        .send(new PutCommand({ TableName: this.table, Item: { ...key(pool), heals: {} }, ConditionExpression: 'attribute_not_exists(pk)' }))
        .catch(rethrow('PutItem'))
        .catch((e) => {
          if (!isConditionFailed(e)) throw e;
        });
      await set().catch(rethrow('UpdateItem'));
    }
  }

  /** The heal of `claimId` ended; a heal not counted is left as it is. */
  async end(pool: string, claimId: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(pool),
          UpdateExpression: 'REMOVE heals.#c',
          ConditionExpression: 'attribute_exists(heals.#c)',
          ExpressionAttributeNames: { '#c': claimId },
        }),
      )
      .catch(rethrow('UpdateItem'))
      .catch((err) => {
        if (!isConditionFailed(err)) throw err;
      });
  }
}

const key = (pool: string) => ({ pk: `POOL#${pool}`, sk: 'HEALS' });

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
