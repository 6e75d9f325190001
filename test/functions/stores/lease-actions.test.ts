import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/claims.js';
import { type LocalDynamo, startLocalDynamo } from '../../../local/dynamodb/dynamodb.js';
import { Clock } from '../../../sim/clock.js';

/**
 * The claims function's lease actions, as HealNode invokes them, on the local control plane's DynamoDB: the handler
 * finds the table and the endpoint in its environment as it does in Lambda.
 */

const TABLE = {
  logicalId: 'Table',
  name: 'lease-actions-test',
  arn: 'arn:aws:dynamodb:eu-west-3:123456789012:table/lease-actions-test',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
  ],
  billingMode: 'PAY_PER_REQUEST' as const,
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
};
const A = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-a';
const B = 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-heal-node:heal-b';

let dynamo: LocalDynamo;
const saved = { ...process.env };

beforeAll(async () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  dynamo = await startLocalDynamo({ tables: [TABLE], clock: new Clock({ mode: 'virtual' }), region: 'eu-west-3', credentials });
  Object.assign(process.env, {
    TABLE_NAME: TABLE.name,
    AWS_REGION: 'eu-west-3',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.stop();
});

describe('Function: claims handler, lease actions', () => {
  it('acquireLease: one heal per node; releaseLease by its owner frees it for the next', async () => {
    const first = await handler({ action: 'acquireLease', node: 'nuc-1', owner: A, ttlSeconds: 900 });
    expect(first).toMatchObject({ acquired: true, took: 'none', lease: { node: 'nuc-1', owner: A } });
    expect(await handler({ action: 'acquireLease', node: 'nuc-1', owner: A, ttlSeconds: 900 })).toMatchObject({ acquired: true, took: 'own' });
    expect(await handler({ action: 'acquireLease', node: 'nuc-1', owner: B, ttlSeconds: 900 })).toMatchObject({ acquired: false, holder: A });
    expect(await handler({ action: 'renewLease', node: 'nuc-1', owner: B, ttlSeconds: 900 })).toMatchObject({ renewed: false, holder: A });
    expect(await handler({ action: 'releaseLease', node: 'nuc-1', owner: B })).toMatchObject({ released: false, holder: A });
    expect(await handler({ action: 'releaseLease', node: 'nuc-1', owner: A })).toEqual({ released: true });
    expect(await handler({ action: 'acquireLease', node: 'nuc-1', owner: B, ttlSeconds: 900 })).toMatchObject({ acquired: true, took: 'released' });
  });

  it.each([
    [{ action: 'acquireLease', owner: A, ttlSeconds: 60 }, 'node must be a Kubernetes node name'],
    [{ action: 'acquireLease', node: 'nuc-2', ttlSeconds: 60 }, "owner must be the execution's ARN"],
    [{ action: 'acquireLease', node: 'nuc-2', owner: A, ttlSeconds: '60' }, 'ttlSeconds must be a whole number'],
    [{ action: 'renewLease', node: 'nuc-2', owner: A }, 'ttlSeconds must be a whole number'],
    [{ action: 'releaseLease', node: 'NUC_2', owner: A }, 'node must be a Kubernetes node name'],
  ])('refuses %j with InvalidInputError naming the field', async (event, message) => {
    const err = await handler(event as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(message) });
  });
});
