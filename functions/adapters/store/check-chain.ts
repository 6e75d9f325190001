import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckChain, CheckTick } from '../../decisions/dns/check-ticks.js';
import { isConditionFailed } from './dynamo-errors.js';

/** The check chain's one item (decisions/dns/check-ticks.ts): its generation, the last tick run and when. */
export interface CheckChainStore {
  get(): Promise<CheckChain | undefined>;
  /**
   * Records `tick` as run when it is the chain's next (tickVerdict, checked by DynamoDB with the write): true for
   * exactly one copy of a tick, false for a duplicate or a tick of another generation. With no chain recorded the
   * tick's generation becomes the chain.
   */
  claim(tick: CheckTick, now: Date): Promise<boolean>;
  /**
   * Starts `generation` in place of `observed` (what the keep-alive read): false when something changed the chain
   * in between (another keep-alive, a tick), which then stands.
   */
  restart(observed: CheckChain | undefined, generation: string, now: Date): Promise<boolean>;
}

/** Item `DNSTICKS` / `CHAIN`, beside the DNSCHECK#<entrypoint> check states. */
export const CHECK_CHAIN_PARTITION = 'DNSTICKS';

/** One conditional write per tick (GetItem only in the keep-alive): the cheapest way to keep one chain. */
export class DynamoCheckChainStore implements CheckChainStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly key: { pk: string; sk: string };

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    /** The chain item's partition: another chain (the cluster hints) keeps its own item. */
    partition = CHECK_CHAIN_PARTITION,
  ) {
    this.doc = DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}));
    this.key = { pk: partition, sk: 'CHAIN' };
  }

  async get(): Promise<CheckChain | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }));
    const item = out.Item;
    if (!item || typeof item.generation !== 'string') return undefined;
    return { generation: item.generation, seq: Number(item.seq ?? 0), lastTickAt: String(item.lastTickAt ?? '') };
  }

  async claim(tick: CheckTick, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key,
          UpdateExpression: 'SET generation = :g, seq = :s, lastTickAt = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR (generation = :g AND seq < :s)',
          ExpressionAttributeValues: { ':g': tick.generation, ':s': tick.seq, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async restart(observed: CheckChain | undefined, generation: string, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          // seq 0: the new generation's first tick (seq 1) is the next one.
          Item: { ...this.key, generation, seq: 0, lastTickAt: now.toISOString(), restartedAt: now.toISOString() },
          ...(observed
            ? {
                ConditionExpression: 'generation = :g AND seq = :s',
                ExpressionAttributeValues: { ':g': observed.generation, ':s': observed.seq },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
