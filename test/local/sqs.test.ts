import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../functions/adapters/queue/sigv4.js';
import { SqsTickQueue } from '../../functions/adapters/queue/sqs-tick-queue.js';
import { type ApiServer, startApiServer } from '../../local/aws-api/api-server.js';
import { IdSource } from '../../local/ids.js';
import { EventSourceMappings } from '../../local/sqs/event-source-mappings.js';
import { type QueueDeliveryMode, SqsService } from '../../local/sqs/sqs.js';
import { sqsApi } from '../../local/sqs/sqs-api.js';
import type { LambdaInvoker, QueueSpec } from '../../local/types.js';
import { Clock } from '../../sim/clock.js';

/**
 * The local SQS over the JSON protocol, spoken the way shepherd's functions speak it (SqsTickQueue's signed
 * SendMessage, whose signature test/functions/dns/sqs-tick-queue.test.ts checks against the AWS SDK's), and the SQS event
 * source mapping. The project has no @aws-sdk/client-sqs among its dependencies, so no SDK client drives it here.
 */

const credentials = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'secret' };
const QUEUE: QueueSpec = {
  logicalId: 'Ticks',
  name: 'ticks',
  arn: 'arn:aws:sqs:eu-west-3:123456789012:ticks',
  url: 'https://sqs.eu-west-3.amazonaws.com/123456789012/ticks',
  delaySeconds: 0,
  visibilityTimeoutSeconds: 30,
};

let api: ApiServer | undefined;
let sqs: SqsService | undefined;
afterEach(async () => {
  sqs?.stop();
  await api?.close();
  api = undefined;
});

async function start(delivery: QueueDeliveryMode = 'exactly-once', random = () => 0.99) {
  const clock = new Clock({ mode: 'virtual', autoAdvance: false });
  sqs = new SqsService({ clock, queues: [QUEUE], ids: new IdSource('t'), delivery, random, senderId: credentials.accessKeyId });
  api = await startApiServer({ clock, services: [sqsApi(sqs)], accessKeyId: credentials.accessKeyId });
  const url = api.url;
  const call = async (operation: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    const headers = signRequest(
      { method: 'POST', url: new URL(url), headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` }, body: text },
      { region: 'eu-west-3', service: 'sqs' },
      credentials,
      new Date(),
    );
    const { host: _h, ...sent } = headers;
    const res = await fetch(url, { method: 'POST', headers: sent, body: text });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ticks = new SqsTickQueue({ queueUrl: QUEUE.url, region: 'eu-west-3', endpoint: url, credentials: () => credentials });
  return { clock, sqs, call, ticks };
}

type Received = { Messages: Array<{ Body: string; ReceiptHandle: string; Attributes: Record<string, string> }> };

describe('Class: SqsService (over the JSON protocol)', () => {
  it('keeps a message invisible for its DelaySeconds on the simulated clock', async () => {
    const { clock, call, ticks } = await start();
    expect((await call('GetQueueUrl', { QueueName: 'ticks' })).body).toEqual({ QueueUrl: QUEUE.url });
    await ticks.send({ generation: 'g', seq: 1, lead: true }, 10);
    await clock.advance(9_999);
    expect(((await call('ReceiveMessage', { QueueUrl: QUEUE.url })).body as Received).Messages).toEqual([]);
    await clock.advance(1);
    const [m] = ((await call('ReceiveMessage', { QueueUrl: QUEUE.url })).body as Received).Messages;
    expect(JSON.parse(m.Body)).toEqual({ generation: 'g', seq: 1, lead: true });
    expect(m.Attributes.ApproximateReceiveCount).toBe('1');
  });

  it('hides a received message for the visibility timeout, then hands it out again until deleted', async () => {
    const { clock, call, ticks, sqs } = await start();
    await ticks.send({ generation: 'g', seq: 1, lead: true }, 0);
    const first = ((await call('ReceiveMessage', { QueueUrl: QUEUE.url, VisibilityTimeout: 5 })).body as Received).Messages;
    expect(first).toHaveLength(1);
    await clock.advance(4_999);
    expect(((await call('ReceiveMessage', { QueueUrl: QUEUE.url })).body as Received).Messages).toEqual([]);
    await clock.advance(1);
    const again = ((await call('ReceiveMessage', { QueueUrl: QUEUE.url })).body as Received).Messages;
    expect(again[0].Attributes.ApproximateReceiveCount).toBe('2');
    // The first receipt handle is stale: deleting with it does nothing, as SQS accepts and ignores it.
    expect((await call('DeleteMessage', { QueueUrl: QUEUE.url, ReceiptHandle: first[0].ReceiptHandle })).status).toBe(200);
    expect(sqs.depth(QUEUE.url)).toBe(1);
    await call('DeleteMessage', { QueueUrl: QUEUE.url, ReceiptHandle: again[0].ReceiptHandle });
    expect(sqs.depth(QUEUE.url)).toBe(0);
  });

  it('refuses what SQS refuses: an unknown queue, a delay over 900 s', async () => {
    const { call } = await start();
    const missing = await call('SendMessage', { QueueUrl: 'https://sqs.eu-west-3.amazonaws.com/123456789012/nope', MessageBody: 'x' });
    expect(missing).toMatchObject({ status: 400, body: { __type: 'QueueDoesNotExist' } });
    const late = await call('SendMessage', { QueueUrl: QUEUE.url, MessageBody: 'x', DelaySeconds: 901 });
    expect(late).toMatchObject({ status: 400, body: { __type: 'InvalidParameterValue' } });
  });

  it('SendMessageBatch: each entry becomes visible after its own DelaySeconds', async () => {
    const { clock, call, ticks } = await start();
    const entries = [30, 10, 20].map((delaySeconds, i) => ({ tick: { generation: 'g', seq: i + 1, lead: false }, delaySeconds }));
    expect(await ticks.sendBatch(entries)).toEqual({ failed: [] });
    const seqs: number[] = [];
    for (let s = 1; s <= 3; s++) {
      await clock.advance(9_999);
      expect(((await call('ReceiveMessage', { QueueUrl: QUEUE.url })).body as Received).Messages, `before ${s * 10} s`).toEqual([]);
      await clock.advance(1);
      const got = ((await call('ReceiveMessage', { QueueUrl: QUEUE.url, MaxNumberOfMessages: 10 })).body as Received).Messages;
      seqs.push(...got.map((m) => (JSON.parse(m.Body) as { seq: number }).seq));
    }
    expect(seqs).toEqual([2, 3, 1]);
  });

  it('SendMessageBatch reports the entries it failed beside those it took, with HTTP 200, as SQS does', async () => {
    const { call, sqs } = await start();
    sqs.failSends(QUEUE.url, 1);
    const out = await call('SendMessageBatch', {
      QueueUrl: QUEUE.url,
      Entries: [
        { Id: 'a', MessageBody: 'one', DelaySeconds: 5 },
        { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
        { Id: 'c', MessageBody: 'three' },
      ],
    });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({
      Successful: [{ Id: 'c', MessageId: expect.any(String), MD5OfMessageBody: '35d6d33467aae9a2e3dccb4b6b027878' }],
      Failed: [
        { Id: 'a', SenderFault: false, Code: 'InternalError', Message: expect.any(String) },
        { Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringMatching(/DelaySeconds/) },
      ],
    });
    expect(sqs.depth(QUEUE.url)).toBe(1);
  });

  it('SendMessageBatch refuses a malformed batch as a whole: no entry, more than ten, repeated or bad Ids', async () => {
    const { call, sqs } = await start();
    const batch = (Entries: unknown) => call('SendMessageBatch', { QueueUrl: QUEUE.url, Entries });
    expect(await batch([])).toMatchObject({ status: 400, body: { __type: 'EmptyBatchRequest' } });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    expect(await batch(eleven)).toMatchObject({ status: 400, body: { __type: 'TooManyEntriesInBatchRequest' } });
    expect(
      await batch([
        { Id: 'same', MessageBody: 'x' },
        { Id: 'same', MessageBody: 'y' },
      ]),
    ).toMatchObject({ status: 400, body: { __type: 'BatchEntryIdsNotDistinct' } });
    expect(await batch([{ Id: 'not ok!', MessageBody: 'x' }])).toMatchObject({ status: 400, body: { __type: 'InvalidBatchEntryId' } });
    expect(await batch([{ Id: 'big', MessageBody: 'x'.repeat(1_048_577) }])).toMatchObject({ status: 400, body: { __type: 'BatchRequestTooLong' } });
    expect(sqs.depth(QUEUE.url)).toBe(0);
  });

  it('at least once: a message may be handed out twice (seeded), the copy after the original', async () => {
    const { clock, call, ticks } = await start('at-least-once', () => 0);
    await ticks.send({ generation: 'g', seq: 1, lead: true }, 10);
    await clock.advance(10_000);
    const first = ((await call('ReceiveMessage', { QueueUrl: QUEUE.url, MaxNumberOfMessages: 10 })).body as Received).Messages;
    expect(first).toHaveLength(2);
    expect(first[0].Body).toBe(first[1].Body);
  });
});

describe('Class: EventSourceMappings', () => {
  function mappingOn(sqs: SqsService, clock: Clock, invoke: (event: unknown) => Promise<unknown>) {
    const events: unknown[] = [];
    const lambdas: LambdaInvoker = {
      has: () => true,
      invoke: (_fn, event) => {
        events.push(event);
        return invoke(event);
      },
    };
    const mappings = new EventSourceMappings({
      sqs,
      lambdas,
      mappings: [{ logicalId: 'M', functionName: 'fn', eventSourceArn: QUEUE.arn, batchSize: 1, enabled: true }],
      region: 'eu-west-3',
      now: () => clock.now(),
    });
    mappings.start();
    return { events, mappings };
  }

  it('invokes the function with the SQS event shape when a message becomes visible, and deletes it on success', async () => {
    const { clock, sqs, ticks } = await start();
    const { events, mappings } = mappingOn(sqs, clock, async () => ({}));
    await ticks.send({ generation: 'g', seq: 1, lead: true }, 10);
    await clock.advance(9_999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual([
      {
        Records: [
          {
            messageId: expect.any(String),
            receiptHandle: expect.any(String),
            body: '{"generation":"g","seq":1,"lead":true}',
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(clock.now() - 10_000),
              ApproximateFirstReceiveTimestamp: String(clock.now()),
              SenderId: credentials.accessKeyId,
            },
            messageAttributes: {},
            md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
            eventSource: 'aws:sqs',
            eventSourceARN: QUEUE.arn,
            awsRegion: 'eu-west-3',
          },
        ],
      },
    ]);
    expect(sqs.depth(QUEUE.url)).toBe(0);
    expect(mappings.invocations.map((i) => i.ok)).toEqual([true]);
  });

  it('retries a batch whose invocation failed once the visibility timeout has passed', async () => {
    const { clock, sqs, ticks } = await start();
    let calls = 0;
    const { events } = mappingOn(sqs, clock, async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return {};
    });
    await ticks.send({ generation: 'g', seq: 1, lead: true }, 0);
    await clock.advance(0);
    expect(events).toHaveLength(1);
    await clock.advance(29_999);
    expect(events).toHaveLength(1);
    await clock.advance(1);
    expect(events).toHaveLength(2);
    expect((events[1] as { Records: Array<{ attributes: { ApproximateReceiveCount: string } }> }).Records[0].attributes.ApproximateReceiveCount).toBe('2');
    expect(sqs.depth(QUEUE.url)).toBe(0);
  });
});
