import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../../sim/index.js';
import { AwsApiError } from '../errors.js';
import type { IdSource } from '../ids.js';
import type { QueueSpec } from '../types.js';

/**
 * How a standard queue hands out messages. SQS keeps copies of a message on several servers and "on rare occasions"
 * one that was unavailable at delete time hands its copy out again ("Amazon SQS at-least-once delivery", SQS
 * Developer Guide), so a consumer must expect a message twice.
 */
export type QueueDeliveryMode =
  /** Some messages (seeded) come twice, the copy a little later: what a consumer must survive (the default). */
  | 'at-least-once'
  /** Each message once: a kind world for tests about something else. */
  | 'exactly-once';

/** Chance that a message is handed out a second time, and how much later its copy shows at most. */
export const DUPLICATE_CHANCE = 0.1;
export const MAX_DUPLICATE_LAG_MS = 2000;

/** SendMessage's DelaySeconds range (SQS API Reference, SendMessage: "Valid values: 0 to 900"). */
const MAX_DELAY_SECONDS = 900;

/** One copy of a message, as a server keeps it. */
interface StoredMessage {
  messageId: string;
  body: string;
  md5: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
  timer?: Timer;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes: { ApproximateReceiveCount: string; SentTimestamp: string; ApproximateFirstReceiveTimestamp: string; SenderId: string };
}

export interface SqsOptions {
  clock: Clock;
  queues: QueueSpec[];
  ids: IdSource;
  delivery?: QueueDeliveryMode;
  /** Seeded floats in [0, 1) for at-least-once delivery. */
  random: () => number;
  /** Who SenderId names (the local credentials' access key). */
  senderId: string;
}

/**
 * Standard SQS queues on the simulated clock: a message is invisible until its delay ends (per message, or the
 * queue's DelaySeconds), invisible again for the visibility timeout once received, and gone when deleted by its
 * receipt handle. Listeners hear when a message becomes visible, which is how the event source mappings poll.
 */
export class SqsService {
  private readonly queues = new Map<string, { spec: QueueSpec; messages: StoredMessage[] }>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly failing = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: SqsOptions) {
    for (const spec of options.queues) this.queues.set(spec.name, { spec, messages: [] });
  }

  get deliveryMode(): QueueDeliveryMode {
    return this.options.delivery ?? 'at-least-once';
  }

  /** A queue by URL, ARN or name. */
  queue(ref: string): QueueSpec {
    const q = this.queues.get(ref.slice(Math.max(ref.lastIndexOf('/'), ref.lastIndexOf(':')) + 1));
    if (!q) throw new AwsApiError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q.spec;
  }

  send(queueRef: string, body: string, delaySeconds?: number): { MessageId: string; MD5OfMessageBody: string } {
    const spec = this.queue(queueRef);
    const failing = this.failing.get(spec.name) ?? 0;
    if (failing > 0) {
      this.failing.set(spec.name, failing - 1);
      throw new AwsApiError('InternalError', 'We encountered an internal error. Please try again.', 500);
    }
    const delay = delaySeconds ?? spec.delaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) {
      throw new AwsApiError('InvalidParameterValue', `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900.`);
    }
    if (typeof body !== 'string' || body === '') throw new AwsApiError('MissingParameter', 'The request must contain the parameter MessageBody.');
    const { clock, ids, random } = this.options;
    const now = clock.now();
    const messageId = ids.uuid();
    const md5 = createHash('md5').update(body, 'utf8').digest('hex');
    const copies = [now + delay * 1000];
    if (this.deliveryMode === 'at-least-once' && random() < DUPLICATE_CHANCE)
      copies.push(now + delay * 1000 + Math.floor(random() * (MAX_DUPLICATE_LAG_MS + 1)));
    for (const visibleAt of copies) this.store(spec.name, { messageId, body, md5, sentAt: now, visibleAt, receiveCount: 0 });
    return { MessageId: messageId, MD5OfMessageBody: md5 };
  }

  /** Up to `max` visible messages, each then invisible for `visibilityTimeoutSeconds` (default: the queue's). */
  receive(queueRef: string, max = 1, visibilityTimeoutSeconds?: number): ReceivedMessage[] {
    const spec = this.queue(queueRef);
    const { clock, ids } = this.options;
    const now = clock.now();
    const hidden = (visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds) * 1000;
    const queue = this.queues.get(spec.name)!;
    const out: ReceivedMessage[] = [];
    for (const m of queue.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.receiptHandle = `${m.messageId}#${ids.uuid()}`;
      this.schedule(spec.name, m, now + hidden);
      out.push({
        MessageId: m.messageId,
        ReceiptHandle: m.receiptHandle,
        Body: m.body,
        MD5OfBody: m.md5,
        Attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          SenderId: this.options.senderId,
        },
      });
    }
    return out;
  }

  /** Deletes the copy received with this handle; a stale or unknown handle is accepted silently, as SQS does. */
  delete(queueRef: string, receiptHandle: string): void {
    const spec = this.queue(queueRef);
    if (typeof receiptHandle !== 'string' || receiptHandle === '')
      throw new AwsApiError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const queue = this.queues.get(spec.name)!;
    const i = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (i < 0) return;
    this.options.clock.cancel(queue.messages[i].timer);
    queue.messages.splice(i, 1);
  }

  /** Messages in the queue, visible or not (for tests: SQS's ApproximateNumberOfMessages plus NotVisible plus Delayed). */
  depth(queueRef: string): number {
    return this.queues.get(this.queue(queueRef).name)!.messages.length;
  }

  /** Deletes every message of the queue, in flight or not (PurgeQueue; a test uses it to lose a message). */
  purge(queueRef: string): void {
    const queue = this.queues.get(this.queue(queueRef).name)!;
    for (const m of queue.messages.splice(0)) this.options.clock.cancel(m.timer);
  }

  /**
   * The next `count` messages sent to the queue fail on SQS's side (InternalError, HTTP 500; in a SendMessageBatch, a
   * `Failed` entry with SenderFault false): a test uses it to fail a send, or part of a batch.
   */
  failSends(queueRef: string, count: number): void {
    this.failing.set(this.queue(queueRef).name, count);
  }

  /** Calls `listener` each time a message of the queue becomes visible. Returns the unsubscribe function. */
  onVisible(queueRef: string, listener: () => void): () => void {
    const name = this.queue(queueRef).name;
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    for (const { messages } of this.queues.values()) for (const m of messages) this.options.clock.cancel(m.timer);
  }

  private store(queue: string, message: StoredMessage): void {
    this.queues.get(queue)!.messages.push(message);
    this.schedule(queue, message, message.visibleAt);
  }

  /** The message is visible from `at`: listeners hear it then. */
  private schedule(queue: string, message: StoredMessage, at: number): void {
    const { clock } = this.options;
    clock.cancel(message.timer);
    message.visibleAt = at;
    message.timer = clock.setTimer(
      Math.max(0, at - clock.now()),
      () => {
        message.timer = undefined;
        if (this.stopped) return;
        for (const listener of this.listeners.get(queue) ?? []) listener();
      },
      `sqs ${queue} ${message.messageId} visible`,
    );
  }
}
