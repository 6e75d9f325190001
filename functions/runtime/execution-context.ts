import { addLambdaContext, appendLogKeys, resetLogKeys } from './logger.js';
import { metrics } from './metrics.js';
import { withPlainMessage } from './plain-message.js';

/** What Lambda passes as the second argument; only what the logger reads is required. */
export type LambdaContext = Parameters<typeof addLambdaContext>[0];

/** The Step Functions execution id a state machine passes as `execution` (`$$.Execution.Id`), if any. */
export function executionOf(event: unknown): string | undefined {
  const execution = (event as { execution?: unknown } | null)?.execution;
  return typeof execution === 'string' && execution !== '' ? execution : undefined;
}

/**
 * Wraps a handler so that every log line of one invocation carries its execution id (the correlation id across
 * the workflow's functions) and the Lambda request id, and the metrics it recorded are flushed, also when it throws.
 * A thrown error's message is made a plain sentence (plain-message.ts).
 */
export function withExecutionContext<E, R>(handler: (event: E, context?: LambdaContext) => Promise<R>) {
  return async (event: E, context?: LambdaContext): Promise<R> => {
    if (context) addLambdaContext(context);
    const execution = executionOf(event);
    if (execution) appendLogKeys({ execution });
    try {
      return await handler(event, context);
    } catch (err) {
      // The message reaches a person through the workflow's fail cause: keep it a plain sentence.
      throw withPlainMessage(err);
    } finally {
      resetLogKeys();
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
