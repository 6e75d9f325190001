import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../../functions/adapters/queue/sigv4.js';
import { isTickSendError, SqsTickQueue } from '../../../functions/adapters/queue/sqs-tick-queue.js';

interface Captured {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A loopback server that records each request and answers with `reply`. */
async function capture(reply: (c: Captured) => { status: number; body: string }): Promise<{ url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const c = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(c);
      const out = reply(c);
      res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

describe('Function: signRequest', () => {
  it('signs a request exactly as the AWS SDK does (checked against @aws-sdk/client-eventbridge)', async () => {
    const { url, requests } = await capture(() => ({ status: 200, body: '{"FailedEntryCount":0,"Entries":[{"EventId":"1"}]}' }));
    const client = new EventBridgeClient({ region: 'eu-west-3', endpoint: url, credentials });
    await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{"a":1}' }] }));
    const sent = requests[0];
    const sdkAuthorization = String(sent.headers.authorization);
    const signed = /SignedHeaders=([^,]+)/.exec(sdkAuthorization)?.[1].split(';') ?? [];
    const headers = Object.fromEntries(
      signed.filter((h) => !['host', 'x-amz-date', 'x-amz-security-token'].includes(h)).map((h) => [h, String(sent.headers[h])]),
    );
    const amzDate = String(sent.headers['x-amz-date']);
    const now = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const ours = signRequest(
      { method: 'POST', url: new URL(sent.path, url), headers, body: sent.body },
      { region: 'eu-west-3', service: 'events' },
      credentials,
      now,
    );
    expect(ours.authorization).toBe(sdkAuthorization);
    expect(ours['x-amz-security-token']).toBe('session-token');
  });
});

describe('Class: SqsTickQueue', () => {
  it('sends SendMessage over the JSON protocol with the tick as body and the delay', async () => {
    const { url, requests } = await capture(() => ({ status: 200, body: '{"MessageId":"m-1","MD5OfMessageBody":"x"}' }));
    const queueUrl = 'https://sqs.eu-west-3.amazonaws.com/123456789012/shepherd-demo-dns-check-ticks';
    const queue = new SqsTickQueue({ queueUrl, region: 'eu-west-3', endpoint: url, credentials: () => credentials });
    await queue.send({ generation: 'g1', seq: 4, lead: true }, 10);
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/');
    expect(req.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(String(req.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/sqs\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(req.body)).toEqual({ QueueUrl: queueUrl, MessageBody: '{"generation":"g1","seq":4,"lead":true}', DelaySeconds: 10 });
  });

  it('reports an SQS error by its type, and refuses a delay SQS would refuse', async () => {
    const { url } = await capture(() => ({
      status: 400,
      body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
    }));
    const queue = new SqsTickQueue({ queueUrl: 'https://sqs.eu-west-3.amazonaws.com/1/q', region: 'eu-west-3', endpoint: url, credentials: () => credentials });
    const err = await queue.send({ generation: 'g1', seq: 1, lead: true }, 10).catch((e: unknown) => e);
    expect(isTickSendError(err)).toBe(true);
    expect((err as Error).message).toBe('SendMessage to q failed: QueueDoesNotExist: The specified queue does not exist.');
    await expect(queue.send({ generation: 'g1', seq: 1, lead: true }, 901)).rejects.toThrow(RangeError);
  });

  it('sends SendMessageBatch with one entry per tick, each with its own delay, and returns the entries SQS failed', async () => {
    const { url, requests } = await capture(() => ({
      status: 200,
      body: JSON.stringify({
        Successful: [{ Id: 't0', MessageId: 'm-0', MD5OfMessageBody: 'x' }],
        Failed: [{ Id: 't1', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
      }),
    }));
    const queueUrl = 'https://sqs.eu-west-3.amazonaws.com/123456789012/ticks';
    const queue = new SqsTickQueue({ queueUrl, region: 'eu-west-3', endpoint: url, credentials: () => credentials });
    const out = await queue.sendBatch([
      { tick: { generation: 'g1', seq: 5, lead: false }, delaySeconds: 10 },
      { tick: { generation: 'g1', seq: 6, lead: true }, delaySeconds: 20 },
    ]);
    expect(out).toEqual({ failed: [{ index: 1, code: 'InternalError', message: 'try again', senderFault: false }] });
    const [req] = requests;
    expect(req.headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(JSON.parse(req.body)).toEqual({
      QueueUrl: queueUrl,
      Entries: [
        { Id: 't0', MessageBody: '{"generation":"g1","seq":5,"lead":false}', DelaySeconds: 10 },
        { Id: 't1', MessageBody: '{"generation":"g1","seq":6,"lead":true}', DelaySeconds: 20 },
      ],
    });
  });

  it('refuses a batch SQS would refuse (no entry, more than ten, a delay over 900 s) and reports a failed call as a TickSendError', async () => {
    const { url, requests } = await capture(() => ({ status: 400, body: '{"__type":"com.amazonaws.sqs#TooManyEntriesInBatchRequest","message":"too many"}' }));
    const queue = new SqsTickQueue({ queueUrl: 'https://sqs.eu-west-3.amazonaws.com/1/q', region: 'eu-west-3', endpoint: url, credentials: () => credentials });
    const entry = (seq: number, delaySeconds = 10) => ({ tick: { generation: 'g', seq, lead: false }, delaySeconds });
    await expect(queue.sendBatch([])).rejects.toThrow(RangeError);
    await expect(queue.sendBatch(Array.from({ length: 11 }, (_, i) => entry(i + 1)))).rejects.toThrow(RangeError);
    await expect(queue.sendBatch([entry(1, 901)])).rejects.toThrow(RangeError);
    expect(requests).toHaveLength(0);
    const err = await queue.sendBatch([entry(1)]).catch((e: unknown) => e);
    expect(isTickSendError(err)).toBe(true);
    expect((err as Error).message).toBe('SendMessageBatch to q failed: TooManyEntriesInBatchRequest: too many');
  });

  it('reports a connection that fails as a TickSendError', async () => {
    const queue = new SqsTickQueue({ queueUrl: 'https://x/1/q', region: 'eu-west-3', endpoint: 'http://127.0.0.1:1', credentials: () => credentials });
    await expect(queue.send({ generation: 'g1', seq: 1, lead: true }, 0)).rejects.toSatisfy(isTickSendError);
  });
});
