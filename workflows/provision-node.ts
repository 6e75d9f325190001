import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { failWithCause, readError } from './fail-cause.js';
import { lambdaTask, providerFunction } from './lambda-task.js';
import { LISTING_LAG_RETRY } from './listing-lag.js';
import { readInput } from './read-input.js';

export interface ProvisionNodeFunctions {
  validate: lambda.IFunction;
  claims: lambda.IFunction;
  cluster: lambda.IFunction;
  /** One function per provider the config uses; each slot invokes its pool's (the plan names it). */
  providers: lambda.IFunction[];
}

/**
 * The function itself was lost: it ran out of time or memory. Step Functions names these `Lambda.Unknown` (AWS's
 * "Handle Lambda service exceptions"); in practice a timeout also shows as `Sandbox.Timedout`, and an out-of-memory
 * kill as `Runtime.OutOfMemory` or `Runtime.ExitError` (the errorType Lambda returns). The task timeout is longer
 * than the function's, so `States.Timeout` never reports them. Retrying is safe only because every task here is
 * idempotent: a lost invocation may have done its work (launch by its client token, claims by claim id, labels and
 * deletes by name).
 */
export const FUNCTION_LOST = ['Sandbox.Timedout', 'Lambda.Unknown', 'Runtime.OutOfMemory', 'Runtime.ExitError'];

/** Errors worth retrying: throttling, transient provider faults, Lambda service hiccups. */
export const TRANSIENT = [
  'ThrottledError',
  'TransientError',
  'NodeConflictError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
];

/**
 * ProvisionNode: validate -> for each requested node: claim capacity, launch (the claim records the offering being
 * tried; a capacity error moves it to the next instance type or zone), poll until the Node is Ready (registration
 * deadline), label and taint it, record it. Any failure after the claim cleans up the half-registered Node, the VM and
 * the claim, but only for the execution that owns the claim: a duplicate of a request never touches the owner's.
 */
export function provisionNodeDefinition(scope: Construct, fns: ProvisionNodeFunctions): sfn.IChainable {
  const validate = invoke(scope, 'Validate input', fns.validate, { 'input.$': '$.input', 'executionName.$': '$$.Execution.Name' }, '$.plan', 30);
  // validate-input's message is the sentence: it names the field, or the pool and its free capacity, and what to do.
  const invalid = failWithCause(scope, 'Invalid input', {
    error: 'InvalidInput',
    sentence: sfn.JsonPath.stringAt('$.failure.message'),
    details: { 'error.$': '$.failure.error' },
  });
  validate.addCatch(readError(scope, 'Read invalid input', '$.error', '$.failure').next(invalid), { errors: ['InvalidInputError'], resultPath: '$.error' });
  // No answer in time: the function may have logged nothing (still starting), so the sentence sends nobody to its logs.
  const uncheckedInTime = failWithCause(scope, 'Validation timed out', {
    error: 'ValidationTimedOut',
    sentence:
      'The request could not be checked in time (validate-input did not answer within its task timeout after 3 attempts), so nothing was claimed or launched; start it again',
    details: { 'error.$': '$.error.Error' },
  });
  validate.addCatch(uncheckedInTime, { errors: ['States.Timeout'], resultPath: '$.error' });
  // Anything else (the table unreadable, the function lost after its retries) ends here, not outside a Catch.
  const unchecked = failWithCause(scope, 'Validation failed', {
    error: 'ValidationFailed',
    sentence: sfn.JsonPath.format(
      'The request could not be checked, so nothing was claimed or launched; start it again, and if it fails the same way see the validate-input function logs. Error {}: {}',
      sfn.JsonPath.stringAt('$.failure.error'),
      sfn.JsonPath.stringAt('$.failure.message'),
    ),
    details: { 'error.$': '$.failure.error', 'message.$': '$.failure.message' },
  });
  validate.addCatch(readError(scope, 'Read validation error', '$.error', '$.failure').next(unchecked), { resultPath: '$.error' });

  const slots = slotMap(scope, fns);

  // A `[*]` path is documented in Parameters, not inside an intrinsic's arguments: collect the statuses first.
  const summarize = new sfn.Pass(scope, 'Summarize', {
    parameters: { 'pool.$': '$.plan.pool', 'reason.$': '$.plan.reason', 'nodes.$': '$.results', 'statuses.$': '$.results[*].status' },
  });
  const checkResults = new sfn.Pass(scope, 'Check results', {
    parameters: { 'pool.$': '$.pool', 'reason.$': '$.reason', 'nodes.$': '$.nodes', 'anyFailed.$': "States.ArrayContains($.statuses, 'failed')" },
  });
  // Filters are full JSONPath, documented in Parameters (not in intrinsic arguments): collect the failed ones first.
  const collectFailures = new sfn.Pass(scope, 'Collect failures', {
    parameters: {
      'pool.$': '$.pool',
      'nodes.$': '$.nodes',
      'errors.$': "$.nodes[?(@.status == 'failed')].error",
      'messages.$': "$.nodes[?(@.status == 'failed')].message",
    },
  });
  const failed = failWithCause(scope, 'Provisioning failed', {
    error: 'ProvisionFailed',
    sentence: sfn.JsonPath.format(
      'Provisioning failed for {} of {} nodes of pool {}; each failed node was cleaned up (VM terminated, half-registered Node removed, claim released) unless its result below says otherwise. First failure, {}: {}',
      sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.messages')),
      sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.nodes')),
      sfn.JsonPath.stringAt('$.pool'),
      sfn.JsonPath.arrayGetItem(sfn.JsonPath.listAt('$.errors'), 0),
      sfn.JsonPath.arrayGetItem(sfn.JsonPath.listAt('$.messages'), 0),
    ),
    details: { 'pool.$': '$.pool', 'nodes.$': '$.nodes' },
  });
  const done = new sfn.Succeed(scope, 'Provisioned');
  const outcome = new sfn.Choice(scope, 'All nodes provisioned?')
    .when(sfn.Condition.booleanEquals('$.anyFailed', true), collectFailures.next(failed))
    .otherwise(done);
  slots.next(summarize);
  summarize.next(checkResults).next(outcome);
  return readInput(scope).next(validate).next(slots);
}

/** A failed slot's result names its error and message (readError put them at $.failure), never a Lambda's raw Cause. */
const FAILURE = { 'error.$': '$.failure.error', 'message.$': '$.failure.message' };

function slotMap(scope: Construct, fns: ProvisionNodeFunctions): sfn.Map {
  const provider = providerFunction(fns.providers);
  const map = new sfn.Map(scope, 'Provision nodes', {
    itemsPath: '$.plan.slots',
    // vm starts as JSON null (from the plan: see ProvisionPlan.noVm) so cleanup can run before any VM exists.
    // node likewise: cleanup reads which Node the claim took (Scaleway removes that node through its API).
    itemSelector: { 'slot.$': '$$.Map.Item.Value', 'poll.$': '$.plan.poll', 'offerings.$': '$.plan.offerings', 'vm.$': '$.plan.noVm', 'node.$': '$.plan.noVm' },
    // The provider's launch parallelism (Scaleway pools: 1, their size is one number shared by all claims).
    maxConcurrencyPath: '$.plan.maxConcurrency',
    resultPath: '$.results',
  });

  const claim = invoke(scope, 'Claim capacity', fns.claims, { action: 'claim', 'slot.$': '$.slot', 'offerings.$': '$.offerings' }, '$.claim', 30);
  const rejected = new sfn.Pass(scope, 'Claim refused', {
    parameters: { status: 'failed', 'claimId.$': '$.slot.claimId', ...FAILURE, cleanedUp: 'nothing to clean up' },
  });
  const reused = new sfn.Pass(scope, 'Already provisioned', {
    parameters: { status: 'succeeded', reused: true, 'claimId.$': '$.slot.claimId', 'nodeName.$': '$.claim.nodeName', 'vm.$': '$.claim.vm' },
  });
  // Launches in the offering the claim records, so that a retry after a lost answer resumes it (same launch token).
  const launch = invoke(
    scope,
    'Launch VM',
    provider,
    { action: 'launch', 'slot.$': '$.slot', 'offering.$': '$.claim.offering', 'activeClaims.$': '$.claim.activeClaims' },
    '$.launched',
    300,
  );
  // Only after a definite capacity error: the claim moves to the next offering before it is launched.
  const nextOffering = invoke(
    scope,
    'Try next offering',
    fns.claims,
    { action: 'nextOffering', 'slot.$': '$.slot', 'offerings.$': '$.offerings', 'from.$': '$.claim.offering.index' },
    '$.claim.offering',
    30,
  );
  // The invoke integration wraps the function's result; the VM reference is its Payload.
  const keepVm = new sfn.Pass(scope, 'Keep VM', { inputPath: '$.launched.Payload', resultPath: '$.vm' });
  const recordVm = invoke(scope, 'Record VM', fns.claims, { action: 'attachVm', 'slot.$': '$.slot', 'vm.$': '$.vm' }, sfn.JsonPath.DISCARD, 30);
  // attempt counts checks made: the k-th check sees attempt k, so at most maxPolls checks run.
  const startPolling = new sfn.Pass(scope, 'Start polling', { result: sfn.Result.fromObject({ attempt: 1 }), resultPath: '$.pollState' });
  const wait = new sfn.Wait(scope, 'Wait for node', { time: sfn.WaitTime.secondsPath('$.poll.seconds') });
  const check = invoke(scope, 'Check node', fns.cluster, { action: 'findNode', 'slot.$': '$.slot', 'vm.$': '$.vm' }, '$.node', 60);
  const countPoll = new sfn.Pass(scope, 'Count poll', {
    parameters: { 'attempt.$': 'States.MathAdd($.pollState.attempt, 1)' },
    resultPath: '$.pollState',
  });
  const timedOut = new sfn.Pass(scope, 'Registration timed out', {
    parameters: {
      Error: 'RegistrationTimeout',
      'Cause.$':
        "States.Format('VM {} did not register a Ready Node within {} polls of {} s; it is being terminated.', $.vm.id, $.poll.maxPolls, $.poll.seconds)",
    },
    resultPath: '$.error',
  });
  const prepare = invoke(
    scope,
    'Label and taint node',
    fns.cluster,
    { action: 'prepareNode', 'slot.$': '$.slot', 'vm.$': '$.vm', 'nodeName.$': '$.node.nodeName' },
    '$.prepared',
    60,
  );
  // The join script stays readable on some VMs (GCE metadata, which pods can read): the provider takes it away now.
  const removeJoinSecrets = invoke(
    scope,
    'Remove join secrets',
    provider,
    { action: 'removeJoinSecrets', 'slot.$': '$.slot', 'vm.$': '$.vm' },
    sfn.JsonPath.DISCARD,
    // Above the provider function's own timeout, as every provider task.
    300,
  );
  const complete = invoke(
    scope,
    'Record node',
    fns.claims,
    { action: 'complete', 'slot.$': '$.slot', 'vm.$': '$.vm', 'nodeName.$': '$.node.nodeName' },
    sfn.JsonPath.DISCARD,
    30,
  );
  const succeeded = new sfn.Pass(scope, 'Node ready', {
    parameters: { status: 'succeeded', 'claimId.$': '$.slot.claimId', 'nodeName.$': '$.node.nodeName', 'vm.$': '$.vm', 'labels.$': '$.prepared.labels' },
  });

  // Cleanup: every step is retried hard, and a VM that cannot be terminated keeps its claim.
  const removeNode = invoke(
    scope,
    'Remove half-registered node',
    fns.cluster,
    { action: 'removeNode', 'slot.$': '$.slot', 'vm.$': '$.vm' },
    '$.cleanup.node',
    60,
    5,
  );
  const terminate = invoke(
    scope,
    'Terminate VM',
    provider,
    { action: 'cleanup', 'slot.$': '$.slot', 'vm.$': '$.vm', 'node.$': '$.node' },
    '$.cleanup.vm',
    300,
    8,
    {
      // The invoke integration wraps the result; keep only what the slot's result reports.
      'terminated.$': '$.Payload.terminated',
      'alreadyGone.$': '$.Payload.alreadyGone',
    },
  );
  const release = invoke(scope, 'Release claim', fns.claims, { action: 'release', 'slot.$': '$.slot', 'error.$': '$.error' }, '$.cleanup.claim', 30, 8);
  const slotFailed = new sfn.Pass(scope, 'Node failed', {
    parameters: { status: 'failed', 'claimId.$': '$.slot.claimId', ...FAILURE, 'cleanup.$': '$.cleanup' },
  });
  const orphanRisk = new sfn.Pass(scope, 'Cleanup incomplete', {
    parameters: {
      status: 'failed',
      'claimId.$': '$.slot.claimId',
      ...FAILURE,
      'cleanupError.$': '$.cleanupError.Error',
      cleanup: 'VM termination failed; the claim is kept so capacity is not over-committed. Find the VM by tag shepherd:claim.',
    },
  });
  // A provider whose lists lag its launches (EC2) found no VM for the claim: look again for a few minutes, then believe
  // that nothing runs. A launch whose answer was lost made a VM the workflow does not know of, which EC2 may list
  // only minutes later; a capacity error costs those minutes before the execution fails.
  terminate.addRetry(LISTING_LAG_RETRY);
  const nothingFound = new sfn.Pass(scope, 'No VM found', { result: sfn.Result.fromObject({ terminated: [], alreadyGone: [] }), resultPath: '$.cleanup.vm' });
  removeNode.addCatch(terminate, { resultPath: '$.cleanupError' });
  terminate.addCatch(nothingFound, { errors: ['ListingLagError'], resultPath: '$.cleanupLag' });
  terminate.addCatch(orphanRisk, { resultPath: '$.cleanupError' });
  nothingFound.next(release);
  release.addCatch(slotFailed, { resultPath: '$.cleanupError' });

  // Fencing: the cleanup acts only for the claim's owner. A duplicate execution of the same request that failed (at
  // its claim step, say) shares the claim id, so it would otherwise remove the owner's Node, VM and claim.
  const checkOwner = invoke(scope, 'Check claim owner', fns.claims, { action: 'checkOwner', 'slot.$': '$.slot' }, '$.fence', 30, 8);
  const notOwner = new sfn.Pass(scope, 'Not the claim owner', {
    parameters: {
      status: 'failed',
      'claimId.$': '$.slot.claimId',
      ...FAILURE,
      'claimOwner.$': '$.fence.owner',
      cleanup: 'nothing to clean up: the claim is not owned by this execution (another one owns it, or it was never made or is already released)',
    },
  });
  const ownerUnknown = new sfn.Pass(scope, 'Claim owner unknown', {
    parameters: {
      status: 'failed',
      'claimId.$': '$.slot.claimId',
      ...FAILURE,
      'cleanupError.$': '$.cleanupError.Error',
      cleanup: 'the claim could not be read, so nothing was cleaned up; a claim this execution owns stays counted. Find its VM by tag shepherd:claim.',
    },
  });
  checkOwner.addCatch(ownerUnknown, { resultPath: '$.cleanupError' });
  const owns = new sfn.Choice(scope, 'Owns the claim?')
    .when(sfn.Condition.booleanEquals('$.fence.owned', true), removeNode.next(terminate).next(release).next(slotFailed))
    .otherwise(notOwner);
  // The error that sent the slot here, read once as { error, message } for its result (fail-cause convention).
  const cleanup = readError(scope, 'Read node error', '$.error', '$.failure').next(checkOwner).next(owns);

  claim.addCatch(readError(scope, 'Read claim refusal', '$.error', '$.failure').next(rejected), {
    errors: ['PoolAtCapacityError', 'DuplicateRequestError', 'InvalidInputError'],
    resultPath: '$.error',
  });
  // Caught before the catch-all below: a definite capacity error (or EC2's unsupported instance type, a kind of it)
  // moves the claim on to the next offering.
  launch.addCatch(nextOffering, { errors: ['InsufficientCapacityError', 'InstanceTypeUnsupportedError'], resultPath: '$.capacityError' });
  nextOffering.next(launch);
  for (const t of [claim, launch, nextOffering, recordVm, check, prepare, removeJoinSecrets, complete]) t.addCatch(cleanup, { resultPath: '$.error' });

  const nodeReady = new sfn.Choice(scope, 'Node ready?')
    .when(sfn.Condition.booleanEquals('$.node.ready', true), prepare.next(removeJoinSecrets).next(complete).next(succeeded))
    .when(sfn.Condition.numberGreaterThanEqualsJsonPath('$.pollState.attempt', '$.poll.maxPolls'), timedOut.next(cleanup))
    .otherwise(countPoll.next(wait));

  const alreadyDone = new sfn.Choice(scope, 'Claim already done?')
    .when(sfn.Condition.stringEquals('$.claim.status', 'active'), reused)
    .otherwise(launch.next(keepVm).next(recordVm).next(startPolling).next(wait).next(check).next(nodeReady));

  map.itemProcessor(claim.next(alreadyDone));
  return map;
}

/**
 * A Lambda task whose result is the function's payload, with an explicit timeout and a Retry with
 * exponential backoff and full jitter on transient errors.
 */
function invoke(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  timeoutSeconds: number,
  maxAttempts = 6,
  resultSelector?: Record<string, string>,
): tasks.LambdaInvoke {
  const task = lambdaTask(scope, id, fn, payload, resultPath, timeoutSeconds, resultSelector);
  task.addRetry({
    errors: TRANSIENT,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  // A lost attempt took the function's whole timeout, or will run out of memory at the same spot again: a few
  // slower attempts, enough that one timeout plus one out-of-memory still leaves one.
  task.addRetry({ errors: FUNCTION_LOST, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });
  task.addRetry({ errors: ['States.Timeout'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 2, jitterStrategy: sfn.JitterType.FULL });
  return task;
}
