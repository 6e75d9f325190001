import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditItems, writeAudit } from '../../../functions/adapters/store/audit-log.js';
import { ThrottledError, TransientError } from '../../../functions/runtime/errors.js';

const mock = mockClient(DynamoDBDocumentClient);
const TABLE = 'shepherd-table';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const EXPIRES = Math.floor(NOW.getTime() / 1000) + 90 * 86_400;

const doc = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-3' }));
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeEach(() => {
  mock.reset();
  sleeps.length = 0;
});

describe('Function: auditItems', () => {
  it('an entry without a node is one item under its day', () => {
    expect(auditItems('claim.created', { pool: 'p', claimId: 'c-1' }, NOW, 'n1')).toEqual([
      { pk: 'AUDIT#2026-03-01', sk: '2026-03-01T10:00:00.000Z#n1', event: 'claim.created', detail: { pool: 'p', claimId: 'c-1' }, expiresAt: EXPIRES },
    ]);
  });

  it('an entry naming a node is also under NODE#<node>, with the same time, suffix, body and expiry', () => {
    const detail = { pool: 'p', nodeName: 'ip-10-0-1-5', vmId: 'i-1' };
    const [day, node] = auditItems('node.provisioned', detail, NOW, 'n2');
    expect(node).toEqual({ pk: 'NODE#ip-10-0-1-5', sk: 'AUDIT#2026-03-01T10:00:00.000Z#n2', event: 'node.provisioned', detail, expiresAt: EXPIRES });
    expect({ ...day, pk: undefined, sk: undefined }).toEqual({ ...node, pk: undefined, sk: undefined });
  });

  it('an entry naming several nodes (nodeNames) is under each NODE#<node> once, beside its nodeName', () => {
    const detail = { nodeName: 'a', nodeNames: ['b', 'a', '', 7, 'c'] };
    expect(auditItems('dns.records.changed', detail, NOW, 'n3').map((i) => i.pk)).toEqual(['AUDIT#2026-03-01', 'NODE#a', 'NODE#b', 'NODE#c']);
  });

  it('a nodeName that is not a non-empty string indexes nothing', () => {
    for (const nodeName of [undefined, '', 42, { name: 'x' }]) expect(auditItems('e', { nodeName }, NOW, 'n')).toHaveLength(1);
  });
});

describe('Function: writeAudit', () => {
  it('writes an entry without a node with one PutItem', async () => {
    mock.on(PutCommand).resolves({});
    await writeAudit(doc(), TABLE, 'claim.created', { pool: 'p' }, NOW, sleep);
    expect(mock.commandCalls(PutCommand)).toHaveLength(1);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('writes both items of a node entry in one BatchWriteItem', async () => {
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    await writeAudit(doc(), TABLE, 'node.removed', { nodeName: 'nuc-1' }, NOW, sleep);
    const calls = mock.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(1);
    const puts = calls[0].args[0].input.RequestItems?.[TABLE] ?? [];
    expect(puts.map((r) => [r.PutRequest?.Item?.pk, String(r.PutRequest?.Item?.sk).replace(/#[a-z0-9]+$/, '#n')])).toEqual([
      ['AUDIT#2026-03-01', '2026-03-01T10:00:00.000Z#n'],
      ['NODE#nuc-1', 'AUDIT#2026-03-01T10:00:00.000Z#n'],
    ]);
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('writes an entry naming more nodes than a batch holds in batches of 25', async () => {
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const nodeNames = Array.from({ length: 30 }, (_, i) => `node-${i}`);
    await writeAudit(doc(), TABLE, 'dns.records.changed', { nodeNames }, NOW, sleep);
    const sizes = mock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.length);
    expect(sizes).toEqual([25, 6]);
  });

  it('sends the unprocessed items again, only those, with growing backoff', async () => {
    let unprocessed: unknown;
    mock
      .on(BatchWriteCommand)
      .callsFakeOnce(async (input) => {
        unprocessed = [input.RequestItems[TABLE][1]];
        return { UnprocessedItems: { [TABLE]: unprocessed } };
      })
      .callsFakeOnce(async () => ({ UnprocessedItems: { [TABLE]: unprocessed } }))
      .resolves({ UnprocessedItems: {} });
    await writeAudit(doc(), TABLE, 'node.removed', { nodeName: 'nuc-1' }, NOW, sleep);
    const calls = mock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => c.args[0].input.RequestItems?.[TABLE]?.length)).toEqual([2, 1, 1]);
    expect(calls[2].args[0].input.RequestItems?.[TABLE]?.[0].PutRequest?.Item?.pk).toBe('NODE#nuc-1');
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up with ThrottledError (retried by the workflow) when items stay unprocessed', async () => {
    mock.on(BatchWriteCommand).callsFake(async (input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE] } }));
    await expect(writeAudit(doc(), TABLE, 'node.removed', { nodeName: 'nuc-1' }, NOW, sleep)).rejects.toBeInstanceOf(ThrottledError);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(5);
  });

  it('turns a 5xx of BatchWriteItem into TransientError', async () => {
    mock
      .on(BatchWriteCommand)
      .rejects(Object.assign(new Error('internal'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }));
    await expect(writeAudit(doc(), TABLE, 'node.removed', { nodeName: 'nuc-1' }, NOW, sleep)).rejects.toBeInstanceOf(TransientError);
  });
});
