import { App, Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ProvisioningPolicy } from '../../config/types.js';
import { type ExecutionBudget, executionCapSeconds, provisionBudget, type StatesTiming } from '../../functions/decisions/execution-budget.js';
import { type ProvisionNodeFunctions, provisionNodeDefinition } from '../../workflows/provision-node.js';
import { executionAlarm, shepherdStateMachine } from './shepherd-state-machine.js';

export interface ProvisionNodeStateMachineProps {
  readonly functions: ProvisionNodeFunctions;
  readonly provisioning: ProvisioningPolicy;
  /**
   * Every pool the workflow may provision: its max, how many of its slots run at once and how many offerings a slot
   * may launch in. Sizes the execution timeout.
   */
  readonly pools: ReadonlyArray<{ max: number; concurrency: number; offerings: number }>;
  /** Names the state machine `shepherd-<cluster>-provision-node` and its log group after it. */
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The ProvisionNode workflow as a Standard state machine (exactly-once steps, 90 days of execution history) with
 * X-Ray tracing, logs of every event, and alarms on failed and timed-out executions.
 */
export class ProvisionNodeStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly timedOutAlarm: cloudwatch.Alarm;
  /** The definition's worst cases and the timeout it runs under: validate-input sizes each request from these. */
  readonly budget: ExecutionBudget;

  constructor(scope: Construct, id: string, props: ProvisionNodeStateMachineProps) {
    super(scope, id);
    const { functions, provisioning } = props;
    // The timeout is the worst case of the largest request the config allows, read from the definition itself. An
    // execution that still times out (or is stopped, or fails outside a Catch) is cleaned up by ClaimCleanup.
    const poll = {
      seconds: provisioning.pollIntervalSeconds,
      maxPolls: Math.max(1, Math.ceil(provisioning.registrationTimeoutSeconds / provisioning.pollIntervalSeconds)),
    };
    const offerings = Math.max(1, ...props.pools.map((p) => p.offerings));
    const worst = provisionBudget(definitionTiming(functions), poll, offerings, 0);
    this.budget = { ...worst, capSeconds: executionCapSeconds(worst, props.pools) };
    const timeout = Duration.seconds(this.budget.capSeconds);
    // Registration timeout and poll interval reach the workflow in its input ($.plan.poll, from validate-input).
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'provision-node',
      clusterName: props.clusterName,
      definition: provisionNodeDefinition(this, functions),
      timeout,
      invokedFunctions: [functions.validate, functions.claims, functions.cluster, ...functions.providers],
      failedAlarmDescription: 'A ProvisionNode execution ended in failure in the last 5 minutes: a node was not provisioned.',
      logRetention: props.logRetention,
    }));
    this.timedOutAlarm = executionAlarm(
      this,
      'TimedOutAlarm',
      this.stateMachine.metricTimedOut(),
      `A ProvisionNode execution timed out (${timeout.toHumanString()}) in the last 5 minutes: a node was not provisioned.`,
    );
  }
}

/**
 * The definition's states as ASL, to read their timeouts and retries. Built in a scratch app: a state belongs to one
 * graph, and the real one is built by the StateMachine (with the timeout this reading decides). The scratch app must
 * not synthesize: under the CDK CLI (CDK_OUTDIR set) an App synthesizes itself before the process exits, into the
 * same cdk.out, and its manifest would replace the real app's (cdk deploy would then see only this scratch stack).
 */
function definitionTiming(functions: ProvisionNodeFunctions): StatesTiming {
  const scratch = new Stack(new App({ autoSynth: false }), 'ProvisionNodeTiming');
  const start = sfn.Chain.start(provisionNodeDefinition(scratch, functions)).startState;
  return new sfn.StateGraph(start, 'timing').toGraphJson() as unknown as StatesTiming;
}
