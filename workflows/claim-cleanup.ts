import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { failWithCause, readError } from './fail-cause.js';
import { lambdaTask, providerFunction } from './lambda-task.js';
import { LISTING_LAG_RETRY } from './listing-lag.js';

export interface ClaimCleanupFunctions {
  cleanup: lambda.IFunction;
  claims: lambda.IFunction;
  cluster: lambda.IFunction;
  /** One function per provider the config uses; each claim's slot names its own. */
  providers: lambda.IFunction[];
}

/**
 * ClaimCleanup: for a ProvisionNode execution that timed out, was stopped or failed outside a Catch (a status
 * change event), or for claims past their expiry (the hourly sweep), cleans up each claim left behind: the
 * half-registered Node, every VM tagged with the claim, then the claim. Each step is idempotent, so the event may
 * come twice. A claim whose cleanup fails is kept (its VM may run), recorded, and swept again later.
 */
export function claimCleanupDefinition(scope: Construct, fns: ClaimCleanupFunctions): sfn.IChainable {
  const find = invoke(scope, 'Find claims left behind', fns.cleanup, { action: 'find', 'trigger.$': '$' }, '$.found', 60);

  const removeNode = invoke(scope, 'Remove node of claim', fns.cluster, { action: 'removeNode', 'slot.$': '$.slot', 'vm.$': '$.vm' }, '$.cleanup.node', 60);
  const terminate = invoke(
    scope,
    'Terminate VMs of claim',
    providerFunction(fns.providers),
    { action: 'cleanup', 'slot.$': '$.slot', 'vm.$': '$.vm' },
    '$.cleanup.vm',
    300,
    {
      'terminated.$': '$.Payload.terminated',
      'alreadyGone.$': '$.Payload.alreadyGone',
    },
    // A provider whose lists lag its launches (EC2) found no VM for the claim: look again for a few minutes, then
    // believe that nothing runs (a claim taken before its launch has none).
    [LISTING_LAG_RETRY],
  );
  const nothingFound = new sfn.Pass(scope, 'No VM of claim found', {
    result: sfn.Result.fromObject({ terminated: [], alreadyGone: [] }),
    resultPath: '$.cleanup.vm',
  });
  const release = invoke(
    scope,
    'Release claim left behind',
    fns.claims,
    { action: 'release', 'slot.$': '$.slot', 'error.$': '$.reason' },
    '$.cleanup.claim',
    30,
  );
  const cleaned = new sfn.Pass(scope, 'Claim cleaned up', {
    parameters: { status: 'cleaned', 'claimId.$': '$.slot.claimId', 'pool.$': '$.slot.pool', 'cleanup.$': '$.cleanup' },
  });
  const record = invoke(
    scope,
    'Record cleanup failure',
    fns.cleanup,
    { action: 'recordFailure', 'slot.$': '$.slot', 'error.$': '$.error' },
    sfn.JsonPath.DISCARD,
    30,
  );
  const notCleaned = new sfn.Pass(scope, 'Claim kept', {
    parameters: {
      status: 'failed',
      'claimId.$': '$.slot.claimId',
      'pool.$': '$.slot.pool',
      'error.$': '$.failure.error',
      'message.$': '$.failure.message',
      cleanup: 'The claim is kept so that capacity is not over-committed; the hourly sweep tries again once it expires.',
    },
  });
  // The claim's error as { error, message } for its result (fail-cause convention), recorded or not.
  const readFailure = readError(scope, 'Read cleanup error', '$.error', '$.failure').next(notCleaned);
  record.addCatch(readFailure, { resultPath: '$.recordError' });
  record.next(readFailure);
  terminate.addCatch(nothingFound, { errors: ['ListingLagError'], resultPath: '$.cleanupLag' });
  nothingFound.next(release);
  for (const t of [removeNode, terminate, release]) t.addCatch(record, { resultPath: '$.error' });

  const each = new sfn.Map(scope, 'Clean up each claim', {
    itemsPath: '$.found.claims',
    itemSelector: { 'slot.$': '$$.Map.Item.Value.slot', 'vm.$': '$$.Map.Item.Value.vm', 'reason.$': '$.found.reason' },
    maxConcurrency: 5,
    resultPath: '$.results',
  });
  each.itemProcessor(removeNode.next(terminate).next(release).next(cleaned));

  const summarize = new sfn.Pass(scope, 'Summarize cleanup', {
    parameters: { 'trigger.$': '$.found.reason.Error', 'claims.$': '$.results', 'statuses.$': '$.results[*].status' },
  });
  const check = new sfn.Pass(scope, 'Check cleanup', {
    parameters: { 'trigger.$': '$.trigger', 'claims.$': '$.claims', 'anyFailed.$': "States.ArrayContains($.statuses, 'failed')" },
  });
  // Filters are full JSONPath, documented in Parameters (not in intrinsic arguments): collect the failed ones first.
  const collectFailures = new sfn.Pass(scope, 'Collect cleanup failures', {
    parameters: { 'trigger.$': '$.trigger', 'claims.$': '$.claims', 'failed.$': "$.claims[?(@.status == 'failed')]" },
  });
  const failed = failWithCause(scope, 'Cleanup failed', {
    error: 'CleanupFailed',
    sentence: sfn.JsonPath.format(
      'Cleanup failed for {} of {} claims left behind; each is kept, so its capacity stays counted, and the hourly sweep tries again once it expires (its VM carries the tag shepherd:claim). First failure, claim {} of pool {}, {}: {}',
      sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.failed')),
      sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.claims')),
      sfn.JsonPath.stringAt('$.failed[0].claimId'),
      sfn.JsonPath.stringAt('$.failed[0].pool'),
      sfn.JsonPath.stringAt('$.failed[0].error'),
      sfn.JsonPath.stringAt('$.failed[0].message'),
    ),
    details: { 'trigger.$': '$.trigger', 'claims.$': '$.claims' },
  });
  const done = new sfn.Succeed(scope, 'Cleaned up');
  const outcome = new sfn.Choice(scope, 'All claims cleaned up?')
    .when(sfn.Condition.booleanEquals('$.anyFailed', true), collectFailures.next(failed))
    .otherwise(done);
  each.next(summarize).next(check).next(outcome);
  // Most events find nothing (the execution cleaned up after itself, or another execution owns the claims).
  // Finding the claims failed after its retries: nothing was cleaned up; say so rather than fail outside a Catch.
  const notFound = failWithCause(scope, 'Claims not found', {
    error: 'CleanupFailed',
    sentence: sfn.JsonPath.format(
      'The claims left behind could not be read, so nothing was cleaned up; the hourly sweep cleans up their claims once they expire (their VMs carry the tag shepherd:claim). Error {}: {}',
      sfn.JsonPath.stringAt('$.failure.error'),
      sfn.JsonPath.stringAt('$.failure.message'),
    ),
    details: { 'error.$': '$.failure.error', 'message.$': '$.failure.message' },
  });
  find.addCatch(readError(scope, 'Read find error', '$.error', '$.failure').next(notFound), { resultPath: '$.error' });
  const nothing = new sfn.Succeed(scope, 'Nothing left behind');
  const anything = new sfn.Choice(scope, 'Claims left behind?').when(sfn.Condition.isPresent('$.found.claims[0]'), each).otherwise(nothing);
  return find.next(anything);
}

/**
 * A Lambda task retried on any error: every step here is idempotent, and a cleanup given up leaves a VM running.
 * Ten retries from 5 s doubling to at most 5 min: about 35 min before the claim is recorded as not cleaned up.
 */
function invoke(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  timeoutSeconds: number,
  resultSelector?: Record<string, string>,
  /** Retries matched before the catch-all (States.ALL must come last). */
  retries: sfn.RetryProps[] = [],
): tasks.LambdaInvoke {
  const task = lambdaTask(scope, id, fn, payload, resultPath, timeoutSeconds, resultSelector);
  for (const retry of retries) task.addRetry(retry);
  task.addRetry({
    errors: ['States.ALL'],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 10,
    maxDelay: Duration.minutes(5),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
