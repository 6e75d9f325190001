import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PoolBackoff } from '../../decisions/buffer/backoff.js';
import type { ProviderHealth } from '../../decisions/buffer/scale-down.js';
import { documentClient } from './document-client.js';
import { retryableDynamoError } from './dynamo-errors.js';

/** What ScaleBuffer remembers of one buffer pool between runs. */
export interface BufferPoolMemory {
  pool: string;
  /** Failed scale-ups and the backoff they left (Cluster Autoscaler's node-group backoff). */
  backoff?: PoolBackoff;
  /** Until when its offerings count as out of capacity (Karpenter's 3 min cache). */
  outOfCapacityUntil?: string;
  /** The providers its nodes were added to stand in for; cleared once it is back at its min. */
  standingInFor?: string[];
  /** A person's manual target, held as a floor: automatic scale-down leaves at least `size` nodes until `until`. */
  hold?: PoolHold;
}

export interface PoolHold {
  size: number;
  until: string;
  reason?: string;
}

/** What ScaleBuffer remembers of the cluster between runs. */
export interface BufferClusterMemory {
  lastScaleUpAt?: string;
  /** Since when each buffer node has been unneeded (planScaleDown's memory). */
  unneededSince: Record<string, string>;
  /** The providers the watcher reported degraded, and when those that came back recovered. */
  providers: ProviderHealth[];
}

/** Items `BUFFER#<pool>` / `STATE` and `BUFFER` / `CLUSTER`, beside the claims' and leases' items. */
const poolKey = (pool: string) => ({ pk: `BUFFER#${pool}`, sk: 'STATE' });
const CLUSTER_KEY = { pk: 'BUFFER', sk: 'CLUSTER' };

/**
 * ScaleBuffer's memory in the shepherd table: each buffer pool's backoff and capacity memory, and the cluster's last
 * scale-up, unneeded nodes and provider health. Writes are whole items: the pool leases let one run at a time write.
 */
export class DynamoBufferStateStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
  ) {
    this.doc = documentClient(client);
  }

  async pool(pool: string): Promise<BufferPoolMemory> {
    const item = await this.get(poolKey(pool));
    const { pk: _pk, sk: _sk, ...rest } = item ?? {};
    return { ...(rest as Partial<BufferPoolMemory>), pool };
  }

  async savePool(memory: BufferPoolMemory): Promise<void> {
    await this.put({ ...poolKey(memory.pool), ...memory });
  }

  async cluster(): Promise<BufferClusterMemory> {
    const item = (await this.get(CLUSTER_KEY)) ?? {};
    return {
      ...(typeof item.lastScaleUpAt === 'string' ? { lastScaleUpAt: item.lastScaleUpAt } : {}),
      unneededSince: (item.unneededSince as Record<string, string> | undefined) ?? {},
      providers: (item.providers as ProviderHealth[] | undefined) ?? [],
    };
  }

  async saveCluster(memory: BufferClusterMemory): Promise<void> {
    await this.put({ ...CLUSTER_KEY, ...memory });
  }

  /**
   * Only the unneeded nodes' times, for the scheduled reconcile, which holds no lease: the rest of the item (the last
   * scale-up, provider health) is left as a running execution wrote it.
   */
  async saveUnneededSince(unneededSince: Record<string, string>): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: CLUSTER_KEY,
          UpdateExpression: 'SET unneededSince = :u',
          ExpressionAttributeValues: { ':u': unneededSince },
        }),
      )
      .catch(rethrow('UpdateItem'));
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })).catch(rethrow('GetItem'));
    return out.Item;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item })).catch(rethrow('PutItem'));
  }
}

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
