import type { JsonService } from '../aws-api/api-server.js';
import { AwsApiError } from '../errors.js';
import type { SqsService } from './sqs.js';

/**
 * The SQS operations of the local API over the AWS JSON 1.0 protocol SQS speaks ("Making query API requests using
 * AWS JSON protocol in Amazon SQS", SQS Developer Guide: `X-Amz-Target: AmazonSQS.<Operation>`): what shepherd's
 * functions and tests call. ReceiveMessage answers at once (no long poll: the event source mappings are fed by the
 * queue itself, local/sqs/event-source-mappings.ts).
 */
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
