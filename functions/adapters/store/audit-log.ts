import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ThrottledError } from '../../runtime/errors.js';
import { retryableDynamoError } from './dynamo-errors.js';

/** Audit entries expire from the table (its TTL attribute `expiresAt`) after this many days. */
export const AUDIT_TTL_DAYS = 90;

/** The sort keys of a node's audit entries in its `NODE#<name>` partition, beside the removal record (sk `REMOVAL`). */
export const NODE_AUDIT_PREFIX = 'AUDIT#';

/**
 * BatchWriteItem returns the puts it could not apply (throttling, an internal error) as UnprocessedItems, to be sent
 * again with exponential backoff ("BatchWriteItem", DynamoDB API Reference). Past these attempts the workflow retries.
 */
const BATCH_ATTEMPTS = 5;
const BATCH_BACKOFF_MS = 50;

export interface AuditEntry {
  /** When it was written (ISO 8601). */
  at: string;
  event: string;
  detail: Record<string, unknown>;
}

/** The partition of a node's audit entries (the removal record of RemoveNode lives there too). */
export function nodePartition(nodeName: string): string {
  return `NODE#${nodeName}`;
}

/**
 * The items of one audit entry: always `AUDIT#<yyyy-mm-dd>` / `<iso>#<n>` (the day's log), and for each node the
 * detail names (`nodeName`, or `nodeNames` for an entry about several, as a DNS change) also `NODE#<name>` /
 * `AUDIT#<iso>#<n>`, so that one node's history is one Query. Same n, same TTL.
 */
export function auditItems(event: string, detail: Record<string, unknown>, now: Date, n: string): Record<string, unknown>[] {
  const iso = now.toISOString();
  const body = { event, detail, expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_TTL_DAYS * 86400 };
  const items: Record<string, unknown>[] = [{ pk: `AUDIT#${iso.slice(0, 10)}`, sk: `${iso}#${n}`, ...body }];
  for (const name of namedNodes(detail)) items.push({ pk: nodePartition(name), sk: `${NODE_AUDIT_PREFIX}${iso}#${n}`, ...body });
  return items;
}

function namedNodes(detail: Record<string, unknown>): string[] {
  const names = [detail.nodeName, ...(Array.isArray(detail.nodeNames) ? detail.nodeNames : [])];
  return [...new Set(names.filter((x): x is string => typeof x === 'string' && x !== ''))];
}

/** BatchWriteItem takes at most 25 puts ("BatchWriteItem", DynamoDB API Reference). */
const BATCH_MAX_ITEMS = 25;

/**
 * Writes one audit entry: a PutItem, or when it names nodes a BatchWriteItem of its items (one request per 25; batches
 * have no transactions, so the unprocessed ones are sent again until they land or the attempts run out).
 */
export async function writeAudit(
  doc: DynamoDBDocumentClient,
  table: string,
  event: string,
  detail: Record<string, unknown>,
  now: Date,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const items = auditItems(event, detail, now, Math.random().toString(36).slice(2, 10));
  if (items.length === 1) {
    await doc.send(new PutCommand({ TableName: table, Item: items[0] })).catch(rethrow('PutItem'));
    return;
  }
  for (let i = 0; i < items.length; i += BATCH_MAX_ITEMS) await writeBatch(doc, table, event, items.slice(i, i + BATCH_MAX_ITEMS), sleep);
}

async function writeBatch(
  doc: DynamoDBDocumentClient,
  table: string,
  event: string,
  items: Record<string, unknown>[],
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; ; attempt++) {
    const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } })).catch(rethrow('BatchWriteItem'));
    const unprocessed = out.UnprocessedItems?.[table] ?? [];
    if (unprocessed.length === 0) return;
    if (attempt >= BATCH_ATTEMPTS) {
      throw new ThrottledError(
        `DynamoDB left ${unprocessed.length} audit item(s) of ${event} unprocessed after ${attempt} BatchWriteItem attempts; retrying with backoff`,
      );
    }
    requests = unprocessed as typeof requests;
    await sleep(BATCH_BACKOFF_MS * 2 ** (attempt - 1));
  }
}

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
