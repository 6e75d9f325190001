import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Claim } from '../functions/adapters/store/claims.js';

/**
 * Claims as the claims handler stores them (functions/adapters/store/claims.ts): a counter item
 * `POOL#<pool>` / `STATE` per pool and a `CLAIM#<id>` / `CLAIM` record per claim.
 */
export class PoolClaimsReader {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client: DynamoDBClient,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  /** Claims the pool holds now (0 before its first claim). */
  async activeClaims(pool: string): Promise<number> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `POOL#${pool}`, sk: 'STATE' }, ConsistentRead: true }));
    return Number(out.Item?.active ?? 0);
  }

  /**
   * The most recently updated claims, released ones included. The table has no index by time, so this scans
   * for claim records; released claims expire after 30 days, which keeps the scan small.
   */
  async recentClaims(limit: number): Promise<Claim[]> {
    const claims: Claim[] = [];
    const pages = paginateScan(
      { client: this.doc },
      { TableName: this.table, FilterExpression: 'begins_with(pk, :claim) AND sk = :sk', ExpressionAttributeValues: { ':claim': 'CLAIM#', ':sk': 'CLAIM' } },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...claim } = item;
        claims.push(claim as Claim);
      }
    }
    return claims.sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt))).slice(0, limit);
  }
}
