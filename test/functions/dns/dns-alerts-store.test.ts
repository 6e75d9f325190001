import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDnsAlertStore } from '../../../functions/adapters/store/dns-alerts.js';
import { type LocalDynamo, startLocalDynamo } from '../../../local/dynamodb/dynamodb.js';
import { Clock } from '../../../sim/clock.js';

/** DnsFailover's alert items against the local control plane's DynamoDB (dynalite, through the real SDK). */

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const TABLE = 'alerts';
let dynamo: LocalDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startLocalDynamo({
    tables: [
      {
        logicalId: 'alerts',
        name: TABLE,
        arn: `arn:aws:dynamodb:eu-west-3:123456789012:table/${TABLE}`,
        keySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        attributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        billingMode: 'PAY_PER_REQUEST',
        globalSecondaryIndexes: [],
        localSecondaryIndexes: [],
      },
    ],
    clock: new Clock({ mode: 'virtual' }),
    region: 'eu-west-3',
    credentials,
  });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-3', credentials });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

const first = { since: '2026-11-30T12:00:00.000Z', lastAlertAt: '2026-11-30T12:00:00.000Z' };
const repeat = { since: first.since, lastAlertAt: '2026-11-30T13:00:00.000Z' };

describe('Class: DynamoDnsAlertStore', () => {
  it('opens an alert once: of two runs that read none, only the first write wins', async () => {
    const store = new DynamoDnsAlertStore(TABLE, client);
    const [a, b] = await Promise.all([store.put('www', 'no-healthy-target', first, undefined), store.put('www', 'no-healthy-target', first, undefined)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await store.open('www')).toEqual({ 'no-healthy-target': first });
    const item = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: TABLE, Key: { pk: 'DNSALERT#www', sk: 'no-healthy-target' } }));
    expect(item.Item).toMatchObject({ since: first.since, lastAlertAt: first.lastAlertAt });
  });

  it('repeats it only if it is still the one read, and closes it only once', async () => {
    const store = new DynamoDnsAlertStore(TABLE, client);
    expect(await store.put('www', 'no-healthy-target', repeat, first)).toBe(true);
    expect(await store.put('www', 'no-healthy-target', repeat, first)).toBe(false);
    expect(await store.close('www', 'no-healthy-target', first)).toBe(false);
    expect(await store.close('www', 'no-healthy-target', repeat)).toBe(true);
    expect(await store.close('www', 'no-healthy-target', repeat)).toBe(false);
    expect(await store.open('www')).toEqual({});
  });

  it('keeps entrypoints and kinds apart', async () => {
    const store = new DynamoDnsAlertStore(TABLE, client);
    await store.put('api', 'conflict-found', first, undefined);
    await store.put('app', 'no-healthy-target', first, undefined);
    expect(await store.open('api')).toEqual({ 'conflict-found': first });
    expect(Object.keys(await store.open('app'))).toEqual(['no-healthy-target']);
  });
});
