import { type CheckTick, MAX_BATCH_ENTRIES, MAX_DELAY_SECONDS, type ScheduledTick } from '../../decisions/dns/check-ticks.js';
import type { RecheckMessage } from '../../decisions/dns/recheck.js';
import { type SigningCredentials, signRequest } from './sigv4.js';

/** An entry of a batch SQS did not take: SendMessageBatch's `Failed` list ("BatchResultErrorEntry", SQS API Reference). */
export interface BatchEntryFailure {
  /** Its position in the batch sent. */
  index: number;
  code: string;
  message: string;
  /** True when the request was wrong (retrying it the same way fails again); false when SQS failed it (worth a retry). */
  senderFault: boolean;
}

/** Where the next ticks of the check chain go (and the fast re-checks, decisions/dns/recheck.ts). */
export interface TickQueue {
  /** Sends a tick (or a re-check) that becomes visible after `delaySeconds` (0 to 900). */
  send(tick: CheckTick | RecheckMessage, delaySeconds: number): Promise<void>;
  /**
   * Sends up to ten ticks in one request, each visible after its own delay. Resolves with the entries SQS did not
   * take (a batch can partly fail with HTTP 200); throws TickSendError when the whole call failed.
   */
  sendBatch(entries: readonly ScheduledTick[]): Promise<{ failed: BatchEntryFailure[] }>;
}

/** SendMessage failed: the chain is broken until the keep-alive restarts it. */
export class TickSendError extends Error {
  override name = 'TickSendError';
}

export const isTickSendError = (err: unknown): err is TickSendError => err instanceof TickSendError;

const TIMEOUT_MS = 5000;

export interface SqsTickQueueOptions {
  queueUrl: string;
  region: string;
  /** The SQS API endpoint; default the region's. AWS_ENDPOINT_URL_SQS overrides it as it does for the SDK. */
  endpoint?: string;
  credentials: () => SigningCredentials;
  fetch?: typeof fetch;
  now?: () => Date;
}

/**
 * SendMessage and SendMessageBatch over the AWS JSON 1.0 protocol SQS speaks ("Making query API requests using AWS
 * JSON protocol in Amazon SQS", SQS Developer Guide: POST / with `X-Amz-Target: AmazonSQS.<Operation>` and
 * `Content-Type: application/x-amz-json-1.0`), signed with SigV4. Two calls, so the function bundles no SQS client:
 * the project has none among its dependencies, and these are the only SQS calls shepherd's functions make (the event
 * source mapping receives and deletes).
 */
export class SqsTickQueue implements TickQueue {
  constructor(private readonly options: SqsTickQueueOptions) {}

  static fromEnv(queueUrl: string, env: NodeJS.ProcessEnv = process.env): SqsTickQueue {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
    return new SqsTickQueue({
      queueUrl,
      region,
      endpoint: env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL,
      credentials: () => credentialsFromEnv(env),
    });
  }

  async send(tick: CheckTick | RecheckMessage, delaySeconds: number): Promise<void> {
    checkDelay(delaySeconds);
    await this.call('SendMessage', { QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify(tick), DelaySeconds: delaySeconds });
  }

  /**
   * SendMessageBatch (SQS API Reference): `Entries` of at most ten, each with an `Id` unique in the batch (here
   * `t<position>`), its body and DelaySeconds; the answer lists `Successful` and `Failed` entries ("Because the batch
   * request can result in a combination of successful and unsuccessful actions, you should check for batch errors even
   * when the call returns an HTTP status code of 200"). SQS bills the batch as one request per 64 KB of payload.
   */
  async sendBatch(entries: readonly ScheduledTick[]): Promise<{ failed: BatchEntryFailure[] }> {
    if (entries.length < 1 || entries.length > MAX_BATCH_ENTRIES) {
      throw new RangeError(`SendMessageBatch takes 1 to ${MAX_BATCH_ENTRIES} entries: got ${entries.length}`);
    }
    for (const e of entries) checkDelay(e.delaySeconds);
    const text = await this.call('SendMessageBatch', {
      QueueUrl: this.options.queueUrl,
      Entries: entries.map((e, i) => ({ Id: `t${i}`, MessageBody: JSON.stringify(e.tick), DelaySeconds: e.delaySeconds })),
    });
    const parsed = JSON.parse(text) as { Failed?: Array<{ Id?: string; Code?: string; Message?: string; SenderFault?: boolean }> };
    return {
      failed: (parsed.Failed ?? []).map((f) => ({
        index: Number(String(f.Id ?? '').slice(1)),
        code: f.Code ?? 'Unknown',
        message: f.Message ?? '',
        senderFault: f.SenderFault === true,
      })),
    };
  }

  /** One signed call; the response text when it succeeded, a TickSendError naming the operation and SQS's error otherwise. */
  private async call(operation: 'SendMessage' | 'SendMessageBatch', payload: Record<string, unknown>): Promise<string> {
    const { options } = this;
    const url = new URL(options.endpoint ?? `https://sqs.${options.region}.amazonaws.com`);
    url.pathname = '/';
    const body = JSON.stringify(payload);
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` }, body },
      { region: options.region, service: 'sqs' },
      options.credentials(),
      (options.now ?? (() => new Date()))(),
    );
    const { host: _host, ...sent } = headers;
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new TickSendError(`${operation} to ${queueName(options.queueUrl)} failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    const text = await response.text();
    if (response.ok) return text;
    // JSON errors carry `__type` ("com.amazonaws.sqs#QueueDoesNotExist" or a plain name) and `message`.
    let type = `HTTP ${response.status}`;
    let message = '';
    try {
      const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      type = parsed.__type?.replace(/^.*#/, '') ?? type;
      message = parsed.message ?? parsed.Message ?? '';
    } catch {
      // not JSON: the status is all there is
    }
    throw new TickSendError(`${operation} to ${queueName(options.queueUrl)} failed: ${type}${message ? `: ${message}` : ''}`);
  }
}

function checkDelay(delaySeconds: number): void {
  if (!(Number.isInteger(delaySeconds) && delaySeconds >= 0 && delaySeconds <= MAX_DELAY_SECONDS)) {
    throw new RangeError(`DelaySeconds must be a whole number from 0 to ${MAX_DELAY_SECONDS}: got ${delaySeconds}`);
  }
}

/** Lambda puts the execution role's credentials in these variables (AWS Lambda developer guide, "Defined runtime environment variables"). */
function credentialsFromEnv(env: NodeJS.ProcessEnv): SigningCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) throw new TickSendError('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function queueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}
