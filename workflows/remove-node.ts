import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { retriedLambdaTask as invoke, nodeTeardown } from './node-teardown.js';
import { readInput } from './read-input.js';

export interface RemoveNodeFunctions {
  validate: lambda.IFunction;
  claims: lambda.IFunction;
  cluster: lambda.IFunction;
  /** One function per provider the config uses; the claim's slot names its own. */
  providers: lambda.IFunction[];
}

/** The refusals of the claims function's takeForRemoval (functions/runtime/errors.ts). */
const REFUSALS = ['NodeNotOwnedError', 'NodeNotFoundError', 'LastNodeAtMinError', 'RemovalInProgressError'];

/**
 * RemoveNode: validate -> find the claim and read the Node -> take the claim (fenced to this execution, refused for
 * nodes shepherd does not own and for the last node of a pool at its min unless forced) -> cordon, drain, delete the
 * Node, terminate the VM (workflows/node-teardown.ts, shared with HealNode) -> release the claim and record it.
 * A claim already released makes a second run a no-op that succeeds and says so. Each Fail's cause is one sentence
 * then the details as JSON.
 */
export function removeNodeDefinition(scope: Construct, fns: RemoveNodeFunctions): sfn.IChainable {
  const validate = invoke(
    scope,
    'Validate input',
    fns.validate,
    { workflow: 'remove-node', 'input.$': '$.input', 'executionName.$': '$$.Execution.Name' },
    '$.plan',
    30,
  );
  // Named as ProvisionNode names it: one error name for bad input in every workflow (details keep the function's).
  validate.addCatch(lambdaErrorFail(scope, 'invalid input', 'Invalid input', 'InvalidInput'), { errors: ['InvalidInputError'], resultPath: '$.error' });

  const find = invoke(scope, 'Find claim', fns.claims, { action: 'findRemoval', 'plan.$': '$.plan' }, '$.found', 30);
  const read = invoke(scope, 'Read node', fns.cluster, { action: 'readNode', 'nodeName.$': '$.found.nodeName', 'pool.$': '$.found.pool' }, '$.node', 60);
  const take = invoke(
    scope,
    'Take claim for removal',
    fns.claims,
    { action: 'takeForRemoval', 'plan.$': '$.plan', 'claimId.$': '$.found.claimId', 'node.$': '$.node' },
    '$.removal',
    30,
  );
  take.addCatch(lambdaErrorFail(scope, 'refusal', 'Removal refused'), { errors: REFUSALS, resultPath: '$.error' });

  const nothingToDo = new sfn.Pass(scope, 'Nothing to remove', {
    parameters: { status: 'already-removed', 'message.$': '$.removal.message', 'claimId.$': '$.removal.claimId', 'nodeName.$': '$.removal.nodeName' },
  });
  // The teardown reads its own small state: the claim's slot, VM and Node, and the drain policy.
  const prepare = new sfn.Pass(scope, 'Prepare teardown', {
    parameters: {
      'slot.$': '$.removal.slot',
      'vm.$': '$.removal.vm',
      'nodeName.$': '$.removal.nodeName',
      'drain.$': '$.plan.drain',
      'force.$': '$.plan.force',
      'takeover.$': '$.removal.takeover',
      // The failure path reads the last drain pass: present before the first one.
      teardown: { drain: { drained: false, blocked: [], terminating: 0 } },
    },
  });

  const failure = { 'nodeName.$': '$.nodeName', 'error.$': '$.error', 'lastDrain.$': '$.teardown.drain', 'drain.$': '$.drain' };
  const drainTimedOut = new sfn.Pass(scope, 'Drain timed out', { result: sfn.Result.fromObject({ Error: 'DrainTimedOut' }), resultPath: '$.error' });
  const giveBack = invoke(
    scope,
    'Give claim back',
    fns.claims,
    { action: 'giveBack', 'slot.$': '$.slot', 'kind.$': '$.failureKind', failure },
    '$.failure',
    30,
  );
  const markTimedOut = new sfn.Pass(scope, 'Drain deadline passed', { result: sfn.Result.fromString('drainTimedOut'), resultPath: '$.failureKind' });
  const markFailed = new sfn.Pass(scope, 'Teardown step failed', { result: sfn.Result.fromString('failedBeforeNodeDeleted'), resultPath: '$.failureKind' });
  const endLease = invoke(scope, 'Keep claim for another run', fns.claims, { action: 'endLease', 'slot.$': '$.slot', failure }, '$.failure', 30);
  const fail = new sfn.Fail(scope, 'Removal failed', { errorPath: '$.failure.error', causePath: '$.failure.cause' });
  // The claims function could not record the failure: the sentence is built here, without its details.
  const unrecorded = new sfn.Pass(scope, 'Read unrecorded failure', {
    parameters: {
      'error.$': '$.error.Error',
      'claimId.$': '$.slot.claimId',
      details: { 'error.$': '$.error.Error', 'recordError.$': '$.recordError.Error', 'nodeName.$': '$.nodeName', 'claimId.$': '$.slot.claimId' },
    },
    resultPath: '$.failure',
  });
  const explainUnrecorded = new sfn.Pass(scope, 'Explain unrecorded failure', {
    parameters: {
      'error.$': '$.failure.error',
      'cause.$':
        "States.Format('Could not remove the node of claim {}, and the failure could not be recorded either; check the claim and the node with shepherd status before running RemoveNode again. {}', $.failure.claimId, States.JsonToString($.failure.details))",
    },
    resultPath: '$.failure',
  });
  for (const t of [giveBack, endLease]) t.addCatch(unrecorded, { resultPath: '$.recordError' });
  unrecorded.next(explainUnrecorded).next(fail);
  drainTimedOut.next(markTimedOut).next(giveBack).next(fail);
  markFailed.next(giveBack);
  endLease.next(fail);

  const teardown = nodeTeardown(scope, fns, { drainTimedOut, failedBeforeNodeDeleted: markFailed, failedAfterNodeDeleted: endLease });
  const release = invoke(
    scope,
    'Release claim of node',
    fns.claims,
    { action: 'recordRemoval', 'slot.$': '$.slot', 'nodeName.$': '$.nodeName', 'vm.$': '$.teardown.vm' },
    '$.released',
    30,
  );
  release.addCatch(endLease, { resultPath: '$.error' });
  const removed = new sfn.Pass(scope, 'Node removed', {
    parameters: {
      status: 'removed',
      'nodeName.$': '$.nodeName',
      'claimId.$': '$.slot.claimId',
      'pool.$': '$.slot.pool',
      'vm.$': '$.vm',
      'teardown.$': '$.teardown',
      // Terminated by this run, or already gone (deleted out of band): the audit item says the same.
      'vmOutcome.$': '$.released.vm',
    },
  });

  const done = new sfn.Choice(scope, 'Already removed?')
    .when(sfn.Condition.booleanEquals('$.removal.done', true), nothingToDo.next(new sfn.Succeed(scope, 'Already removed')))
    .otherwise(prepare.next(teardown).next(release).next(removed).next(new sfn.Succeed(scope, 'Removed')));
  return readInput(scope).next(validate).next(find).next(read).next(take).next(done);
}

/**
 * A Fail for an error a Lambda raised on purpose (its message is the sentence): the cause is that message, a space,
 * then the error name and the execution's input as JSON. The Fail's error is `error`, else the Lambda's error name.
 */
export function lambdaErrorFail(scope: Construct, what: string, failName: string, error?: string): sfn.IChainable {
  const read = new sfn.Pass(scope, `Read ${what}`, {
    parameters: { 'lambda.$': 'States.StringToJson($.error.Cause)', details: { 'error.$': '$.error.Error', 'input.$': '$$.Execution.Input' } },
  });
  const explain = new sfn.Pass(scope, `Explain ${what}`, {
    parameters: {
      ...(error ? { error } : { 'error.$': '$.details.error' }),
      'cause.$': "States.Format('{} {}', $.lambda.errorMessage, States.JsonToString($.details))",
    },
  });
  return read.next(explain).next(new sfn.Fail(scope, failName, { errorPath: '$.error', causePath: '$.cause' }));
}
