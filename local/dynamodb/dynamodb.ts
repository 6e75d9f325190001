import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Clock } from '../../sim/index.js';
import type { TableSpec } from '../types.js';
import type { DynamoFaults } from './dynamodb-faults.js';

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

export interface LocalDynamoOptions {
  tables: TableSpec[];
  clock: Clock;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Faults that answer a request in dynalite's stead (throttling, 500). */
  faults?: DynamoFaults;
}

/**
 * dynalite (in memory) on loopback with the stack's tables under their local names. TTL is not
 * set: dynalite has no UpdateTimeToLive, so items never expire locally.
 */
export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { faults } = options;
  if (faults) {
    // dynalite's own handler runs only for the requests no fault answers.
    const [serve] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!faults.intercept(req, res)) serve(req, res);
    });
  }
  // A request being served is work: virtual time waits for the answer, as it does for the simulator's servers.
  server.prependListener('request', (_req, res) => {
    const release = options.clock.hold();
    res.once('close', release);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: options.credentials });
  try {
    for (const table of options.tables) await client.send(new CreateTableCommand(createTableInput(table)));
  } catch (err) {
    server.closeAllConnections();
    server.close();
    throw err;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const LOCAL_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

function createTableInput(t: TableSpec): CreateTableCommandInput {
  const provisioned = t.billingMode === 'PROVISIONED';
  return {
    TableName: t.name,
    KeySchema: t.keySchema,
    AttributeDefinitions: t.attributeDefinitions,
    BillingMode: t.billingMode,
    ProvisionedThroughput: provisioned ? LOCAL_THROUGHPUT : undefined,
    GlobalSecondaryIndexes: t.globalSecondaryIndexes.length
      ? t.globalSecondaryIndexes.map((i) => ({ ...i, ProvisionedThroughput: provisioned ? LOCAL_THROUGHPUT : undefined }))
      : undefined,
    LocalSecondaryIndexes: t.localSecondaryIndexes.length ? t.localSecondaryIndexes : undefined,
  };
}
