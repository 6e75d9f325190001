import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import { cleanupReason, type ExecutionStatusChange, endedExecution, isLeftBehind, slotsOfExecution } from '../../../functions/decisions/claim-cleanup.js';
import { claimIdOf } from '../../../functions/decisions/provision.js';

const config = loadConfigFile(fileURLToPath(new URL('../../../shepherd.config.json', import.meta.url)));
const FUNCTIONS = { aws: 'fn-aws', gcp: 'fn-gcp', scaleway: 'fn-scaleway' };

function ended(status: ExecutionStatusChange['status'], input: string | null = '{"pool":"aws-amd64","count":2}'): ExecutionStatusChange {
  return {
    executionArn: 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-provision-node:run-1',
    stateMachineArn: 'arn:aws:states:eu-west-3:123456789012:stateMachine:shepherd-kosmos-demo-provision-node',
    name: 'run-1',
    status,
    startDate: 1,
    stopDate: 2,
    input,
    inputDetails: { included: input !== null },
  };
}

const event = (detail: unknown, source = 'aws.states', type = 'Step Functions Execution Status Change') => ({ source, 'detail-type': type, detail });

describe('Function: endedExecution', () => {
  it('takes the status changes of executions that ended without their own cleanup', () => {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) expect(endedExecution(event(ended(status)))).toMatchObject({ status });
  });

  it('ignores running and succeeded executions, other sources and the sweep', () => {
    expect(endedExecution(event(ended('RUNNING')))).toBeUndefined();
    expect(endedExecution(event(ended('SUCCEEDED')))).toBeUndefined();
    expect(endedExecution(event(ended('FAILED'), 'my.app'))).toBeUndefined();
    expect(endedExecution(event({}, 'aws.events', 'Scheduled Event'))).toBeUndefined();
  });
});

describe('Function: slotsOfExecution', () => {
  it('rebuilds the claims of the execution from its input, as validate-input did', () => {
    const slots = slotsOfExecution(ended('ABORTED'), config, FUNCTIONS);
    const cluster = config.cluster.name;
    expect(slots.map((s) => s.claimId)).toEqual([claimIdOf(cluster, 'aws-amd64', 'run-1', 0), claimIdOf(cluster, 'aws-amd64', 'run-1', 1)]);
    // The owner is the execution ARN, as validate-input made it (fencing).
    expect(slots.every((s) => s.owner === ended('ABORTED').executionArn && s.providerFunction === 'fn-aws')).toBe(true);
  });

  it('uses the requestId when the input has one', () => {
    const slots = slotsOfExecution(ended('TIMED_OUT', '{"pool":"gcp-amd64","requestId":"r-1"}'), config, FUNCTIONS);
    expect(slots.map((s) => s.claimId)).toEqual([claimIdOf(config.cluster.name, 'gcp-amd64', 'r-1', 0)]);
  });

  it('finds nothing for input that never planned, or that the event does not carry', () => {
    expect(slotsOfExecution(ended('FAILED', '{"pool":"nope"}'), config, FUNCTIONS)).toEqual([]);
    expect(slotsOfExecution(ended('FAILED', 'not json'), config, FUNCTIONS)).toEqual([]);
    expect(slotsOfExecution(ended('FAILED', null), config, FUNCTIONS)).toEqual([]);
  });
});

describe('Function: isLeftBehind', () => {
  it('is a claim still counted and held by that execution only', () => {
    expect(isLeftBehind({ owner: 'run-1', status: 'claimed' }, 'run-1')).toBe(true);
    expect(isLeftBehind({ owner: 'run-1', status: 'launched' }, 'run-1')).toBe(true);
    expect(isLeftBehind({ owner: 'run-2', status: 'launched' }, 'run-1')).toBe(false);
    expect(isLeftBehind({ owner: 'run-1', status: 'active' }, 'run-1')).toBe(false);
    expect(isLeftBehind({ owner: 'run-1', status: 'released' }, 'run-1')).toBe(false);
  });
});

describe('Function: cleanupReason', () => {
  it('names how the execution ended, or the expiry', () => {
    expect(cleanupReason(ended('TIMED_OUT'))).toEqual({
      Error: 'ExecutionTimedOut',
      Cause: 'execution run-1 timed out; its VM and Node were cleaned up by ClaimCleanup',
    });
    expect(cleanupReason(ended('ABORTED')).Error).toBe('ExecutionAborted');
    expect(cleanupReason(ended('FAILED')).Error).toBe('ExecutionFailed');
    expect(cleanupReason(undefined).Error).toBe('ClaimExpired');
  });
});
