import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRemediationSwitchStore } from '../../../functions/adapters/store/remediation-switch.js';
import { ThrottledError } from '../../../functions/runtime/errors.js';

const doc = mockClient(DynamoDBDocumentClient);
const TABLE = 'shepherd-table';
const KEY = { pk: 'SWITCH#remediation', sk: 'SWITCH' };
const NOW = new Date('2026-03-01T10:00:00.000Z');

function store(): DynamoRemediationSwitchStore {
  return new DynamoRemediationSwitchStore(TABLE, new DynamoDBClient({ region: 'eu-west-3' }), () => NOW);
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  doc.reset();
});

describe('Class: DynamoRemediationSwitchStore', () => {
  it('reads "active" when the switch was never set, with a consistent read of its own item', async () => {
    doc.on(GetCommand).resolves({});
    expect(await store().read()).toEqual({ paused: false });
    expect(doc.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: TABLE, Key: KEY, ConsistentRead: true });
  });

  it('reads who paused, since when and why', async () => {
    doc.on(GetCommand).resolves({ Item: { ...KEY, paused: true, by: 'alice', since: '2026-03-01T09:00:00.000Z', reason: 'incident 42' } });
    expect(await store().read()).toEqual({ paused: true, by: 'alice', since: '2026-03-01T09:00:00.000Z', reason: 'incident 42' });
  });

  it('pauses with a write conditioned on the switch not being paused yet, recording who, when and why', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: { ...KEY, paused: true, by: 'alice', since: NOW.toISOString(), reason: 'incident 42' } });
    expect(await store().pause('alice', 'incident 42')).toEqual({
      changed: true,
      state: { paused: true, by: 'alice', since: NOW.toISOString(), reason: 'incident 42' },
    });
    const input = doc.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.Key).toEqual(KEY);
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk) OR paused = :false');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':true': true,
      ':false': false,
      ':by': 'alice',
      ':at': NOW.toISOString(),
      ':reason': 'incident 42',
    });
  });

  it('pausing twice keeps the first pause and says nothing changed', async () => {
    doc.on(UpdateCommand).rejects(conditionFailed());
    doc.on(GetCommand).resolves({ Item: { ...KEY, paused: true, by: 'alice', since: '2026-03-01T09:00:00.000Z', reason: 'incident 42' } });
    expect(await store().pause('bob', 'me too')).toEqual({
      changed: false,
      state: { paused: true, by: 'alice', since: '2026-03-01T09:00:00.000Z', reason: 'incident 42' },
    });
  });

  it('resumes only a paused switch, recording who resumed and when', async () => {
    doc.on(UpdateCommand).resolves({ Attributes: { ...KEY, paused: false, resumedBy: 'bob', resumedAt: NOW.toISOString() } });
    expect(await store().resume('bob')).toEqual({ changed: true, state: { paused: false, resumedBy: 'bob', resumedAt: NOW.toISOString() } });
    expect(doc.commandCalls(UpdateCommand)[0].args[0].input.ConditionExpression).toBe('paused = :true');
  });

  it('resuming what is not paused changes nothing and says so', async () => {
    doc.on(UpdateCommand).rejects(conditionFailed());
    doc.on(GetCommand).resolves({});
    expect(await store().resume('bob')).toEqual({ changed: false, state: { paused: false } });
  });

  it('gives throttling to the caller as ThrottledError, and other errors as they are', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    doc.on(GetCommand).rejects(throttled);
    await expect(store().read()).rejects.toBeInstanceOf(ThrottledError);
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    doc.on(UpdateCommand).rejects(denied);
    await expect(store().pause('alice', 'x')).rejects.toBe(denied);
  });
});
