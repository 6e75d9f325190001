/** Where a heal stopped when a step failed for good. */
export type HealFailureStage = 'beforeNodeDeleted' | 'afterNodeDeleted' | 'replacement';

export interface HealFailureFacts {
  nodeName: string;
  reason: string;
  claimId: string | null;
  pool: string | null;
  stage: HealFailureStage;
  /** The step's error as Step Functions caught it: a Lambda's Cause is its error as JSON, others plain text. */
  error?: { Error?: string; Cause?: string };
}

/**
 * The Fail's error and cause, by the Fail-cause convention: one sentence without braces (what failed, for which node,
 * what became of it, what to do), a space, the details as JSON. A nested ProvisionNode's Cause is its own cause
 * (a sentence and JSON), of which only the sentence is kept.
 */
export function healFailureCause(f: HealFailureFacts): { error: string; cause: string } {
  const errorName = f.error?.Error ?? 'Error';
  const message = errorMessage(f.error);
  const what =
    f.stage === 'beforeNodeDeleted'
      ? `The Node is kept (cordoned if the cordon ran)${f.claimId ? ' and its claim is active again' : ''}; fix the cause and start HealNode again.`
      : f.stage === 'afterNodeDeleted'
        ? `The Node was deleted, but its VM may still run${f.claimId ? ` and claim ${f.claimId} is kept; run RemoveNode with "claimId": "${f.claimId}" to finish` : ''}.`
        : `The node was removed, but its replacement in pool ${f.pool ?? '?'} was not provisioned; start ProvisionNode for pool ${f.pool ?? '?'} by hand.`;
  const sentence = `Could not heal node ${f.nodeName} (${f.reason}): ${errorName} failed (${message}). ${what}`;
  const details = { nodeName: f.nodeName, reason: f.reason, claimId: f.claimId, pool: f.pool, stage: f.stage, error: errorName };
  return { error: 'HealFailed', cause: `${sentence.replace(/[{}]/g, '')} ${JSON.stringify(details)}` };
}

/** The message of a caught error: a Lambda's errorMessage, a nested execution's cause sentence, or the text as it is. */
function errorMessage(error: { Cause?: string } | undefined): string {
  const cause = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; Cause?: unknown; Error?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
    // A nested execution that failed: DescribeExecution's answer, with the child's own cause (sentence, then JSON).
    if (typeof parsed?.Cause === 'string') return `${parsed.Error ?? 'child execution failed'}: ${parsed.Cause.split(' {')[0]}`.slice(0, 500);
  } catch {
    // Plain text (States.Timeout, a Fail's sentence).
  }
  return cause.split(' {')[0].slice(0, 500) || 'no detail';
}
