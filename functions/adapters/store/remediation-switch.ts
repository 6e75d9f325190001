import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './document-client.js';
import { isConditionFailed, retryableDynamoError } from './dynamo-errors.js';

/**
 * The pause switch that stops all remediation (`shepherd pause` / `shepherd resume`). Assignable to the healing
 * decisions' PauseSwitch (functions/decisions/healing/types.ts), which remediationSafety reads.
 */
export type RemediationSwitch = { paused: false; resumedBy?: string; resumedAt?: string } | { paused: true; by: string; since: string; reason: string };

export interface SwitchChange {
  /** False when the switch already was where it was asked to go (pausing twice keeps the first pause). */
  changed: boolean;
  state: RemediationSwitch;
}

export interface RemediationSwitchStore {
  read(): Promise<RemediationSwitch>;
  pause(by: string, reason: string): Promise<SwitchChange>;
  resume(by: string): Promise<SwitchChange>;
}

/** Item `SWITCH#remediation` / `SWITCH`, beside the claims' POOL#, CLAIM# and AUDIT# items (functions/adapters/store/claims.ts). */
const KEY = { pk: 'SWITCH#remediation', sk: 'SWITCH' };

/** No item: remediation was never paused. */
const ACTIVE: RemediationSwitch = { paused: false };

export class DynamoRemediationSwitchStore implements RemediationSwitchStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly table: string,
    client?: DynamoDBClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = documentClient(client);
  }

  async read(): Promise<RemediationSwitch> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: KEY, ConsistentRead: true })).catch(rethrow('GetItem'));
    return out.Item ? toSwitch(out.Item) : ACTIVE;
  }

  async pause(by: string, reason: string): Promise<SwitchChange> {
    try {
      const out = await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: KEY,
            // The first pause wins: a second one (an operator and a runbook at once) keeps who paused first and why.
            UpdateExpression: 'SET paused = :true, #by = :by, since = :at, reason = :reason REMOVE resumedBy, resumedAt',
            ConditionExpression: 'attribute_not_exists(pk) OR paused = :false',
            ExpressionAttributeNames: { '#by': 'by' },
            ExpressionAttributeValues: { ':true': true, ':false': false, ':by': by, ':at': this.now().toISOString(), ':reason': reason },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch(rethrow('UpdateItem'));
      return { changed: true, state: toSwitch(out.Attributes ?? {}) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { changed: false, state: await this.read() };
    }
  }

  async resume(by: string): Promise<SwitchChange> {
    try {
      const out = await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: KEY,
            UpdateExpression: 'SET paused = :false, resumedBy = :by, resumedAt = :at REMOVE #by, since, reason',
            ConditionExpression: 'paused = :true',
            ExpressionAttributeNames: { '#by': 'by' },
            ExpressionAttributeValues: { ':true': true, ':false': false, ':by': by, ':at': this.now().toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch(rethrow('UpdateItem'));
      return { changed: true, state: toSwitch(out.Attributes ?? {}) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { changed: false, state: await this.read() };
    }
  }
}

function toSwitch(item: Record<string, unknown>): RemediationSwitch {
  if (item.paused === true) return { paused: true, by: String(item.by ?? 'unknown'), since: String(item.since ?? ''), reason: String(item.reason ?? '') };
  return {
    paused: false,
    ...(typeof item.resumedBy === 'string' ? { resumedBy: item.resumedBy } : {}),
    ...(typeof item.resumedAt === 'string' ? { resumedAt: item.resumedAt } : {}),
  };
}

function rethrow(operation: string): (err: unknown) => never {
  return (err) => {
    throw retryableDynamoError(err, operation);
  };
}
