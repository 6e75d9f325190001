import type { ShepherdConfig } from '../../config/types.js';
import type { ClaimStatus } from '../adapters/store/claims.js';
import { InvalidInputError } from '../runtime/errors.js';
import { type ProvisionSlot, planProvision, type VmRef } from './provision.js';

/**
 * Step Functions' "Step Functions Execution Status Change" event (Step Functions developer guide, "Automating Step
 * Functions event delivery with EventBridge"): sent to the default bus for every status change of a Standard
 * workflow's execution; `input` is the execution's input as JSON text, `inputDetails.included` false when too large.
 */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: number;
  stopDate: number | null;
  input: string | null;
  inputDetails?: { included: boolean };
  error?: string | null;
  cause?: string | null;
}

/** What the cleanup workflow receives from EventBridge: a status change, or the hourly sweep (a Scheduled Event). */
export interface CleanupTrigger {
  source: string;
  'detail-type': string;
  detail: unknown;
}

/** One claim to clean up: the slot as ProvisionNode ran it, and the VM it had recorded (null: none recorded). */
export interface CleanupItem {
  slot: ProvisionSlot;
  vm: VmRef | null;
}

/** Why the claims are released, in the shape the claims function's release takes (Step Functions' Error/Cause). */
export interface CleanupReason {
  Error: string;
  Cause: string;
}

export const STATUS_CHANGE = 'Step Functions Execution Status Change';

/** Whether the trigger is a ProvisionNode execution that ended without running its own cleanup. */
export function endedExecution(trigger: CleanupTrigger): ExecutionStatusChange | undefined {
  if (trigger.source !== 'aws.states' || trigger['detail-type'] !== STATUS_CHANGE) return undefined;
  const detail = trigger.detail as ExecutionStatusChange;
  return ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(detail.status) ? detail : undefined;
}

/**
 * The claims an execution may have taken: its plan, rebuilt from its input as validate-input built it. Input that
 * does not plan (it failed validation, or the config changed since) took no claim this can find; the expiry sweep
 * still finds those.
 */
export function slotsOfExecution(detail: ExecutionStatusChange, config: ShepherdConfig, providerFunctions: Record<string, string>): ProvisionSlot[] {
  if (detail.input === null || detail.inputDetails?.included === false) return [];
  try {
    return planProvision(JSON.parse(detail.input), config, { name: detail.name, id: detail.executionArn }, providerFunctions).slots;
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof SyntaxError) return [];
    throw err;
  }
}

/** A claim left behind: still counted (claimed or launched) and held by the execution (ARN) being cleaned up (fencing). */
export function isLeftBehind(claim: { owner: string; status: ClaimStatus }, owner: string): boolean {
  return claim.owner === owner && (claim.status === 'claimed' || claim.status === 'launched');
}

/** The reason recorded on each released claim. */
export function cleanupReason(detail: ExecutionStatusChange | undefined): CleanupReason {
  if (!detail) return { Error: 'ClaimExpired', Cause: 'the claim outlived its execution; its VM and Node were cleaned up by ClaimCleanup' };
  const what = { FAILED: 'failed outside a Catch', TIMED_OUT: 'timed out', ABORTED: 'was stopped' }[detail.status as 'FAILED' | 'TIMED_OUT' | 'ABORTED'];
  const error = { FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[detail.status as 'FAILED' | 'TIMED_OUT' | 'ABORTED'];
  return { Error: error, Cause: `execution ${detail.name} ${what}; its VM and Node were cleaned up by ClaimCleanup` };
}
