import type { HistoryEvent } from '../../local/stepfunctions/execution-history.js';
import type { LambdaFunctionSpec } from '../../local/types.js';
import type { OperationCount } from './counting-proxy.js';

/** One Lambda invocation made by a recorded execution. */
export interface RecordedInvocation {
  /** The function's name in the local stack. */
  functionName: string;
  /** The event the function received, as the workflow sent it. */
  event: unknown;
  /** Wall time of the local invocation (cold start included on a fresh environment). */
  wallMs: number;
  ok: boolean;
}

/** One ProvisionNode execution run in the local control plane, and what it used. */
export interface RecordedExecution {
  pool: string;
  status: string;
  error?: string;
  history: HistoryEvent[];
  invocations: RecordedInvocation[];
  /** Calls to AWS JSON-protocol services (DynamoDB, Secrets Manager, EventBridge, SSM) by `X-Amz-Target`. */
  awsCalls: Record<string, OperationCount>;
  /** Bytes the functions wrote to their logs (one line each, newline included). */
  functionLogBytes: number;
}

export interface RecordedRuns {
  executions: RecordedExecution[];
  functions: LambdaFunctionSpec[];
  /** Items in the stack's table(s) after the runs, and their approximate size (JSON of each item). */
  table: { items: number; bytes: number };
  /** The environment a function's local Lambda got: Lambda's variables, the template's, the local endpoints. */
  functionEnv(fn: LambdaFunctionSpec): Record<string, string>;
  /** Stops the simulator and the local control plane. */
  stop(): Promise<void>;
}
