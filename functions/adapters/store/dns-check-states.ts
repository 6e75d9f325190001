import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { StoredCheckState } from '../../decisions/dns/check-round.js';
import { isUndecided } from '../../decisions/dns/hysteresis.js';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

/** One target's active-check memory as stored: the hysteresis state plus what the last probe saw, and when. */
export type { StoredCheckState };

/** The check runner writes one state per (entrypoint, address); DnsFailover reads an entrypoint's states at once. */
export interface DnsCheckStateStore {
  /** The entrypoint's states by address (empty when none was ever checked). */
  list(entrypoint: string): Promise<Map<string, StoredCheckState>>;
  /** Replaces the state of one address (last writer wins: one runner writes each address per tick). */
  put(entrypoint: string, address: string, state: StoredCheckState): Promise<void>;
  /**
   * Replaces the state of one address only if the stored one is still the one written at `checkedAt` (a fast re-check
   * folds its probe onto the state it was sent for, recheck.ts): false when something wrote it since (another copy of
   * the re-check, or a round), whose write then stands.
   */
  putIfUnchanged(entrypoint: string, address: string, state: StoredCheckState, checkedAt: string): Promise<boolean>;
}

/**
 * How long a state outlives its last check before the table's TTL (`expiresAt`) deletes it: an address no node serves
 * any more stops costing storage after a day. Nothing reads `expiresAt`; a state older than that is simply absent.
 */
const RECORD_SECONDS = 86_400;

/** Items `DNSCHECK#<entrypoint>` / `<address>`, beside the claims' items in the shepherd table. */
const pk = (entrypoint: string) => `DNSCHECK#${entrypoint}`;

export class DynamoDnsCheckStateStore implements DnsCheckStateStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
    /** Strongly consistent reads unless the reader says a stale state is harmless to it (the check runner does). */
    private readonly reads: 'consistent' | 'eventual' = 'consistent',
  ) {
    this.doc = documentClient(client);
  }

  async list(entrypoint: string): Promise<Map<string, StoredCheckState>> {
    const states = new Map<string, StoredCheckState>();
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk(entrypoint) },
        ConsistentRead: this.reads === 'consistent',
      },
    );
    try {
      for await (const page of pages) {
        for (const item of page.Items ?? []) states.set(String(item.sk), toState(item));
      }
    } catch (err) {
      throw retryableDynamoError(err, 'Query');
    }
    return states;
  }

  async put(entrypoint: string, address: string, state: StoredCheckState): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(entrypoint, address, state) })).catch((err) => {
      throw retryableDynamoError(err, 'PutItem');
    });
  }

  async putIfUnchanged(entrypoint: string, address: string, state: StoredCheckState, checkedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(entrypoint, address, state),
          ConditionExpression: 'checkedAt = :checkedAt',
          ExpressionAttributeValues: { ':checkedAt': checkedAt },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw retryableDynamoError(err, 'PutItem');
    }
  }

  private item(entrypoint: string, address: string, state: StoredCheckState): Record<string, unknown> {
    return {
      pk: pk(entrypoint),
      sk: address,
      // An undecided target has `undecided: true` and no `healthy`; an item without `undecided` (all the items the
      // code before it wrote) is decided.
      ...(isUndecided(state) ? { undecided: true } : { healthy: state.healthy }),
      passes: state.passes,
      failures: state.failures,
      nodeName: state.nodeName,
      checkedAt: state.checkedAt,
      detail: state.detail,
      ...(!isUndecided(state) && state.ejections !== undefined ? { ejections: state.ejections } : {}),
      ...(!isUndecided(state) && state.fellAt ? { fellAt: state.fellAt } : {}),
      expiresAt: Math.floor(this.now().getTime() / 1000) + RECORD_SECONDS,
    };
  }
}

function toState(item: Record<string, unknown>): StoredCheckState {
  const passes = Number(item.passes ?? 0);
  const failures = Number(item.failures ?? 0);
  return {
    ...(item.undecided === true
      ? { undecided: true as const, passes, failures }
      : {
          healthy: item.healthy === true,
          passes,
          failures,
          ...(item.ejections !== undefined ? { ejections: Number(item.ejections) } : {}),
          ...(typeof item.fellAt === 'string' ? { fellAt: item.fellAt } : {}),
        }),
    ...(typeof item.nodeName === 'string' ? { nodeName: item.nodeName } : {}),
    checkedAt: String(item.checkedAt ?? ''),
    detail: String(item.detail ?? ''),
  };
}
