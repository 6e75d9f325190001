import type { JsonService } from '../aws-api/api-server.js';
import { AwsApiError } from '../errors.js';
import type { SqsService } from './sqs.js';

/**
 * The SQS operations of the local API over the AWS JSON 1.0 protocol SQS speaks ("Making query API requests using
 * AWS JSON protocol in Amazon SQS", SQS Developer Guide: `X-Amz-Target: AmazonSQS.<Operation>`): what shepherd's
 * functions and tests call. ReceiveMessage answers at once (no long poll: the event source mappings are fed by the
 * queue itself, local/sqs/event-source-mappings.ts).
 */
/**
 * SendMessageBatch's limits: ten entries and Ids of 1-80 of [A-Za-z0-9_-] (SQS API Reference, SendMessageBatch); "The
 * total size of all messages sent in a single SendMessageBatch call cannot exceed 1,048,576 bytes (1 MiB)" ("Amazon SQS
 * batch actions", SQS Developer Guide).
 */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * SendMessageBatch (SQS API Reference): the request is refused as a whole when it is malformed (no entries, more than
 * ten, two entries with one Id, a bad Id, bodies over 256 KB together); otherwise each entry is sent on its own, with
 * its own DelaySeconds, and the answer lists the `Successful` ones and the `Failed` ones with their code and
 * `SenderFault` ("Because the batch request can result in a combination of successful and unsuccessful actions, you
 * should check for batch errors even when the call returns an HTTP status code of 200").
 */
function sendMessageBatch(sqs: SqsService, queue: string, entries: unknown) {
  sqs.queue(queue);
  if (!Array.isArray(entries) || entries.length === 0)
    throw new AwsApiError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsApiError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  }
  const list = entries as Array<{ Id?: unknown; MessageBody?: unknown; DelaySeconds?: unknown }>;
  for (const e of list) {
    if (typeof e.Id !== 'string' || !BATCH_ENTRY_ID.test(e.Id)) {
      throw new AwsApiError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
  }
  const ids = list.map((e) => e.Id as string);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new AwsApiError('BatchEntryIdsNotDistinct', `Id ${repeated} repeated.`);
  const bytes = list.reduce((n, e) => n + Buffer.byteLength(typeof e.MessageBody === 'string' ? e.MessageBody : '', 'utf8'), 0);
  if (bytes > MAX_BATCH_BYTES)
    throw new AwsApiError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${bytes} bytes.`);
  const Successful: Array<{ Id: string; MessageId: string; MD5OfMessageBody: string }> = [];
  const Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }> = [];
  for (const e of list) {
    try {
      const out = sqs.send(queue, e.MessageBody as string, e.DelaySeconds === undefined ? undefined : Number(e.DelaySeconds));
      Successful.push({ Id: e.Id as string, ...out });
    } catch (err) {
      if (!(err instanceof AwsApiError)) throw err;
      Failed.push({ Id: e.Id as string, SenderFault: err.status < 500, Code: err.code, Message: err.message });
    }
  }
  return { Successful, Failed };
}

export function sqsApi(sqs: SqsService): JsonService {
  const queueUrl = (r: Record<string, unknown>) => {
    if (typeof r.QueueUrl !== 'string' || r.QueueUrl === '') throw new AwsApiError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    return r.QueueUrl;
  };
  return {
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    operations: {
      GetQueueUrl: (r) => {
        const spec = sqs.queue(String(r.QueueName ?? ''));
        return { QueueUrl: spec.url };
      },
      SendMessage: (r) => sqs.send(queueUrl(r), r.MessageBody as string, r.DelaySeconds === undefined ? undefined : Number(r.DelaySeconds)),
      SendMessageBatch: (r) => sendMessageBatch(sqs, queueUrl(r), r.Entries),
      ReceiveMessage: (r) => {
        const max = r.MaxNumberOfMessages === undefined ? 1 : Number(r.MaxNumberOfMessages);
        if (!Number.isInteger(max) || max < 1 || max > 10) {
          throw new AwsApiError(
            'InvalidParameterValue',
            `Value ${r.MaxNumberOfMessages} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
          );
        }
        const messages = sqs.receive(queueUrl(r), max, r.VisibilityTimeout === undefined ? undefined : Number(r.VisibilityTimeout));
        return { Messages: messages };
      },
      DeleteMessage: (r) => {
        sqs.delete(queueUrl(r), r.ReceiptHandle as string);
        return {};
      },
    },
  };
}
