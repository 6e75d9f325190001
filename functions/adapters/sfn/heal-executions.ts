import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { HealStart } from '../../decisions/healing/triggers/types.js';

/** `started`: Step Functions runs it (or already ran this very start: same name and input while running). */
export type StartOutcome = { started: true; executionArn: string } | { started: false; duplicate: true; name: string; error: string };

/**
 * Starts HealNode executions. A name already used (`ExecutionAlreadyExists`: the same trigger delivered again after
 * its heal ended, or with other input) is the deduplication working, not a fault; every other error is thrown for
 * the caller to tell transient from permanent.
 */
export class HealExecutions {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async start(start: HealStart): Promise<StartOutcome> {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: start.name, input: JSON.stringify(start.input) }),
      );
      return { started: true, executionArn: out.executionArn ?? '' };
    } catch (err) {
      if ((err as Error).name === 'ExecutionAlreadyExists') return { started: false, duplicate: true, name: start.name, error: (err as Error).message };
      throw err;
    }
  }
}

/** Errors of StartExecution worth a retry of the whole event (EventBridge retries an async invocation that throws). */
export function isTransientSfnError(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  return (
    e?.name === 'ThrottlingException' ||
    e?.$retryable !== undefined ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    /ECONN|ETIMEDOUT|socket/i.test(String(e?.name))
  );
}
