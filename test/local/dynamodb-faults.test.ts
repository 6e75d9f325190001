import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../local/dynamodb/dynamodb.js';
import { DynamoFaults } from '../../local/dynamodb/dynamodb-faults.js';
import { Clock } from '../../sim/clock.js';
import { Random } from '../../sim/random.js';

const TABLE = {
  logicalId: 'Table',
  name: 'faults-test',
  arn: 'arn:aws:dynamodb:eu-west-3:123456789012:table/faults-test',
  keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
  billingMode: 'PAY_PER_REQUEST' as const,
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
};
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let dynamo: LocalDynamo | undefined;
let client: DynamoDBClient | undefined;

afterEach(async () => {
  client?.destroy();
  await dynamo?.stop();
});

async function start(faults: DynamoFaults, maxAttempts: number): Promise<DynamoDBClient> {
  dynamo = await startLocalDynamo({ tables: [TABLE], clock: new Clock({ mode: 'virtual' }), region: 'eu-west-3', credentials, faults });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-3', credentials, maxAttempts });
  return client;
}

const put = (pk: string) => new PutItemCommand({ TableName: TABLE.name, Item: { pk: { S: pk } } });

describe('Class: DynamoFaults (local DynamoDB, through @aws-sdk/client-dynamodb)', () => {
  it('answers throttled requests with ProvisionedThroughputExceededException, which the SDK retries as throttling', async () => {
    const faults = new DynamoFaults(new Random(1));
    const armed = faults.dynamodb({ operation: 'PutItem', count: 2, fault: { kind: 'throttle' } });
    const c = await start(faults, 1);

    const err = await c.send(put('a')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((err as ProvisionedThroughputExceededException).$metadata.httpStatusCode).toBe(400);

    // A client with retries gets through once the faults are used up: one more throttle, then the write.
    client = new DynamoDBClient({ endpoint: dynamo!.endpoint, region: 'eu-west-3', credentials, maxAttempts: 3 });
    const out = await client.send(put('b'));
    expect(out.$metadata.attempts).toBe(2);
    expect(armed.hits).toBe(2);
    expect((await client.send(new GetItemCommand({ TableName: TABLE.name, Key: { pk: { S: 'b' } } }))).Item).toEqual({ pk: { S: 'b' } });
    expect((await client.send(new GetItemCommand({ TableName: TABLE.name, Key: { pk: { S: 'a' } } }))).Item).toBeUndefined();
  });

  it('answers 500 InternalServerError and ThrottlingException, only for the operation named, after the requests let through', async () => {
    const faults = new DynamoFaults(new Random(1));
    faults.dynamodb({ operation: 'PutItem', after: 1, fault: { kind: 'internal-error' } });
    faults.dynamodb({ operation: 'GetItem', fault: { kind: 'throttle', error: 'ThrottlingException' } });
    const c = await start(faults, 1);

    await c.send(put('first'));
    const internal = await c.send(put('second')).catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(internal).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
    const throttled = await c.send(new GetItemCommand({ TableName: TABLE.name, Key: { pk: { S: 'first' } } })).catch((e: { name: string }) => e);
    expect(throttled).toMatchObject({ name: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' });
    await c.send(put('third'));
  });

  it('hits a seeded fraction of requests: the same seed hits the same ones', async () => {
    const outcomes = async (seed: number) => {
      const faults = new DynamoFaults(new Random(seed));
      faults.dynamodb({ count: Number.POSITIVE_INFINITY, rate: 0.5, fault: { kind: 'internal-error' } });
      const c = await start(faults, 1);
      const got: boolean[] = [];
      for (let i = 0; i < 12; i++)
        got.push(
          await c.send(put(`k${i}`)).then(
            () => true,
            () => false,
          ),
        );
      client?.destroy();
      await dynamo?.stop();
      client = undefined;
      dynamo = undefined;
      return got;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(first.filter((ok) => ok).length).toBeGreaterThan(0);
    expect(first.filter((ok) => !ok).length).toBeGreaterThan(0);
  });
});
