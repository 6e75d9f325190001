import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckChain, CheckTick } from '../../decisions/dns/check-ticks.js';
import { isConditionFailed } from './dynamo-errors.js';

/** A tick chain's one item (decisions/dns/check-ticks.ts): its generation, the last lead run, when, and what it covers. */
export interface CheckChainStore {
  get(): Promise<CheckChain | undefined>;
  /**
   * Records the lead `tick` as run, covering the chain until `coveredUntil`, when it is the chain's next (tickVerdict,
   * checked by DynamoDB with the write): true for exactly one copy of a lead, false for a duplicate or a lead of
   * another generation. With no chain recorded the tick's generation becomes the chain.
   */
  claim(tick: CheckTick, now: Date, coveredUntil: Date): Promise<boolean>;
  /**
   * Sets what the lead `tick` covers after its send (less than its claim said: part or all of the batch was not
   * sent), unless the chain moved on since: false then.
   */
  cover(tick: CheckTick, coveredUntil: Date): Promise<boolean>;
  /**
   * Starts `generation` in place of `observed` (what the keep-alive read): false when something changed the chain
   * in between (another keep-alive, a lead), which then stands.
   */
  restart(observed: CheckChain | undefined, generation: string, now: Date): Promise<boolean>;
}

/** The DNS check chain's item `DNSTICKS` / `CHAIN`, beside the DNSCHECK#<entrypoint> check states. */
export const CHECK_CHAIN_PARTITION = 'DNSTICKS';
const SORT_KEY = 'CHAIN';

/**
 * One conditional write per batch of ticks (GetItem only in the keep-alive and when a claim loses): the cheapest way to
 * keep one chain. `partition` names the chain's item, so that another chain (another cadence) can live in the same
 * table under its own key.
 */
export class DynamoCheckChainStore implements CheckChainStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly key: { pk: string; sk: string };

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    partition: string = CHECK_CHAIN_PARTITION,
  ) {
    this.doc = DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}));
    this.key = { pk: partition, sk: SORT_KEY };
  }

  async get(): Promise<CheckChain | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }));
    const item = out.Item;
    if (!item || typeof item.generation !== 'string') return undefined;
    return {
      generation: item.generation,
      seq: Number(item.seq ?? 0),
      lastTickAt: String(item.lastTickAt ?? ''),
      ...(typeof item.coveredUntil === 'string' ? { coveredUntil: item.coveredUntil } : {}),
    };
  }

  async claim(tick: CheckTick, now: Date, coveredUntil: Date): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key,
        UpdateExpression: 'SET generation = :g, seq = :s, lastTickAt = :now, coveredUntil = :until',
        ConditionExpression: 'attribute_not_exists(pk) OR (generation = :g AND seq < :s)',
        ExpressionAttributeValues: { ':g': tick.generation, ':s': tick.seq, ':now': now.toISOString(), ':until': coveredUntil.toISOString() },
      }),
    );
  }

  async cover(tick: CheckTick, coveredUntil: Date): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key,
        UpdateExpression: 'SET coveredUntil = :until',
        ConditionExpression: 'generation = :g AND seq = :s',
        ExpressionAttributeValues: { ':g': tick.generation, ':s': tick.seq, ':until': coveredUntil.toISOString() },
      }),
    );
  }

  async restart(observed: CheckChain | undefined, generation: string, now: Date): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        // seq 0: the new generation's first tick (seq 1) is the next one.
        Item: { ...this.key, generation, seq: 0, lastTickAt: now.toISOString(), coveredUntil: now.toISOString(), restartedAt: now.toISOString() },
        ...(observed
          ? {
              ConditionExpression: 'generation = :g AND seq = :s',
              ExpressionAttributeValues: { ':g': observed.generation, ':s': observed.seq },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
  }

  private async conditional(command: UpdateCommand | PutCommand): Promise<boolean> {
    try {
      await this.doc.send(command as UpdateCommand);
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
