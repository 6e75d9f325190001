import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { type AuditEntry, NODE_AUDIT_PREFIX, nodePartition } from './audit-log.js';

/**
 * One node's audit log (`shepherd history NODE`): the `NODE#<node>` / `AUDIT#...` copies audit-log.ts writes, read
 * with one Query in time order. An operator's read: the functions' IAM grants no Query.
 */
export class DynamoNodeHistory {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
  ) {
    this.doc = DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}));
  }

  /** Oldest first; entries written at the same millisecond keep no particular order. */
  async entries(nodeName: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': nodePartition(nodeName), ':prefix': NODE_AUDIT_PREFIX },
        ScanIndexForward: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        // `AUDIT#<iso>#<n>`: the ISO time is the key's middle.
        const at = sk.slice(NODE_AUDIT_PREFIX.length, sk.lastIndexOf('#'));
        entries.push({ at, event: String(item.event), detail: (item.detail ?? {}) as Record<string, unknown> });
      }
    }
    return entries;
  }
}
