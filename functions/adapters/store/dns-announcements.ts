import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Announcements } from '../../decisions/dns/types.js';
import { documentClient } from './document-client.js';
import { retryableDynamoError } from './dynamo-errors.js';

/**
 * Nodes an EC2 event announced as going away, remembered so that the runs after the one the event started (another
 * event, the periodic reconcile) keep them out of DNS until the VM is gone: items `DNSANNOUNCED` / `<node>`, each
 * with the epoch second it stops counting (`until`) and the table's TTL a day later.
 */
export class DynamoDnsAnnouncementStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = documentClient(client);
  }

  /** Remembers each node's announcement for `seconds` from now (again: the later end wins). */
  async remember(announced: Announcements, seconds: number): Promise<void> {
    const until = this.seconds() + seconds;
    for (const [node, why] of Object.entries(announced)) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: PK, sk: node, why, until, expiresAt: until + 86_400 } })).catch((err) => {
        throw retryableDynamoError(err, 'PutItem');
      });
    }
  }

  /** The announcements that still count, by node name. */
  async current(): Promise<Announcements> {
    const out: Announcements = {};
    const now = this.seconds();
    try {
      for await (const page of paginateQuery(
        { client: this.doc },
        { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK }, ConsistentRead: true },
      )) {
        for (const item of page.Items ?? []) if (Number(item.until) > now) out[String(item.sk)] = String(item.why);
      }
    } catch (err) {
      throw retryableDynamoError(err, 'Query');
    }
    return out;
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

const PK = 'DNSANNOUNCED';
