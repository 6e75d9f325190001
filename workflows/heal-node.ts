import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { failWithCause, readError } from './fail-cause.js';
import { retriedLambdaTask as invoke, nodeTeardown } from './node-teardown.js';
import { readInput } from './read-input.js';
import { lambdaErrorFail } from './remove-node.js';

export interface HealNodeFunctions {
  validate: lambda.IFunction;
  claims: lambda.IFunction;
  cluster: lambda.IFunction;
  /** The heal function: facts, decision, claim fence, audit and bus events (functions/handlers/heal-node.ts). */
  heal: lambda.IFunction;
  /** One function per provider the config uses; the claim's slot names its own. */
  providers: lambda.IFunction[];
  /** Started as a nested execution for the replacement. */
  provisionNode: sfn.IStateMachine;
}

/** Errors whose Cause already follows the Fail-cause convention (a sentence, a space, JSON): passed on as they are. */
const EXPLAINED = ['HealFailed', 'NodeNotFoundError', 'NodeNotOwnedError', 'InvalidInput'];

/**
 * HealNode: validate -> take the node's lease (one heal per node; a second heal ends at once, 'already-healing') ->
 * read the Node and the cluster, assess (claim, the provider's word on the VM, pause switch, API reachability,
 * short-circuits, the pool's heals in flight: decisions/healing) -> left alone / wait until remediateAt and look
 * again / held by a safety limit / heal: fence the claim, cordon, drain, delete the Node and terminate the VM
 * (workflows/node-teardown.ts, shared with RemoveNode; forced with a short deadline when the node cannot answer),
 * release the claim, and ProvisionNode for the same pool as a nested execution (`.sync:2`), started beside the
 * teardown for a spot interruption. Every step is audited and published on the bus; the lease is released on every
 * path (the body runs in a Parallel whose Catch releases it too).
 */
export function healNodeDefinition(scope: Construct, fns: HealNodeFunctions): sfn.IChainable {
  const wrap = readInput(scope);
  const validate = invoke(
    scope,
    'Validate input',
    fns.validate,
    { workflow: 'heal-node', 'input.$': '$.input', 'executionName.$': '$$.Execution.Name' },
    '$.plan',
    30,
  );
  validate.addCatch(lambdaErrorFail(scope, 'invalid input', 'Invalid input', 'InvalidInput'), { errors: ['InvalidInputError'], resultPath: '$.error' });

  const acquire = invoke(
    scope,
    'Take node lease',
    fns.claims,
    { action: 'acquireLease', 'node.$': '$.plan.nodeName', 'owner.$': '$$.Execution.Id', 'ttlSeconds.$': '$.plan.leaseSeconds' },
    '$.lease',
    30,
  );
  const skipped = record(scope, 'Record already healing', fns.heal, 'skipped', { status: 'already-healing', 'holder.$': '$.lease.holder' });
  const alreadyHealing = new sfn.Pass(scope, 'Already healing', {
    parameters: {
      status: 'already-healing',
      'nodeName.$': '$.plan.nodeName',
      'holder.$': '$.lease.holder',
      'message.$': "States.Format('Nothing to do: {}.', $.lease.reason)",
    },
  });

  const body = new sfn.Parallel(scope, 'Heal node', { resultSelector: { 'result.$': '$[0]' }, resultPath: '$.heal' });
  body.branch(healBody(scope, fns));

  const leaseArgs = { action: 'releaseLease', 'node.$': '$.plan.nodeName', 'owner.$': '$$.Execution.Id' };
  const release = invoke(scope, 'Release node lease', fns.claims, leaseArgs, '$.leaseReleased', 30);
  const releaseAfterFailure = invoke(scope, 'Release node lease after failure', fns.claims, leaseArgs, '$.leaseReleased', 30);
  const finished = new sfn.Pass(scope, 'Heal finished', { outputPath: '$.heal.result' });
  release.addCatch(finished, { resultPath: '$.leaseError' });
  release.next(finished).next(new sfn.Succeed(scope, 'Healed or left alone'));

  // An error the body did not explain (a States.Runtime, say) still gets a readable cause.
  const failed = new sfn.Fail(scope, 'Heal failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const unexpected = readError(scope, 'Read unexpected error', '$.error', '$.unexpected').next(
    failWithCause(scope, 'Heal stopped', {
      error: 'HealFailed',
      sentence: sfn.JsonPath.format(
        'HealNode stopped on an unexpected error for node {}: {}. Check the node with shepherd status, then start HealNode again.',
        sfn.JsonPath.stringAt('$.plan.nodeName'),
        sfn.JsonPath.stringAt('$.unexpected.message'),
      ),
      details: { 'nodeName.$': '$.plan.nodeName', 'error.$': '$.unexpected.error' },
    }),
  );
  const explained = new sfn.Choice(scope, 'Cause explained?')
    .when(sfn.Condition.or(...EXPLAINED.map((e) => sfn.Condition.stringEquals('$.error.Error', e))), failed)
    .otherwise(unexpected);
  releaseAfterFailure.addCatch(explained, { resultPath: '$.leaseError' });
  releaseAfterFailure.next(explained);
  body.addCatch(releaseAfterFailure, { resultPath: '$.error' });
  body.next(release);

  const leased = new sfn.Choice(scope, 'Lease taken?')
    .when(sfn.Condition.booleanEquals('$.lease.acquired', true), body)
    .otherwise(skipped.next(alreadyHealing).next(new sfn.Succeed(scope, 'Left to the other heal')));
  return wrap.next(validate).next(acquire).next(leased);
}

/** The heal itself, inside the Parallel that guarantees the lease's release. */
function healBody(scope: Construct, fns: HealNodeFunctions): sfn.IChainable {
  const started = record(scope, 'Record heal started', fns.heal, 'started', { 'notReadySince.$': '$.plan.notReadySince', 'vmGone.$': '$.plan.vmGone' });
  const read = invoke(scope, 'Read node health', fns.cluster, { action: 'readNodeHealth', 'nodeName.$': '$.plan.nodeName' }, '$.read', 60);
  const unreachable = new sfn.Pass(scope, 'Cluster API unreachable', { result: sfn.Result.fromObject({ unreachable: true }), resultPath: '$.read' });
  read.addCatch(unreachable, { resultPath: '$.readError' });
  const assess = invoke(scope, 'Assess node', fns.heal, { action: 'assess', 'plan.$': '$.plan', 'read.$': '$.read' }, '$.assessment', 90);
  read.next(assess);
  unreachable.next(assess);

  // Failures of the heal's own steps: the heal function gives the claim back or keeps it, and builds the cause.
  const failure = invoke(
    scope,
    'Record heal failure',
    fns.heal,
    { action: 'failed', 'plan.$': '$.plan', 'slot.$': '$.taken.slot', 'stage.$': '$.stage', 'error.$': '$.error' },
    '$.failure',
    30,
  );
  const unrecorded = new sfn.Pass(scope, 'Heal failure unrecorded', {
    parameters: {
      error: 'HealFailed',
      'cause.$':
        "States.Format('Could not heal node {}, and the failure could not be recorded either; check the node and its claim with shepherd status before healing it again. {}', $.plan.nodeName, States.JsonToString($.error))",
    },
    resultPath: '$.failure',
  });
  const stepFailed = new sfn.Fail(scope, 'Heal step failed', { errorPath: '$.failure.error', causePath: '$.failure.cause' });
  failure.addCatch(unrecorded, { resultPath: '$.recordError' });
  failure.next(stepFailed);
  unrecorded.next(stepFailed);
  const noSlot = new sfn.Pass(scope, 'Nothing taken yet', { result: sfn.Result.fromObject({ slot: null }), resultPath: '$.taken' });
  const beforeTake = new sfn.Pass(scope, 'Failed before the claim was taken', { result: sfn.Result.fromString('beforeNodeDeleted'), resultPath: '$.stage' });
  beforeTake.next(noSlot).next(failure);
  assess.addCatch(beforeTake, { resultPath: '$.error' });

  // Refused: no such node, or not one shepherd heals. The reason names the field.
  const refused = new sfn.Pass(scope, 'Explain refusal', {
    parameters: {
      'error.$': '$.assessment.error',
      'cause.$': "States.Format('{} {}', $.assessment.reason, States.JsonToString($.plan))",
    },
  }).next(new sfn.Fail(scope, 'Heal refused', { errorPath: '$.error', causePath: '$.cause' }));
  const refusedRecorded = record(scope, 'Record heal refused', fns.heal, 'skipped', { status: 'refused', 'why.$': '$.assessment.reason' }).next(refused);

  const outcome = (status: string) => ({
    status,
    'nodeName.$': '$.plan.nodeName',
    'reason.$': '$.plan.reason',
    'message.$': '$.assessment.reason',
  });
  const leftAlone = record(scope, 'Record left alone', fns.heal, 'skipped', { 'status.$': '$.assessment.outcome', 'why.$': '$.assessment.reason' }).next(
    new sfn.Choice(scope, 'Left alone or nothing?')
      .when(sfn.Condition.stringEquals('$.assessment.outcome', 'nothing'), new sfn.Pass(scope, 'Nothing to heal', { parameters: outcome('nothing-to-heal') }))
      .otherwise(new sfn.Pass(scope, 'Left alone', { parameters: outcome('left-alone') })),
  );

  const waitUntil = new sfn.Wait(scope, 'Wait until remediation is due', { time: sfn.WaitTime.timestampPath('$.assessment.remediateAt') });
  const waiting = record(scope, 'Record waiting', fns.heal, 'waiting', { 'remediateAt.$': '$.assessment.remediateAt', 'why.$': '$.assessment.reason' });
  waiting.next(waitUntil).next(read);

  const heldResult = new sfn.Pass(scope, 'Held', {
    parameters: {
      ...outcome('held'),
      'verdict.$': '$.assessment.verdict',
      'degradedProvider.$': '$.assessment.degradedProvider',
    },
  });
  const degraded = record(scope, 'Record provider degraded', fns.heal, 'providerDegraded', {
    'provider.$': '$.assessment.degradedProvider',
    'why.$': '$.assessment.reason',
  });
  degraded.next(heldResult);
  const held = record(scope, 'Record held', fns.heal, 'held', {
    'verdict.$': '$.assessment.verdict',
    'why.$': '$.assessment.reason',
    'degradedProvider.$': '$.assessment.degradedProvider',
  }).next(
    new sfn.Choice(scope, 'Provider degraded?')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.assessment.degradedProvider'), sfn.Condition.isString('$.assessment.degradedProvider')), degraded)
      .otherwise(heldResult),
  );

  const healPath = heal(scope, fns, failure);
  const decide = new sfn.Choice(scope, 'What does the node need?')
    .when(sfn.Condition.stringEquals('$.assessment.outcome', 'heal'), healPath)
    .when(sfn.Condition.stringEquals('$.assessment.outcome', 'wait'), waiting)
    .when(sfn.Condition.stringEquals('$.assessment.outcome', 'held'), held)
    .when(sfn.Condition.stringEquals('$.assessment.outcome', 'refuse'), refusedRecorded)
    .otherwise(leftAlone);
  assess.next(decide);
  return started.next(read);
}

/** Fence the claim, tear the node down and replace it (beside the teardown for a spot interruption, else after it). */
function heal(scope: Construct, fns: HealNodeFunctions, failure: sfn.IChainable): sfn.IChainable {
  const take = invoke(scope, 'Take claim for heal', fns.heal, { action: 'take', 'plan.$': '$.plan', 'assessment.$': '$.assessment' }, '$.taken', 30);
  const takeFailed = new sfn.Pass(scope, 'Claim not taken', { result: sfn.Result.fromString('beforeNodeDeleted'), resultPath: '$.stage' });
  take.addCatch(
    takeFailed.next(new sfn.Pass(scope, 'No claim taken', { result: sfn.Result.fromObject({ slot: null }), resultPath: '$.taken' })).next(failure),
    { resultPath: '$.error' },
  );

  // The teardown reads its own small state (workflows/node-teardown.ts); the heal's plan and assessment ride along.
  const prepare = new sfn.Pass(scope, 'Prepare heal teardown', {
    parameters: {
      'plan.$': '$.plan',
      'assessment.$': '$.assessment',
      'taken.$': '$.taken',
      'slot.$': '$.taken.slot',
      'vm.$': '$.taken.vm',
      'nodeName.$': '$.plan.nodeName',
      'drain.$': '$.assessment.drain',
      // A node being healed is going anyway: at the deadline its remaining pods are deleted.
      force: true,
      teardown: { drain: { drained: false, blocked: [], terminating: 0 } },
    },
  });

  // Branch 1: the replacement, started at once when the node is about to be reclaimed.
  const early = startReplacement(scope, 'Start replacement early', fns);
  const earlyFailed = new sfn.Pass(scope, 'Early replacement failed', { parameters: { started: true, failed: true, 'error.$': '$.error' } });
  early.addCatch(earlyFailed, { resultPath: '$.error' });
  const earlyBranch = new sfn.Choice(scope, 'Replace early?')
    .when(
      sfn.Condition.booleanEquals('$.assessment.replaceEarly', true),
      record(scope, 'Record early replacement', fns.heal, 'replacementStarted', { 'pool.$': '$.assessment.pool', early: true })
        .next(early)
        .next(new sfn.Pass(scope, 'Early replacement done', { parameters: { started: true, failed: false, 'execution.$': '$.replacement' } })),
    )
    .otherwise(new sfn.Pass(scope, 'No early replacement', { result: sfn.Result.fromObject({ started: false, failed: false }) }));

  // Branch 2: cordon, drain, delete the Node, terminate the VM. Its failures end the branch with what went wrong.
  const teardownFailed = (id: string, stage: string) =>
    new sfn.Pass(scope, id, { parameters: { ok: false, stage, 'error.$': '$.error', 'teardown.$': '$.teardown' } });
  const drainGaveUp = new sfn.Pass(scope, 'Heal drain gave up', {
    parameters: { ok: false, stage: 'beforeNodeDeleted', error: { Error: 'DrainTimedOut', Cause: 'the drain deadline passed' }, 'teardown.$': '$.teardown' },
  });
  const teardown = nodeTeardown(scope, fns, {
    drainTimedOut: drainGaveUp,
    failedBeforeNodeDeleted: teardownFailed('Heal teardown failed', 'beforeNodeDeleted'),
    failedAfterNodeDeleted: teardownFailed('Heal VM not terminated', 'afterNodeDeleted'),
    // A home-lab node has no claim and no VM shepherd can reach: only its Node is deleted.
    vmOptional: true,
    record: (id, step, facts) => record(scope, id, fns.heal, step, facts),
  }).next(new sfn.Pass(scope, 'Heal teardown done', { parameters: { ok: true, 'teardown.$': '$.teardown' } }));

  const both = new sfn.Parallel(scope, 'Tear down and replace', {
    resultSelector: { 'replacement.$': '$[0]', 'teardown.$': '$[1]' },
    resultPath: '$.steps',
  });
  both.branch(earlyBranch);
  both.branch(teardown);

  const stageOf = new sfn.Pass(scope, 'Read teardown failure', {
    parameters: { 'stage.$': '$.steps.teardown.stage', 'error.$': '$.steps.teardown.error' },
    resultPath: '$.failed',
  });
  stageOf
    .next(new sfn.Pass(scope, 'Teardown failure stage', { inputPath: '$.failed.stage', resultPath: '$.stage' }))
    .next(new sfn.Pass(scope, 'Teardown failure error', { inputPath: '$.failed.error', resultPath: '$.error' }))
    .next(failure);

  const releaseClaim = invoke(
    scope,
    'Release claim of healed node',
    fns.heal,
    { action: 'releaseClaim', 'plan.$': '$.plan', 'slot.$': '$.taken.slot' },
    '$.released',
    30,
  );
  const releaseFailed = new sfn.Pass(scope, 'Claim not released', { result: sfn.Result.fromString('afterNodeDeleted'), resultPath: '$.stage' });
  releaseClaim.addCatch(releaseFailed.next(failure), { resultPath: '$.error' });

  const late = startReplacement(scope, 'Start replacement', fns);
  const replacementFailed = new sfn.Pass(scope, 'Replacement failed', { result: sfn.Result.fromString('replacement'), resultPath: '$.stage' });
  late.addCatch(replacementFailed.next(failure), { resultPath: '$.error' });
  const earlyError = new sfn.Pass(scope, 'Read early replacement failure', { inputPath: '$.steps.replacement.error', resultPath: '$.error' });
  earlyError.next(replacementFailed);

  // The teardown recorded each of its steps (one "Node Deleted" per heal); the summary rides on the success.
  const succeeded = record(scope, 'Record heal succeeded', fns.heal, 'succeeded', {
    'replaced.$': '$.assessment.replace',
    'pool.$': '$.assessment.pool',
    'claimId.$': '$.assessment.claimId',
    'teardown.$': '$.steps.teardown.teardown',
    'drain.$': '$.assessment.drain',
    'unreachable.$': '$.assessment.unreachable',
  }).next(
    new sfn.Pass(scope, 'Healed', {
      parameters: {
        'status.$': '$.healedStatus',
        'nodeName.$': '$.plan.nodeName',
        'reason.$': '$.plan.reason',
        'pool.$': '$.assessment.pool',
        'claimId.$': '$.assessment.claimId',
        'message.$': '$.assessment.actionReason',
        'teardown.$': '$.steps.teardown.teardown',
      },
    }),
  );
  const replaced = new sfn.Pass(scope, 'Mark replaced', { result: sfn.Result.fromString('replaced'), resultPath: '$.healedStatus' }).next(succeeded);
  const deletedOnly = new sfn.Pass(scope, 'Mark deleted only', { result: sfn.Result.fromString('deleted'), resultPath: '$.healedStatus' }).next(succeeded);

  const afterRelease = new sfn.Choice(scope, 'Replace now?')
    .when(
      sfn.Condition.and(sfn.Condition.booleanEquals('$.assessment.replace', true), sfn.Condition.booleanEquals('$.assessment.replaceEarly', false)),
      record(scope, 'Record replacement started', fns.heal, 'replacementStarted', { 'pool.$': '$.assessment.pool', early: false }).next(late).next(replaced),
    )
    .when(sfn.Condition.booleanEquals('$.steps.replacement.failed', true), earlyError)
    .when(sfn.Condition.booleanEquals('$.assessment.replace', true), replaced)
    .otherwise(deletedOnly);

  const tornDown = new sfn.Choice(scope, 'Torn down?')
    .when(sfn.Condition.booleanEquals('$.steps.teardown.ok', false), stageOf)
    .otherwise(releaseClaim.next(afterRelease));
  return take.next(prepare).next(both).next(tornDown);
}

/** ProvisionNode for the healed node's pool, one node, as a nested execution waited for (`.sync:2`). */
function startReplacement(scope: Construct, id: string, fns: HealNodeFunctions): tasks.StepFunctionsStartExecution {
  return new tasks.StepFunctionsStartExecution(scope, id, {
    stateMachine: fns.provisionNode,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    input: sfn.TaskInput.fromObject({
      'pool.$': '$.assessment.pool',
      count: 1,
      'reason.$': "States.Format('replaces node {} ({}), healed by {}', $.plan.nodeName, $.plan.reason, $$.Execution.Name)",
    }),
    resultSelector: { 'executionArn.$': '$.ExecutionArn', 'status.$': '$.Status', 'output.$': '$.Output' },
    resultPath: '$.replacement',
  });
}

/** The heal function's audit item and bus event for one step; the heal goes on without them (best effort). */
function record(scope: Construct, id: string, fn: lambda.IFunction, step: string, facts: Record<string, unknown>): tasks.LambdaInvoke {
  return invoke(
    scope,
    id,
    fn,
    {
      action: 'record',
      step,
      plan: { 'nodeName.$': '$.plan.nodeName', 'reason.$': '$.plan.reason', 'owner.$': '$$.Execution.Id', 'source.$': '$.plan.source' },
      facts,
    },
    sfn.JsonPath.DISCARD,
    30,
  );
}
