import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { outcomeText } from '../../cli/execution-progress.js';
import { provisionNodePhases } from '../../cli/progress/provision-node-phases.js';
import { removeNodePhases } from '../../cli/progress/remove-node-phases.js';
import { SlotProgress } from '../../cli/progress/slot-progress.js';
import { causeSummary } from '../../cli/progress/workflow-phases.js';
import { closest } from '../../cli/suggest.js';
import { phasesFor, workflowOf } from '../../cli/workflows.js';

let id = 0;
const exited = (name: string, output: unknown): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(0),
  type: 'TaskStateExited',
  stateExitedEventDetails: { name, output: JSON.stringify(output) },
});
const entered = (name: string, input: unknown): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(0),
  type: 'WaitStateEntered',
  stateEnteredEventDetails: { name, input: JSON.stringify(input) },
});
const slot = (n: number) => ({ slot: n, claimId: `c${n}`, pool: 'aws-amd64' });

describe('Class: SlotProgress', () => {
  it('prints one line per slot and phase, prefixed by the slot, and each phase once however often it is polled', () => {
    const progress = new SlotProgress(provisionNodePhases);
    const lines = (e: HistoryEvent) => progress.onEvent(e).lines;
    expect(lines(exited('Claim capacity', { slot: slot(0), claim: { activeClaims: 2 } }))).toEqual(['slot 1: claimed c0 in pool aws-amd64 (2 active)']);
    expect(lines(exited('Keep VM', { slot: slot(1), vm: { id: 'i-1', type: 't3.small', zone: 'eu-west-3a' } }))).toEqual([
      'slot 2: launched i-1 (t3.small in eu-west-3a)',
    ]);
    const notYet = { slot: slot(0), node: { registered: true, ready: false, nodeName: 'n0' } };
    expect(lines(exited('Check node', notYet))).toEqual(['slot 1: registered as node n0, not Ready yet']);
    expect(lines(exited('Check node', notYet))).toEqual([]);
    expect(lines(exited('Check node', { slot: slot(0), node: { registered: false } }))).toEqual([]);
    expect(lines(exited('Check node', { slot: slot(0), node: { registered: true, ready: true, nodeName: 'n0' } }))).toEqual(['slot 1: node n0 is Ready']);
    // States the phases do not name, and data without a slot, print nothing.
    expect(lines(exited('Record VM', { slot: slot(0) }))).toEqual([]);
    expect(lines(exited('Summarize', { pool: 'aws-amd64' }))).toEqual([]);
  });

  it('finds the slot of a state whose output holds only the claim id, and shortens the cause to its first sentence', () => {
    const progress = new SlotProgress(provisionNodePhases);
    progress.onEvent(exited('Claim capacity', { slot: slot(2), claim: {} }));
    const cause = JSON.stringify({ errorType: 'LaunchError', errorMessage: 'no offering had capacity; tried t3.small in 3 zones. Details follow' });
    expect(progress.onEvent(exited('Node failed', { status: 'failed', claimId: 'c2', error: 'LaunchError', cause })).lines).toEqual([
      'slot 3: failed: LaunchError: no offering had capacity; tried t3.small in 3 zones.',
    ]);
    expect(progress.onEvent(exited('Node failed', { status: 'failed', claimId: 'unknown-claim', error: 'X' })).lines).toEqual([]);
  });

  it("shows a failed slot's result by its error name and message (fail-cause convention), refusals too", () => {
    const progress = new SlotProgress(provisionNodePhases);
    progress.onEvent(exited('Claim capacity', { slot: slot(0), claim: {} }));
    const message = 'VM i-1 did not register a Ready Node within 60 polls of 15 s; it is being terminated.';
    expect(progress.onEvent(exited('Node failed', { status: 'failed', claimId: 'c0', error: 'RegistrationTimeout', message })).lines).toEqual([
      `slot 1: failed: RegistrationTimeout: ${message}`,
    ]);
    const refused = {
      status: 'failed',
      claimId: 'c0',
      error: 'PoolAtCapacityError',
      message: 'pool aws-amd64 already has its max of 3 nodes claimed; raise pools[].max or wait for a release',
    };
    expect(progress.onEvent(exited('Claim refused', refused)).lines).toEqual([`slot 1: refused: PoolAtCapacityError: ${refused.message}`]);
  });

  it('shows polls as one status line across slots, and drops a slot from it once the slot moves on', () => {
    const progress = new SlotProgress(provisionNodePhases);
    const poll = (n: number, attempt: number) => entered('Wait for node', { slot: slot(n), pollState: { attempt }, poll: { maxPolls: 60 } });
    expect(progress.onEvent(poll(0, 1)).status).toBe('slot 1: waiting for the Node (poll 1 of 60)');
    expect(progress.onEvent(poll(1, 3)).status).toBe('slot 1: waiting for the Node (poll 1 of 60); slot 2: waiting for the Node (poll 3 of 60)');
    const moved = progress.onEvent(exited('Check node', { slot: slot(0), node: { registered: true, ready: true, nodeName: 'n0' } }));
    expect(moved).toEqual({ lines: ['slot 1: node n0 is Ready'], status: 'slot 2: waiting for the Node (poll 3 of 60)' });
  });
});

describe('Function: causeSummary', () => {
  it('keeps the whole sentence of a fail cause ("<sentence> <JSON details>"), not its details', () => {
    const sentence = 'pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3. Lower count, raise pools[].max, or remove a node.';
    expect(causeSummary(`${sentence} {"error":"InvalidInputError"}`, 400)).toBe(sentence);
    expect(causeSummary(`${sentence} {"error":"InvalidInputError"}`, 40)).toHaveLength(40);
  });

  it('keeps a Lambda error message or a plain cause up to its first sentence, cut to the limit', () => {
    expect(causeSummary('Pool full; raise max. Details: {not JSON')).toBe('Pool full; raise max.');
    expect(causeSummary(JSON.stringify({ errorType: 'E', errorMessage: 'It broke. Trace' }))).toBe('It broke.');
    expect(causeSummary('x'.repeat(300), 20)).toHaveLength(20);
  });
});

describe('Function: outcomeText', () => {
  const sentence = 'pool gcp-amd64 has 1 of its 3 nodes free (2 claimed); asked for 3. Lower count, raise pools[].max, or remove a node.';
  const failed = {
    executionArn: 'arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-provision-node:x',
    stateMachineArn: 'arn:aws:states:eu-west-3:123456789012:stateMachine:shepherd-kosmos-demo-provision-node',
    startDate: undefined as unknown as Date,
    status: 'FAILED' as const,
    error: 'InvalidInput',
    cause: `${sentence} {"error":"InvalidInputError"}`,
  };

  it('shows the error and the whole sentence of a fail cause, without its details', () => {
    expect(outcomeText(failed, { withOutput: false })).toBe(`execution FAILED\nerror: InvalidInput\ncause: ${sentence}\n`);
  });

  it('with the output (--verbose), shows the sentence and then the details, pretty', () => {
    expect(outcomeText(failed)).toBe(`execution FAILED\nerror: InvalidInput\ncause: ${sentence}\n{\n  "error": "InvalidInputError"\n}\n`);
  });

  it('says a run shorter than a second took under a second, not "0s"; longer ones in seconds, then minutes', () => {
    const ran = (ms: number) =>
      outcomeText({ ...failed, status: 'SUCCEEDED', startDate: new Date(1_000_000), stopDate: new Date(1_000_000 + ms) }, { withOutput: false });
    expect(ran(0)).toBe('execution SUCCEEDED in under a second\n');
    expect(ran(420)).toBe('execution SUCCEEDED in under a second\n');
    expect(ran(900)).toBe('execution SUCCEEDED after 1s\n');
    expect(ran(130_000)).toBe('execution SUCCEEDED after 2m10s\n');
  });
});

describe('Function: workflowOf', () => {
  it('names a state machine by the workflow it runs, whatever its physical name, and knows the phases of each', () => {
    expect(workflowOf('shepherd-kosmos-demo-provision-node')).toBe('provision-node');
    expect(workflowOf('ShepherdStack-ProvisionNodeStateMachine2E01A3A5-k1')).toBe('provision-node');
    expect(workflowOf('someone-elses-machine')).toBeUndefined();
    expect(phasesFor('shepherd-x-provision-node')).toBe(provisionNodePhases);
  });
});

describe('Function: closest', () => {
  it('suggests a candidate within typo distance only', () => {
    expect(closest('strat', ['start', 'status', 'watch'])).toBe('start');
    expect(closest('inptu', ['input', 'name', 'no-wait'])).toBe('input');
    expect(closest('deploy', ['start', 'status', 'watch'])).toBeUndefined();
    expect(closest('wtch', ['watch'])).toBe('watch');
    expect(closest('xy', ['watch'])).toBeUndefined();
  });
});

describe('Constant: removeNodePhases', () => {
  it('prints one unprefixed line per phase of the one node, a blocked drain once, and the drain polls as a status line', () => {
    const progress = new SlotProgress(removeNodePhases);
    const lines = (e: HistoryEvent) => progress.onEvent(e).lines;
    const slot = { slot: 0, claimId: 'c1', pool: 'aws-arm64' };
    expect(lines(exited('Take claim for removal', { removal: { done: false, nodeName: 'n1', slot } }))).toEqual([
      'removing node n1 (claim c1 in pool aws-arm64)',
    ]);
    expect(lines(exited('Cordon node', { nodeName: 'n1', teardown: { cordon: { cordoned: true } } }))).toEqual(['cordoned node n1']);
    const blocked = { nodeName: 'n1', teardown: { drain: { drained: false, blocked: ['default/web-1'], evicted: [] } } };
    expect(lines(exited('Drain node', blocked))).toEqual(['drain: 1 pod(s) held by a PodDisruptionBudget; retrying until the deadline']);
    expect(lines(exited('Drain node', blocked))).toEqual([]);
    expect(progress.onEvent(entered('Wait for evictions', { nodeName: 'n1', drainState: { pass: 2 }, drain: { maxPasses: 7 } })).status).toBe(
      'draining node n1 (pass 2 of 7)',
    );
    expect(progress.onEvent(exited('Delete remaining pods', { nodeName: 'n1', teardown: { forced: { deleted: ['default/web-1'] } } }))).toEqual({
      lines: ['drain deadline passed; forced: deleted 1 pod(s)'],
      status: '',
    });
    expect(lines(exited('Delete node', { nodeName: 'n1', teardown: { node: { deleted: true } } }))).toEqual(['deleted Node n1']);
    expect(lines(exited('Terminate node VM', { nodeName: 'n1', teardown: { vm: { terminated: ['i-1'] } } }))).toEqual(['terminated VM i-1']);
    // Deleted out of band before the run: said so, not "terminated".
    expect(lines(exited('Terminate node VM', { nodeName: 'n1', teardown: { vm: { terminated: [], alreadyGone: ['i-1'] } } }))).toEqual([
      'VM i-1 was already gone',
    ]);
    expect(lines(exited('Release claim of node', { nodeName: 'n1' }))).toEqual(['claim released']);
  });

  it('prints no "removing node" line for a refused removal (no claim taken), so no "claim ? in pool ?"', () => {
    const progress = new SlotProgress(removeNodePhases);
    const refused = { nodeName: 'n1', error: { Error: 'NodeNotOwnedError', Cause: '{"errorMessage":"node n1 is not shepherd\'s"}' } };
    expect(progress.onEvent(exited('Take claim for removal', refused)).lines).toEqual([]);
  });

  it('says why a removal stopped, with the sentence of the cause (the JSON details left out)', () => {
    const progress = new SlotProgress(removeNodePhases);
    const failure = { error: 'DrainTimedOut', cause: 'Could not drain node n1 within 60 s: a budget blocks it. It is left cordoned. {"nodeName":"n1"}' };
    expect(progress.onEvent(exited('Give claim back', { failure })).lines).toEqual([
      'failed: DrainTimedOut: Could not drain node n1 within 60 s: a budget blocks it. It is left cordoned. The claim is active again.',
    ]);
    expect(phasesFor('shepherd-kosmos-demo-remove-node')).toBe(removeNodePhases);
    expect(workflowOf('shepherd-kosmos-demo-remove-node')).toBe('remove-node');
  });
});
