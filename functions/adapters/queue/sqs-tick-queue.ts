import type { CheckTick } from '../../decisions/dns/check-ticks.js';
import type { RecheckMessage } from '../../decisions/dns/recheck.js';
import { type SigningCredentials, signRequest } from './sigv4.js';

/** Where the next tick of the check chain goes (and a fast re-check, decisions/dns/recheck.ts). */
export interface TickQueue {
  /** Sends a tick (or a re-check) that becomes visible after `delaySeconds` (0 to 900). */
  send(tick: CheckTick | RecheckMessage, delaySeconds: number): Promise<void>;
}

/** SendMessage failed: the chain is broken until the keep-alive restarts it. */
export class TickSendError extends Error {
  override name = 'TickSendError';
}

export const isTickSendError = (err: unknown): err is TickSendError => err instanceof TickSendError;

/** SendMessage's DelaySeconds, per message: "Valid values: 0 to 900" (SQS API Reference, SendMessage). */
export const MAX_DELAY_SECONDS = 900;
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
 * SendMessage over the AWS JSON 1.0 protocol SQS speaks ("Making query API requests using AWS JSON protocol in Amazon
 * SQS", SQS Developer Guide: POST / with `X-Amz-Target: AmazonSQS.SendMessage` and `Content-Type:
 * application/x-amz-json-1.0`), signed with SigV4. One call, so the function bundles no SQS client: the project has
 * none among its dependencies, and this is the only SQS call shepherd's functions make (the event source mapping
 * receives and deletes).
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
    if (!(Number.isInteger(delaySeconds) && delaySeconds >= 0 && delaySeconds <= MAX_DELAY_SECONDS)) {
      throw new RangeError(`DelaySeconds must be a whole number from 0 to ${MAX_DELAY_SECONDS}: got ${delaySeconds}`);
    }
    const { options } = this;
    const url = new URL(options.endpoint ?? `https://sqs.${options.region}.amazonaws.com`);
    url.pathname = '/';
    const body = JSON.stringify({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(tick), DelaySeconds: delaySeconds });
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' }, body },
      { region: options.region, service: 'sqs' },
      options.credentials(),
      (options.now ?? (() => new Date()))(),
    );
    const { host: _host, ...sent } = headers;
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new TickSendError(`SendMessage to ${queueName(options.queueUrl)} failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    const text = await response.text();
    if (response.ok) return;
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
    throw new TickSendError(`SendMessage to ${queueName(options.queueUrl)} failed: ${type}${message ? `: ${message}` : ''}`);
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
