import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDnsCheckStateStore } from '../../../functions/adapters/store/dns-check-states.js';
import { ThrottledError, TransientError } from '../../../functions/runtime/errors.js';

const doc = mockClient(DynamoDBDocumentClient);
const TABLE = 'shepherd-table';
const NOW = new Date('2026-03-01T10:00:00.000Z');

function store(): DynamoDnsCheckStateStore {
  return new DynamoDnsCheckStateStore(TABLE, new DynamoDBClient({ region: 'eu-west-3' }), () => NOW);
}

beforeEach(() => {
  doc.reset();
});

describe('Class: DynamoDnsCheckStateStore', () => {
  it('writes one item per entrypoint and address, with an expiry a day after the check', async () => {
    doc.on(PutCommand).resolves({});
    await store().put('www', '203.0.113.10', {
      healthy: false,
      passes: 0,
      failures: 3,
      nodeName: 'home-1',
      checkedAt: NOW.toISOString(),
      detail: 'connect timeout after 2000 ms',
    });
    const input = doc.commandCalls(PutCommand)[0].args[0].input;
    expect(input.TableName).toBe(TABLE);
    expect(input.Item).toEqual({
      pk: 'DNSCHECK#www',
      sk: '203.0.113.10',
      healthy: false,
      passes: 0,
      failures: 3,
      nodeName: 'home-1',
      checkedAt: NOW.toISOString(),
      detail: 'connect timeout after 2000 ms',
      expiresAt: NOW.getTime() / 1000 + 86_400,
    });
  });

  it('stores an undecided target as undecided with no health, and reads it back undecided', async () => {
    doc.on(PutCommand).resolves({});
    const undecided = { undecided: true as const, passes: 1, failures: 0, nodeName: 'aws-2', checkedAt: NOW.toISOString(), detail: 'connected in 4 ms' };
    await store().put('www', '203.0.113.11', undecided);
    const item = doc.commandCalls(PutCommand)[0].args[0].input.Item ?? {};
    expect(item).toMatchObject({ undecided: true, passes: 1, failures: 0 });
    expect(item).not.toHaveProperty('healthy');
    doc.on(QueryCommand).resolves({ Items: [item] });
    expect((await store().list('www')).get('203.0.113.11')).toEqual(undecided);
  });

  it('reads an item written before undecided states existed (healthy true or false, no undecided) as decided', async () => {
    doc.on(QueryCommand).resolves({
      Items: [
        { pk: 'DNSCHECK#www', sk: '203.0.113.10', healthy: true, passes: 0, failures: 1, checkedAt: 't1', detail: 'connect timeout after 2000 ms' },
        { pk: 'DNSCHECK#www', sk: '203.0.113.12', healthy: false, passes: 1, failures: 0, checkedAt: 't1', detail: 'connected in 3 ms' },
      ],
    });
    const states = await store().list('www');
    expect(states.get('203.0.113.10')).toEqual({ healthy: true, passes: 0, failures: 1, checkedAt: 't1', detail: 'connect timeout after 2000 ms' });
    expect(states.get('203.0.113.12')).toEqual({ healthy: false, passes: 1, failures: 0, checkedAt: 't1', detail: 'connected in 3 ms' });
  });

  it('lists an entrypoint with a consistent query on its partition, across pages, keyed by address', async () => {
    doc
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { pk: 'DNSCHECK#www', sk: '203.0.113.10', healthy: true, passes: 2, failures: 0, nodeName: 'aws-1', checkedAt: 't1', detail: 'connected in 12 ms' },
        ],
        LastEvaluatedKey: { pk: 'DNSCHECK#www', sk: '203.0.113.10' },
      })
      .resolvesOnce({
        Items: [{ pk: 'DNSCHECK#www', sk: '2001:db8::1', healthy: false, passes: 0, failures: 1, checkedAt: 't2', detail: 'HTTP 503' }],
      });
    const states = await store().list('www');
    expect([...states.keys()]).toEqual(['203.0.113.10', '2001:db8::1']);
    expect(states.get('203.0.113.10')).toEqual({ healthy: true, passes: 2, failures: 0, nodeName: 'aws-1', checkedAt: 't1', detail: 'connected in 12 ms' });
    expect(states.get('2001:db8::1')).toEqual({ healthy: false, passes: 0, failures: 1, checkedAt: 't2', detail: 'HTTP 503' });
    const calls = doc.commandCalls(QueryCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'DNSCHECK#www' },
      ConsistentRead: true,
    });
    expect(calls[1].args[0].input.ExclusiveStartKey).toEqual({ pk: 'DNSCHECK#www', sk: '203.0.113.10' });
  });

  it('reads eventually consistent when the reader says a stale state is harmless to it (the check runner)', async () => {
    doc
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'DNSCHECK#www', sk: '203.0.113.10', healthy: true, passes: 2, failures: 0, checkedAt: 't1', detail: 'ok' }] });
    const eventual = new DynamoDnsCheckStateStore(TABLE, new DynamoDBClient({ region: 'eu-west-3' }), () => NOW, 'eventual');
    expect((await eventual.list('www')).get('203.0.113.10')).toMatchObject({ healthy: true });
    expect(doc.commandCalls(QueryCommand)[0].args[0].input.ConsistentRead).toBe(false);
  });

  it('stores the ejection history of a decided target and reads it back', async () => {
    doc.on(PutCommand).resolves({});
    const fallen = { healthy: false, passes: 0, failures: 3, ejections: 2, fellAt: 't0', nodeName: 'home-1', checkedAt: 't1', detail: 'HTTP 503' };
    await store().put('www', '203.0.113.10', fallen);
    const item = doc.commandCalls(PutCommand)[0].args[0].input.Item ?? {};
    expect(item).toMatchObject({ ejections: 2, fellAt: 't0' });
    doc.on(QueryCommand).resolves({ Items: [item] });
    expect((await store().list('www')).get('203.0.113.10')).toEqual(fallen);
  });

  it('putIfUnchanged writes only over the state written at the given checkedAt, and says whether it did', async () => {
    doc
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const state = { healthy: true, passes: 0, failures: 2, nodeName: 'home-1', checkedAt: 't2', detail: 'connect timeout after 2000 ms' };
    expect(await store().putIfUnchanged('www', '203.0.113.10', state, 't1')).toBe(true);
    expect(await store().putIfUnchanged('www', '203.0.113.10', state, 't1')).toBe(false);
    const input = doc.commandCalls(PutCommand)[0].args[0].input;
    expect(input).toMatchObject({ ConditionExpression: 'checkedAt = :checkedAt', ExpressionAttributeValues: { ':checkedAt': 't1' } });
    expect(input.Item).toMatchObject({ pk: 'DNSCHECK#www', sk: '203.0.113.10', failures: 2, checkedAt: 't2' });
    doc.on(PutCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(store().putIfUnchanged('www', '203.0.113.10', state, 't1')).rejects.toBeInstanceOf(ThrottledError);
  });

  it('lists nothing for an entrypoint never checked', async () => {
    doc.on(QueryCommand).resolves({ Items: [] });
    expect((await store().list('api')).size).toBe(0);
  });

  it('turns throttling into ThrottledError and a 5xx into TransientError, for the workflow to retry', async () => {
    doc.on(QueryCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(store().list('www')).rejects.toBeInstanceOf(ThrottledError);
    doc.on(PutCommand).rejects(Object.assign(new Error('internal'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
    await expect(store().put('www', '203.0.113.10', { healthy: true, passes: 1, failures: 0, checkedAt: 't', detail: 'ok' })).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});
