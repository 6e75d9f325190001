import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The watcher function could not be started. */
export class WatcherStartError extends Error {
  override name = 'WatcherStartError';
}

export const isWatcherStartError = (err: unknown): err is WatcherStartError => err instanceof WatcherStartError;

/**
 * Starts one pass of the cluster watcher without waiting for it: Lambda's asynchronous invocation (`InvocationType:
 * Event`, "Invoking a Lambda function asynchronously", Lambda Developer Guide), answered 202 once queued. The pass runs
 * as the schedule's does, with the watcher's own role, snapshot and dedupe; the caller needs only
 * lambda:InvokeFunction on that one function.
 */
export class WatcherStarter {
  constructor(
    private readonly functionName: string,
    private readonly client: LambdaClient = new LambdaClient({}),
  ) {}

  async start(event: Record<string, unknown>): Promise<void> {
    let status: number | undefined;
    try {
      status = (
        await this.client.send(
          new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
        )
      ).StatusCode;
    } catch (err) {
      throw new WatcherStartError(`invoking the watcher failed: ${(err as Error).name}: ${(err as Error).message}`);
    }
    if (status !== 202) throw new WatcherStartError(`invoking the watcher answered ${status ?? 'no status'}, not 202`);
  }
}
