import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { failWithCause, readError } from './fail-cause.js';
import { retriedLambdaTask as invoke } from './node-teardown.js';
import { readInput } from './read-input.js';
import { lambdaErrorFail } from './remove-node.js';

export interface ScaleBufferFunctions {
  /** The scale-buffer function: input, pool leases, plan, records (functions/handlers/scale-buffer.ts). */
  scale: lambda.IFunction;
  /** Started as nested executions (`.sync:2`), one per node added. */
  provisionNode: sfn.IStateMachine;
  /** Started as nested executions (`.sync:2`), one per node removed. */
  removeNode: sfn.IStateMachine;
}

/**
 * How long a run holds its pool leases, and its state machine's timeout: the nested ProvisionNode and RemoveNode
 * executions run within it (each bounded by its own timeout), and a run that crashed frees the pools when it ends.
 */
export const SCALE_BUFFER_LEASE_SECONDS = 6 * 3600;

/** How many nested executions run at once: ProvisionNode spreads its own launches; this bounds the burst of starts. */
const NESTED_CONCURRENCY = 10;

/**
 * ScaleBuffer: validate (InvalidInput names the field) -> take every buffer pool's lease (two runs never add nodes
 * for the same need: the second ends at once, 'already-scaling') -> for pending pods, wait for the batch to close -> plan (decisions/buffer: pending pods, a dark
 * provider's capacity, manual targets, scale-down) -> grow: one nested ProvisionNode per node of a self-managed pool, one
 * for all the nodes of a Scaleway pool (Scaleway pools grow through ProvisionNode's Scaleway path: the pool API's size within min..max, then the new Node Ready) -> record
 * (backoff or capacity memory for failures, audit and bus event per pool) -> shrink: one nested RemoveNode per node
 * (drain through the Eviction API respecting PDBs; a Scaleway node is deleted through the node API) -> record. The
 * leases are released on every path: the body runs in a Parallel whose Catch releases them too.
 */
export function scaleBufferDefinition(scope: Construct, fns: ScaleBufferFunctions): sfn.IChainable {
  const validate = invoke(scope, 'Validate input', fns.scale, { action: 'validate', 'input.$': '$.input' }, '$.validated', 30);
  validate.addCatch(lambdaErrorFail(scope, 'invalid input', 'Invalid input', 'InvalidInput'), { errors: ['InvalidInputError'], resultPath: '$.error' });
  const unchecked = failWithCause(scope, 'Validation failed', {
    error: 'ValidationFailed',
    sentence: sfn.JsonPath.format(
      'The ScaleBuffer request could not be checked, so no buffer pool was touched; start it again, and if it fails the same way see the scale-buffer function logs. Error {}: {}',
      sfn.JsonPath.stringAt('$.failure.error'),
      sfn.JsonPath.stringAt('$.failure.message'),
    ),
    details: { 'error.$': '$.failure.error', 'message.$': '$.failure.message' },
  });
  validate.addCatch(readError(scope, 'Read validation error', '$.error', '$.failure').next(unchecked), { resultPath: '$.error' });

  const acquire = invoke(
    scope,
    'Take pool leases',
    fns.scale,
    { action: 'lease', 'owner.$': '$$.Execution.Id', ttlSeconds: SCALE_BUFFER_LEASE_SECONDS },
    '$.lease',
    60,
  );
  const alreadyScaling = new sfn.Pass(scope, 'Already scaling', {
    parameters: {
      status: 'already-scaling',
      'trigger.$': '$.validated.request.trigger',
      'holder.$': '$.lease.holder',
      'message.$': "States.Format('Nothing to do: {}.', $.lease.reason)",
    },
  });

  const body = new sfn.Parallel(scope, 'Scale buffer pools', { resultSelector: { 'result.$': '$[0]' }, resultPath: '$.run' });
  body.branch(scaleBody(scope, fns));

  const leaseArgs = { action: 'release', 'owner.$': '$$.Execution.Id' };
  const release = invoke(scope, 'Release pool leases', fns.scale, leaseArgs, '$.leaseReleased', 60);
  const releaseAfterFailure = invoke(scope, 'Release pool leases after failure', fns.scale, leaseArgs, '$.leaseReleased', 60);
  const finished = new sfn.Pass(scope, 'Scaling finished', { outputPath: '$.run.result' });
  release.addCatch(finished, { resultPath: '$.leaseError' });
  release.next(finished).next(new sfn.Succeed(scope, 'Scaled or left alone'));

  const failed = readError(scope, 'Read scaling error', '$.error', '$.failure').next(
    failWithCause(scope, 'Scaling failed', {
      error: 'ScaleBufferFailed',
      sentence: sfn.JsonPath.format(
        'ScaleBuffer stopped on an error ({} trigger): {}. The pool leases were released; check the buffer pools with shepherd status, then start scale-buffer again.',
        sfn.JsonPath.stringAt('$.validated.request.trigger'),
        sfn.JsonPath.stringAt('$.failure.message'),
      ),
      details: { 'trigger.$': '$.validated.request.trigger', 'error.$': '$.failure.error' },
    }),
  );
  releaseAfterFailure.addCatch(failed, { resultPath: '$.leaseError' });
  releaseAfterFailure.next(failed);
  body.addCatch(releaseAfterFailure, { resultPath: '$.error' });
  body.next(release);

  const leased = new sfn.Choice(scope, 'Leases taken?')
    .when(sfn.Condition.booleanEquals('$.lease.acquired', true), body)
    .otherwise(alreadyScaling.next(new sfn.Succeed(scope, 'Left to the other run')));
  return readInput(scope).next(validate).next(acquire).next(leased);
}

/** Plan, grow, record, shrink, record: inside the Parallel that guarantees the leases' release. */
function scaleBody(scope: Construct, fns: ScaleBufferFunctions): sfn.IChainable {
  const plan = invoke(scope, 'Plan', fns.scale, { action: 'plan', 'request.$': '$.validated.request', 'owner.$': '$$.Execution.Id' }, '$.plan', 120);

  const grow = nestedMap(scope, 'Add nodes', '$.plan.grow', '$.grown', fns.provisionNode, {
    'pool.$': '$.pool',
    'count.$': '$.count',
    'reason.$': "States.Format('{} (scale-buffer {})', $.reason, $$.Execution.Name)",
  });
  const recordGrowth = invoke(scope, 'Record growth', fns.scale, { action: 'recordGrowth', 'plan.$': '$.plan', 'results.$': '$.grown' }, '$.growth', 60);
  const shrink = nestedMap(scope, 'Remove nodes', '$.plan.remove', '$.removed', fns.removeNode, {
    'nodeName.$': '$.nodeName',
    'reason.$': "States.Format('{} (scale-buffer {})', $.reason, $$.Execution.Name)",
  });
  const recordRemoval = invoke(scope, 'Record removal', fns.scale, { action: 'recordRemoval', 'plan.$': '$.plan', 'results.$': '$.removed' }, '$.removal', 60);
  const done = new sfn.Pass(scope, 'Scaled', {
    parameters: {
      status: 'done',
      'trigger.$': '$.plan.trigger',
      'added.$': '$.grown',
      'removed.$': '$.removed',
      'scaleUps.$': '$.plan.scaleUp.scaleUps',
      'unplaceable.$': '$.plan.scaleUp.unplaceable',
      'waiting.$': '$.plan.scaleUp.waiting',
      'kept.$': '$.plan.scaleDown.kept',
    },
  });
  const none = new sfn.Pass(scope, 'Nothing removed', { result: sfn.Result.fromArray([]), resultPath: '$.removed' });
  const toRemove = new sfn.Choice(scope, 'Nodes to remove?')
    .when(sfn.Condition.isPresent('$.plan.remove[0]'), shrink.next(recordRemoval).next(done))
    .otherwise(none.next(done));
  const nothingAdded = new sfn.Pass(scope, 'Nothing added', { result: sfn.Result.fromArray([]), resultPath: '$.grown' });
  nothingAdded.next(toRemove);
  const afterPlan = new sfn.Choice(scope, 'Nodes to add?')
    .when(sfn.Condition.isPresent('$.plan.grow[0]'), grow.next(recordGrowth).next(toRemove))
    .otherwise(nothingAdded);
  plan.next(afterPlan);
  return batchWindow(scope, fns, plan);
}

/**
 * One burst, one decision (Karpenter's batching windows): a run that a "pods unschedulable" report started waits,
 * holding the pool leases (a report of the same burst meanwhile ends 'already-scaling'), until no pod became
 * unschedulable for batchIdleSeconds, or batchMaxSeconds passed; then Plan reads the cluster once more. The window is
 * read from the pods' own times at each check, so it holds whatever the watcher's reporting interval. A Wait costs
 * its transitions only: a burst that ended before the report adds one Lambda call and three transitions.
 */
function batchWindow(scope: Construct, fns: ScaleBufferFunctions, plan: sfn.IChainable): sfn.IChainable {
  const check = invoke(scope, 'Check batch', fns.scale, { action: 'batch', 'checkingSince.$': '$$.Execution.StartTime' }, '$.batch', 60);
  const wait = new sfn.Wait(scope, 'Wait for the batch to close', { time: sfn.WaitTime.secondsPath('$.batch.waitSeconds') });
  check.next(new sfn.Choice(scope, 'Batch closed?').when(sfn.Condition.booleanEquals('$.batch.closed', true), plan).otherwise(wait.next(check)));
  return new sfn.Choice(scope, 'Pending pods to batch?')
    .when(sfn.Condition.stringEquals('$.validated.request.trigger', 'pods-unschedulable'), check)
    .otherwise(plan);
}

/**
 * One nested execution per item (`.sync:2`, waited for); a child that fails ends its item with `ok: false`, so
 * one node that failed neither stops the others nor loses what they did: the record step sees every result.
 * Each result is the item with `ok`, and `execution` (ARN, status) or `error` (`{ Error, Cause }`).
 */
function nestedMap(scope: Construct, id: string, itemsPath: string, resultPath: string, machine: sfn.IStateMachine, input: Record<string, unknown>): sfn.Map {
  const map = new sfn.Map(scope, id, { itemsPath, maxConcurrency: NESTED_CONCURRENCY, resultPath });
  const start = new tasks.StepFunctionsStartExecution(scope, `${id}: start`, {
    stateMachine: machine,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    input: sfn.TaskInput.fromObject(input),
    resultSelector: { 'executionArn.$': '$.ExecutionArn', 'status.$': '$.Status' },
    resultPath: '$.execution',
  });
  // The item as it came (pool, reason, nodeName for a removal) with `ok`, and the execution or the error beside it.
  const ok = new sfn.Pass(scope, `${id}: succeeded`, { result: sfn.Result.fromBoolean(true), resultPath: '$.ok' });
  const failed = new sfn.Pass(scope, `${id}: failed`, { result: sfn.Result.fromBoolean(false), resultPath: '$.ok' });
  start.addCatch(failed, { resultPath: '$.error' });
  map.itemProcessor(start.next(ok));
  return map;
}
