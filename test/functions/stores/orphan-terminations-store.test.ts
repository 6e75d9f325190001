import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOrphanTerminationStore } from '../../../functions/adapters/store/orphan-terminations.js';
import { createClaimsTable } from '../../helpers/claims-table.js';

const TABLE = 'shepherd-orphans-test';
let server: Server;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint, region: 'eu-west-3', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await createClaimsTable(client, TABLE);
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: TABLE });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

const at = (seconds: number) => () => new Date(seconds * 1000);

describe('Class: DynamoOrphanTerminationStore', () => {
  it('lets one delivery take an orphan; another is refused while the lease holds, and told once it is terminated', async () => {
    const store = new DynamoOrphanTerminationStore(TABLE, client, at(1_000));
    expect(await store.read('gcp', 'vm-1')).toBeUndefined();
    expect(await store.begin('gcp', 'vm-1', 't1', 240)).toEqual({ begun: true });
    expect(await store.begin('gcp', 'vm-1', 't1', 240)).toMatchObject({ begun: false, current: { status: 'terminating', leaseUntil: 1_240 } });
    await store.finish('gcp', 'vm-1');
    expect(await store.read('gcp', 'vm-1')).toMatchObject({ status: 'terminated', transitionId: 't1' });
    // Even long after the lease: a terminated orphan is never taken again.
    const later = new DynamoOrphanTerminationStore(TABLE, client, at(9_000));
    expect(await later.begin('gcp', 'vm-1', 't1', 240)).toMatchObject({ begun: false, current: { status: 'terminated' } });
  });

  it('lets the next delivery take over at once after a release, and after the lease of one that crashed', async () => {
    const store = new DynamoOrphanTerminationStore(TABLE, client, at(1_000));
    await store.begin('aws', 'i-2', 't2', 240);
    await store.release('aws', 'i-2');
    expect(await store.begin('aws', 'i-2', 't2', 240)).toEqual({ begun: true });
    expect(await new DynamoOrphanTerminationStore(TABLE, client, at(1_100)).begin('aws', 'i-2', 't2', 240)).toMatchObject({ begun: false });
    expect(await new DynamoOrphanTerminationStore(TABLE, client, at(1_241)).begin('aws', 'i-2', 't2', 240)).toEqual({ begun: true });
  });
});
