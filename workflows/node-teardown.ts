import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { lambdaTask, providerFunction } from './lambda-task.js';
import { LISTING_LAG_RETRY } from './listing-lag.js';
import { FUNCTION_LOST, TRANSIENT } from './provision-node.js';

export interface NodeTeardownFunctions {
  cluster: lambda.IFunction;
  /** One function per provider the config uses; `$.slot.providerFunction` names the claim's. */
  providers: lambda.IFunction[];
}

export interface NodeTeardownExits {
  /** The drain deadline passed, pods are still blocked and `$.force` is false: the node is left cordoned. */
  drainTimedOut: sfn.IChainable;
  /** A step failed for good before the Node was deleted (`$.error` holds Error and Cause). */
  failedBeforeNodeDeleted: sfn.IChainable;
  /** Terminating the VM failed for good after the Node was deleted: the VM may still run. */
  failedAfterNodeDeleted: sfn.IChainable;
  /** `$.slot` may be null (a node with no claim, e.g. a home-lab machine): the VM step is skipped then. */
  vmOptional?: boolean;
  /**
   * A state to run after each step (HealNode audits and publishes each one), given its id, the step and the step's
   * facts as Task parameters; it must pass its input on unchanged.
   */
  record?: (id: string, step: TeardownStep, facts: Record<string, unknown>) => sfn.TaskStateBase;
}

/** The steps a teardown reports to `record`. */
export type TeardownStep = 'cordoned' | 'drained' | 'nodeDeleted' | 'vmTerminated';

/**
 * Cordon -> drain -> delete the Node -> terminate the VM, shared by RemoveNode and HealNode. It reads:
 * - `$.nodeName` (null: no Node left; cordon, drain and delete then do nothing),
 * - `$.slot` (the claim as ProvisionNode's slots carry it: pool, provider, claimId, owner, providerFunction),
 * - `$.vm` (the VM the claim recorded, or null),
 * - `$.drain` (`retrySeconds`, `maxPasses`: the drain deadline, decisions/remove-node.ts `drainPolicy`),
 * - `$.force` (at the deadline, delete the pods still there instead of giving up);
 * and writes what each step did under `$.teardown`. Drain semantics, anchored on kubectl drain and Cluster
 * Autoscaler: evictions through the Eviction API (PodDisruptionBudgets hold them with 429), DaemonSet and mirror pods
 * skipped, a blocked pod tried again every `retrySeconds`; at the deadline, kubectl drain --timeout gives up with the
 * node cordoned (so does this, unless forced), and a forced drain deletes the remaining pods as
 * `kubectl drain --disable-eviction` and Gardener's forced drain do.
 */
export function nodeTeardown(scope: Construct, fns: NodeTeardownFunctions, exits: NodeTeardownExits): sfn.Chain {
  const cordon = retriedLambdaTask(scope, 'Cordon node', fns.cluster, { action: 'cordon', 'nodeName.$': '$.nodeName' }, '$.teardown.cordon', 60);
  const startDrain = new sfn.Pass(scope, 'Start drain', { result: sfn.Result.fromObject({ pass: 1 }), resultPath: '$.drainState' });
  const drain = retriedLambdaTask(scope, 'Drain node', fns.cluster, { action: 'drain', 'nodeName.$': '$.nodeName', force: false }, '$.teardown.drain', 60);
  const countPass = new sfn.Pass(scope, 'Count drain pass', {
    parameters: { 'pass.$': 'States.MathAdd($.drainState.pass, 1)' },
    resultPath: '$.drainState',
  });
  const wait = new sfn.Wait(scope, 'Wait for evictions', { time: sfn.WaitTime.secondsPath('$.drain.retrySeconds') });
  const forceDrain = retriedLambdaTask(
    scope,
    'Delete remaining pods',
    fns.cluster,
    { action: 'drain', 'nodeName.$': '$.nodeName', force: true },
    '$.teardown.forced',
    60,
  );
  const deleteNode = retriedLambdaTask(scope, 'Delete node', fns.cluster, { action: 'deleteNode', 'nodeName.$': '$.nodeName' }, '$.teardown.node', 60);
  const terminate = retriedLambdaTask(
    scope,
    'Terminate node VM',
    providerFunction(fns.providers),
    { action: 'cleanup', 'slot.$': '$.slot', 'vm.$': '$.vm', node: { 'nodeName.$': '$.nodeName' }, removal: true },
    '$.teardown.vm',
    // Above the provider function's own timeout, as every provider task.
    300,
    { 'terminated.$': '$.Payload.terminated', 'alreadyGone.$': '$.Payload.alreadyGone' },
  );
  // A provider whose lists lag its launches (EC2) found no VM for the claim: look again, as every cleanup does.
  terminate.addRetry(LISTING_LAG_RETRY);
  const nothingFound = new sfn.Pass(scope, 'No node VM found', {
    result: sfn.Result.fromObject({ terminated: [], alreadyGone: [] }),
    resultPath: '$.teardown.vm',
  });
  const tornDown = new sfn.Pass(scope, 'Node torn down');
  terminate.addCatch(nothingFound, { errors: ['ListingLagError'], resultPath: '$.teardownLag' });
  terminate.addCatch(exits.failedAfterNodeDeleted, { resultPath: '$.error' });
  for (const t of [cordon, drain, forceDrain, deleteNode]) t.addCatch(exits.failedBeforeNodeDeleted, { resultPath: '$.error' });

  // Each step's record, when asked for, runs right after it: a spot warning's audit shows when the node was cordoned.
  const after = (state: sfn.INextable & sfn.IChainable, id: string, step: TeardownStep, facts: Record<string, unknown>): sfn.INextable => {
    if (!exits.record) return state;
    const r = exits.record(id, step, facts);
    state.next(r);
    return r;
  };
  const drainedFacts = { 'evicted.$': '$.teardown.drain.evicted', 'passes.$': '$.drainState.pass', 'deadlineSeconds.$': '$.drain.deadlineSeconds' };
  const toDelete: sfn.IChainable = exits.record
    ? exits.record('Record node drained', 'drained', { ...drainedFacts, forced: false }).next(deleteNode)
    : deleteNode;
  after(forceDrain, 'Record pods deleted at the deadline', 'drained', {
    ...drainedFacts,
    forced: true,
    'deleted.$': '$.teardown.forced.deleted',
    'blocked.$': '$.teardown.drain.blocked',
  }).next(deleteNode);

  const atDeadline = new sfn.Choice(scope, 'Force at the deadline?')
    .when(sfn.Condition.booleanEquals('$.force', true), forceDrain)
    .otherwise(exits.drainTimedOut);
  const drained = new sfn.Choice(scope, 'Node drained?')
    .when(sfn.Condition.booleanEquals('$.teardown.drain.drained', true), toDelete)
    .when(sfn.Condition.numberGreaterThanEqualsJsonPath('$.drainState.pass', '$.drain.maxPasses'), atDeadline)
    .otherwise(countPass.next(wait).next(drain));

  after(cordon, 'Record node cordoned', 'cordoned', { 'cordoned.$': '$.teardown.cordon.cordoned' }).next(startDrain);
  startDrain.next(drain).next(drained);
  const nodeDeleted = after(deleteNode, 'Record node deleted', 'nodeDeleted', { 'deleted.$': '$.teardown.node.deleted' });
  if (exits.vmOptional) {
    const noVm = new sfn.Pass(scope, 'No VM to terminate', { result: sfn.Result.fromObject({ terminated: [], alreadyGone: [] }), resultPath: '$.teardown.vm' });
    nodeDeleted.next(new sfn.Choice(scope, 'VM to terminate?').when(sfn.Condition.isPresent('$.slot.providerFunction'), terminate).otherwise(noVm));
    noVm.next(tornDown);
  } else nodeDeleted.next(terminate);
  after(terminate, 'Record VM terminated', 'vmTerminated', { 'terminated.$': '$.teardown.vm.terminated', 'alreadyGone.$': '$.teardown.vm.alreadyGone' }).next(
    tornDown,
  );
  nothingFound.next(tornDown);
  return sfn.Chain.custom(cordon, [tornDown], tornDown);
}

/** A Lambda task retried as ProvisionNode's are: transient faults with backoff and jitter, a lost function a few times. */
export function retriedLambdaTask(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  timeoutSeconds: number,
  resultSelector?: Record<string, string>,
): tasks.LambdaInvoke {
  const task = lambdaTask(scope, id, fn, payload, resultPath, timeoutSeconds, resultSelector);
  task.addRetry({
    errors: TRANSIENT,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({ errors: FUNCTION_LOST, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });
  task.addRetry({ errors: ['States.Timeout'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 2, jitterStrategy: sfn.JitterType.FULL });
  return task;
}
