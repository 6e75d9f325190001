import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DnsAlertKind, OpenDnsAlert } from '../../decisions/dns/alerts.js';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

/** Items `DNSALERT#<entrypoint>` / `<kind>`, beside the claims' items in the shepherd table. */
const pk = (entrypoint: string) => `DNSALERT#${entrypoint}`;

/** DnsFailover's open alerts, by entrypoint and kind. */
export interface DnsAlertStore {
  open(entrypoint: string): Promise<Partial<Record<DnsAlertKind, OpenDnsAlert>>>;
  put(entrypoint: string, kind: DnsAlertKind, next: OpenDnsAlert, read: OpenDnsAlert | undefined): Promise<boolean>;
  close(entrypoint: string, kind: DnsAlertKind, read: OpenDnsAlert): Promise<boolean>;
}

/**
 * DnsFailover's open alerts in the table. Every change is conditional on what the run read, so of two runs that saw the same
 * state only one opens, repeats or closes the alert (and publishes); the other's write fails and it stays quiet.
 */
export class DynamoDnsAlertStore implements DnsAlertStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
  ) {
    this.doc = documentClient(client);
  }

  /** The entrypoint's open alerts by kind. Consistent: a stale read would publish an alert twice. */
  async open(entrypoint: string): Promise<Partial<Record<DnsAlertKind, OpenDnsAlert>>> {
    const out: Partial<Record<DnsAlertKind, OpenDnsAlert>> = {};
    const page = await this.doc
      .send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk(entrypoint) },
          ConsistentRead: true,
        }),
      )
      .catch((err) => {
        throw retryableDynamoError(err, 'Query');
      });
    // Two kinds at most: one page.
    for (const item of page.Items ?? []) out[String(item.sk) as DnsAlertKind] = { since: String(item.since), lastAlertAt: String(item.lastAlertAt) };
    return out;
  }

  /**
   * Opens the alert (`read` undefined: only if none is open) or repeats it (only if it is still the one read).
   * False when another run got there first.
   */
  async put(entrypoint: string, kind: DnsAlertKind, next: OpenDnsAlert, read: OpenDnsAlert | undefined): Promise<boolean> {
    const condition = read
      ? { ConditionExpression: 'lastAlertAt = :read', ExpressionAttributeValues: { ':read': read.lastAlertAt } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: pk(entrypoint), sk: kind, ...next }, ...condition }));
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw retryableDynamoError(err, 'PutItem');
    }
  }

  /** Closes the alert if it is still the one read. False when another run closed or repeated it first. */
  async close(entrypoint: string, kind: DnsAlertKind, read: OpenDnsAlert): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: pk(entrypoint), sk: kind },
          ConditionExpression: 'lastAlertAt = :read',
          ExpressionAttributeValues: { ':read': read.lastAlertAt },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw retryableDynamoError(err, 'DeleteItem');
    }
  }
}
