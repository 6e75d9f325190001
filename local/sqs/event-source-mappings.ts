import type { EventSourceMappingSpec, LambdaInvoker } from '../types.js';
import type { SqsService } from './sqs.js';

/** One invocation of a mapping's function, for inspection (AWS shows these as the mapping's metrics). */
export interface MappingInvocation {
  mapping: string;
  at: number;
  messageIds: string[];
  bodies: string[];
  ok: boolean;
  error?: string;
}

/**
 * Lambda event source mappings for SQS ("Using Lambda with Amazon SQS", Lambda Developer Guide): Lambda polls the
 * queue, invokes the function synchronously with a batch of at most BatchSize messages in the SQS event shape, and
 * deletes the batch when the function succeeds; when it fails, the messages become visible again once the queue's
 * visibility timeout has passed and are retried. Here the queue tells the mapping when a message becomes visible
 * instead of being long-polled, which changes no timing the function sees.
 */
export class EventSourceMappings {
  readonly invocations: MappingInvocation[] = [];
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly options: { sqs: SqsService; lambdas: LambdaInvoker; mappings: EventSourceMappingSpec[]; region: string; now: () => number }) {}

  start(): void {
    for (const mapping of this.options.mappings) {
      if (!mapping.enabled || !/^arn:aws:sqs:/.test(mapping.eventSourceArn)) continue;
      this.unsubscribe.push(this.options.sqs.onVisible(mapping.eventSourceArn, () => this.poll(mapping)));
    }
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private poll(mapping: EventSourceMappingSpec): void {
    const { sqs, lambdas, region } = this.options;
    const messages = sqs.receive(mapping.eventSourceArn, mapping.batchSize);
    if (messages.length === 0) return;
    const event = {
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: m.Attributes,
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: mapping.eventSourceArn,
        awsRegion: region,
      })),
    };
    const record = (ok: boolean, error?: string) =>
      this.invocations.push({
        mapping: mapping.logicalId,
        at: this.options.now(),
        messageIds: messages.map((m) => m.MessageId),
        bodies: messages.map((m) => m.Body),
        ok,
        ...(error ? { error } : {}),
      });
    lambdas.invoke(mapping.functionName, event).then(
      () => {
        record(true);
        for (const m of messages) sqs.delete(mapping.eventSourceArn, m.ReceiptHandle);
      },
      (err: Error) => record(false, `${err.name}: ${err.message}`),
    );
  }
}
