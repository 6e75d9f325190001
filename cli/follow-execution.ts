import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CliContext } from './context.js';
import { outcomeText, progressLine } from './execution-progress.js';
import { watchExecution } from './execution-watch.js';
import { type ProgressUpdate, SlotProgress } from './progress/slot-progress.js';
import { phasesFor } from './workflows.js';

export interface FollowOptions {
  /** Every state entered and exited, and the full output, instead of one line per slot and phase. */
  verbose?: boolean;
}

/** The state machine's name in an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>). */
export function stateMachineNameOf(executionArn: string): string {
  return executionArn.split(':')[6] ?? '';
}

/**
 * Follows an execution to its end and prints its progress: one line per slot and phase for workflows that have
 * phases (cli/workflows.ts), polls as one updating status line on a terminal; with `verbose`, or for other
 * workflows, every state. Returns the exit code: 0 when it SUCCEEDED.
 */
export async function followExecution(sfn: SFNClient, executionArn: string, ctx: CliContext, options: FollowOptions = {}): Promise<number> {
  const phases = options.verbose ? undefined : phasesFor(stateMachineNameOf(executionArn));
  const progress = phases ? new SlotProgress(phases) : undefined;
  let status = '';
  const show = (update: ProgressUpdate) => {
    if (update.status !== undefined) status = update.status;
    if (update.lines.length > 0) {
      if (status) ctx.statusLine?.('');
      ctx.stdout(update.lines.map((l) => `${l}\n`).join(''));
    }
    if (update.status !== undefined || update.lines.length > 0) ctx.statusLine?.(status);
  };
  const execution = await watchExecution(sfn, executionArn, {
    pollIntervalMs: ctx.pollIntervalMs,
    includeExecutionData: progress !== undefined,
    onEvent: (event) => {
      if (progress) show(progress.onEvent(event));
      else {
        const line = progressLine(event);
        if (line) ctx.stdout(`${line}\n`);
      }
    },
  });
  if (status) ctx.statusLine?.('');
  ctx.stdout(outcomeText(execution, { withOutput: !progress }));
  return execution.status === 'SUCCEEDED' ? 0 : 1;
}
