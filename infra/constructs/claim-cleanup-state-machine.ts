import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STATUS_CHANGE } from '../../functions/decisions/claim-cleanup.js';
import { type ClaimCleanupFunctions, claimCleanupDefinition } from '../../workflows/claim-cleanup.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName, stateMachineLogGroupName } from '../physical-names.js';

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
    const stateMachineName = physicalName(props.clusterName, 'claim-cleanup', 'stateMachine');
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: stateMachineLogGroupName(stateMachineName),
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(claimCleanupDefinition(this, functions)),
      // Ten retries of at most 5 min on three steps of 5 min at worst, per wave of 5 claims: well within a day.
      timeout: Duration.days(1),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeWildcardResources(this.stateMachine.role, [
      ['*', 'Log delivery (logs:*LogDelivery*, DescribeResourcePolicies/LogGroups) and X-Ray actions support no resource-level permissions.'],
      ...[functions.cleanup, functions.claims, functions.cluster, ...functions.providers].map((fn): [string, string] => [
        `${fn.functionArn}:*`,
        'Lambda invoke tasks may call any version or alias of their own function; the function itself is fixed.',
      ]),
    ]);

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

    this.failedAlarm = new cloudwatch.Alarm(this, 'FailedAlarm', {
      alarmDescription: 'A ClaimCleanup execution failed in the last 5 minutes: a VM may run outside the cluster.',
      metric: this.stateMachine.metricFailed().with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
