import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Calls per operation (`X-Amz-Target`, e.g. `DynamoDB_20120810.PutItem`) and the items they carried. */
export interface OperationCount {
  requests: number;
  /** Items written or read by batch and transaction calls; 1 for single-item calls. */
  items: number;
}

export interface CountingProxy {
  /** Where functions send their AWS JSON-protocol calls instead of the service. */
  readonly url: string;
  /** The service the calls are forwarded to; set once it is known (before the first call). */
  target?: string;
  readonly counts: Map<string, OperationCount>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of one AWS JSON-protocol service (DynamoDB, Secrets Manager, EventBridge, SSM)
 * that counts the billable calls passing through. Requests go on unchanged (Host and signature included).
 */
export async function startCountingProxy(): Promise<CountingProxy> {
  const counts = new Map<string, OperationCount>();
  const proxy: CountingProxy = { url: '', counts, close: () => new Promise((resolve) => server.close(() => resolve())) };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
      const count = counts.get(operation) ?? { requests: 0, items: 0 };
      count.requests++;
      count.items += itemsOf(operation, body);
      counts.set(operation, count);
      if (!proxy.target) {
        res.writeHead(502).end('counting proxy: no target yet');
        return;
      }
      const upstream = request(new URL(req.url ?? '/', proxy.target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (err) => res.writeHead(502).end(`counting proxy: ${err.message}`));
      upstream.end(body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return proxy;
}

/** Items a batch or transaction call (or PutEvents) carries, each billed; 1 for any other call. */
export function itemsOf(operation: string, body: Buffer): number {
  const op = operation.slice(operation.indexOf('.') + 1);
  if (!/^(BatchWriteItem|BatchGetItem|TransactWriteItems|TransactGetItems|PutEvents)$/.test(op)) return 1;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }>;
      TransactItems?: unknown[];
      Entries?: unknown[];
    };
    if (parsed.Entries) return parsed.Entries.length;
    if (parsed.TransactItems) return parsed.TransactItems.length;
    return Object.values(parsed.RequestItems ?? {}).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : (v.Keys?.length ?? 0)), 0);
  } catch {
    return 1;
  }
}
