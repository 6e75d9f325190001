import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values never reach a log line, whatever object they sit in. */
const SECRET_KEYS = /token|secret|password|kubeconfig|user[-_]?data|authorization|credential|private[-_]?key/i;
/** Deeper than this, an object is not walked; it is dropped rather than logged unredacted. */
const MAX_DEPTH = 8;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Powertools' structured JSON logger (one line per entry, Lambda context and the execution id appended by
 * `withExecutionContext`). Level from POWERTOOLS_LOG_LEVEL or Lambda's log level setting; INFO by default.
 * Not exported: every entry goes through `log`, which redacts.
 */
const logger = new Logger({ serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'shepherd' });

/** One JSON line per entry (CloudWatch Logs Insights reads the fields); secrets redacted. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  logger[level](message, redact(fields) as Record<string, unknown>);
}

/** Adds keys to every entry until `resetLogKeys`, e.g. the execution id of the current invocation. */
export function appendLogKeys(keys: Record<string, string>): void {
  logger.appendKeys(keys);
}

export function resetLogKeys(): void {
  logger.resetKeys();
}

/** The Lambda context, for the request id, function name and cold start on every entry. */
export function addLambdaContext(context: Parameters<Logger['addContext']>[0]): void {
  logger.addContext(context);
}

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}
