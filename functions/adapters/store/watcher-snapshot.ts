import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { emptySnapshot, type WatcherSnapshot } from '../../decisions/watcher/types.js';
import { WATCHER_PARTITION } from '../../watcher/constants.js';
import { isConditionFailed } from './dynamo-errors.js';

const HEAD = 'SNAPSHOT';
/** The item that says which pass publishes the transitions decided from a generation (claimPublication). */
const PUBLISHING = 'PUBLISHING';
/** A claim stands this long: past the watcher's timeout (50 s), so only a pass that died leaves it to another. */
export const PUBLICATION_HOLD_MS = 60_000;
/** DynamoDB items hold at most 400 KB (names and values); a chunk stays well below. */
const CHUNK_BYTES = 300_000;

export interface StoredSnapshot {
  snapshot: WatcherSnapshot;
  /** Counts saves; 0 before the first. Transition ids derive from it, and a save is conditional on it. */
  generation: number;
  /** Of the saved JSON, to skip saving an unchanged snapshot. */
  digest?: string;
  /** How many chunk items it was split into (0: it fits in the head item). */
  chunks?: number;
  /** When the pass that saved it started (ISO 8601): the last pass that changed the snapshot. */
  savedAt?: string;
}

export type SaveOutcome = 'saved' | 'unchanged' | 'superseded';

/**
 * The watcher's snapshot in the shepherd table, gzipped JSON. It holds only what is not plainly fine (NotReady
 * Nodes, VMs without a Node, degraded providers), so it is a few hundred bytes in a healthy cluster and one item;
 * during a mass outage of 5,000 Nodes it may outgrow an item, and is then split into chunk items:
 *   WATCHER / SNAPSHOT                  { generation, digest, data (gzip) | chunks: n }
 *   WATCHER / SNAPSHOT#<generation>#<i> { data (gzip part i) }   written before the head that names them
 * The head is written only when the snapshot changed, on condition that its generation is still the one read, so
 * two passes that overlap never both save (the second's events carry ids the first's consumers already dedupe).
 */
export class DynamoWatcherSnapshotStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async read(): Promise<StoredSnapshot> {
    const head = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: WATCHER_PARTITION, sk: HEAD }, ConsistentRead: true }))).Item as
      | { generation: number; digest: string; data?: Uint8Array; chunks?: number; savedAt?: string }
      | undefined;
    if (!head) return { snapshot: emptySnapshot(), generation: 0 };
    let data = head.data;
    if (!data) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < (head.chunks ?? 0); i++) {
        const out = await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: { pk: WATCHER_PARTITION, sk: chunkKey(head.generation, i) }, ConsistentRead: true }),
        );
        const part = (out.Item as { data?: Uint8Array } | undefined)?.data;
        if (!part) throw new SnapshotCorruptError(`watcher snapshot generation ${head.generation}: chunk ${i} of ${head.chunks} is missing`);
        parts.push(part);
      }
      data = Buffer.concat(parts);
    }
    return {
      snapshot: { ...emptySnapshot(), ...(JSON.parse(gunzipSync(data).toString('utf8')) as WatcherSnapshot) },
      generation: head.generation,
      digest: head.digest,
      chunks: head.chunks ?? 0,
      ...(head.savedAt ? { savedAt: head.savedAt } : {}),
    };
  }

  /** Saves `next` over the snapshot `previous` was read as; nothing when it did not change. */
  async save(next: WatcherSnapshot, previous: StoredSnapshot, savedAt: string): Promise<SaveOutcome> {
    const json = JSON.stringify(next);
    const digest = createHash('sha256').update(json).digest('hex');
    if (digest === previous.digest) return 'unchanged';
    const generation = previous.generation + 1;
    const data = gzipSync(json);
    const chunks = data.length <= CHUNK_BYTES ? 0 : Math.ceil(data.length / CHUNK_BYTES);
    for (let i = 0; i < chunks; i++) {
      const part = data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: WATCHER_PARTITION, sk: chunkKey(generation, i), data: part } }));
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: WATCHER_PARTITION, sk: HEAD, generation, digest, savedAt, ...(chunks ? { chunks } : { data }) },
          ...(previous.generation === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'generation = :g', ExpressionAttributeValues: { ':g': previous.generation } }),
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      await this.deleteChunks(generation, chunks);
      return 'superseded';
    }
    // The chunks of the snapshot just replaced are no longer named by the head.
    await this.deleteChunks(previous.generation, previous.chunks ?? 0);
    return 'saved';
  }

  /**
   * Claims the publication of the transitions decided from `previous` (its generation): true for one pass only, so
   * that two passes that read the same snapshot (the schedule's and one a cluster hint started) never both publish
   * them. A claim left by a pass that died before saving lapses after PUBLICATION_HOLD_MS; the pass after that
   * publishes the same transitions under the same ids, and nothing is lost. One conditional write, made only by a
   * pass that has something to publish.
   */
  async claimPublication(previous: StoredSnapshot, at: string): Promise<boolean> {
    const now = Date.parse(at);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: WATCHER_PARTITION, sk: PUBLISHING, basis: previous.generation, until: now + PUBLICATION_HOLD_MS, claimedAt: at },
          ConditionExpression: 'attribute_not_exists(pk) OR basis < :g OR (basis = :g AND #until < :now)',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':g': previous.generation, ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  private async deleteChunks(generation: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: WATCHER_PARTITION, sk: chunkKey(generation, i) } }));
    }
  }
}

export class SnapshotCorruptError extends Error {
  override name = 'SnapshotCorruptError';
}

function chunkKey(generation: number, i: number): string {
  return `${HEAD}#${generation}#${i}`;
}
