import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STATUS_CHANGE } from '../../functions/decisions/claim-cleanup.js';
import { type ClaimCleanupFunctions, claimCleanupDefinition } from '../../workflows/claim-cleanup.js';
import { shepherdStateMachine } from './shepherd-state-machine.js';

export interface ClaimCleanupStateMachineProps {
  readonly functions: ClaimCleanupFunctions;
  /** The ProvisionNode state machine whose ended executions this cleans up after. */
  readonly provisionNode: sfn.IStateMachine;
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/** The sweep for expired claims: an hour, as claims expire hours after their execution's start anyway. */
const SWEEP_EVERY = Duration.hours(1);

/**
 * ClaimCleanup as a Standard state machine, started by two rules on the default bus:
 * - Step Functions' own "Execution Status Change" events (Step Functions developer guide, "Automating Step Functions
 *   event delivery with EventBridge"), for ProvisionNode executions that ended TIMED_OUT, ABORTED or FAILED: those
 *   ran no cleanup states (FAILED outside a Catch), or ran them (then the claims are released and nothing is left);
 * - an hourly schedule that sweeps claims past their expiry (a status event lost, or a cleanup that failed).
 * EventBridge retries delivery to the state machine for 24 h (its default retry policy).
 */
export class ClaimCleanupStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly endedRule: events.Rule;
  readonly sweepRule: events.Rule;

  constructor(scope: Construct, id: string, props: ClaimCleanupStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'claim-cleanup',
      clusterName: props.clusterName,
      definition: claimCleanupDefinition(this, functions),
      // Ten retries of at most 5 min on three steps of 5 min at worst, per wave of 5 claims: well within a day.
      timeout: Duration.days(1),
      invokedFunctions: [functions.cleanup, functions.claims, functions.cluster, ...functions.providers],
      failedAlarmDescription: 'A ClaimCleanup execution failed in the last 5 minutes: a VM may run outside the cluster.',
      logRetention: props.logRetention,
    }));

    const target = new targets.SfnStateMachine(this.stateMachine);
    this.endedRule = new events.Rule(this, 'ProvisionNodeEnded', {
      description: 'A ProvisionNode execution timed out, was stopped or failed: clean up the claims it left behind',
      eventPattern: {
        source: ['aws.states'],
        detailType: [STATUS_CHANGE],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [props.provisionNode.stateMachineArn] },
      },
      targets: [target],
    });
    this.sweepRule = new events.Rule(this, 'ExpiredClaimsSweep', {
      description: 'Clean up claims past their expiry',
      schedule: events.Schedule.rate(SWEEP_EVERY),
      targets: [target],
    });
  }
}
