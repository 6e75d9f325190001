import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ProvisioningPolicy } from '../../config/types.js';
import { type ProvisionNodeFunctions, provisionNodeDefinition } from '../../workflows/provision-node.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName, stateMachineLogGroupName } from '../physical-names.js';

export interface ProvisionNodeStateMachineProps {
  readonly functions: ProvisionNodeFunctions;
  readonly provisioning: ProvisioningPolicy;
  /** Names the state machine `shepherd-<cluster>-provision-node` and its log group after it. */
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Launching plus registration never takes an hour. A longer run is stuck: it ends TimedOut without running the
 * cleanup states, and the alarm fires; its VM can still be found by its shepherd:claim tag.
 */
const MIN_EXECUTION_TIMEOUT = Duration.hours(1);

/**
 * The ProvisionNode workflow as a Standard state machine (exactly-once steps, 90 days of execution history) with
 * X-Ray tracing, logs of every event, and alarms on failed and timed-out executions.
 */
export class ProvisionNodeStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly timedOutAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ProvisionNodeStateMachineProps) {
    super(scope, id);
    const { functions, provisioning } = props;
    const stateMachineName = physicalName(props.clusterName, 'provision-node', 'stateMachine');
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: stateMachineLogGroupName(stateMachineName),
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // The registration wait alone may last registrationTimeoutSeconds; leave as much again for launch, retries and cleanup.
    const timeout = Duration.seconds(Math.max(MIN_EXECUTION_TIMEOUT.toSeconds(), 2 * provisioning.registrationTimeoutSeconds));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Registration timeout and poll interval reach the workflow in its input ($.plan.poll, from validate-input).
      definitionBody: sfn.DefinitionBody.fromChainable(provisionNodeDefinition(this, functions)),
      timeout,
      tracingEnabled: true,
      // Every event is logged, without state input/output: those carry claim ids, node names and handler results
      // that may echo provider responses. The full data stays in the execution history (Standard workflows, API only).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    const role = this.stateMachine.role;
    acknowledgeWildcardResources(role, [
      ['*', 'Log delivery (logs:*LogDelivery*, DescribeResourcePolicies/LogGroups) and X-Ray actions support no resource-level permissions.'],
      ...[functions.validate, functions.claims, functions.cluster, ...functions.providers].map((fn): [string, string] => [
        `${fn.functionArn}:*`,
        'Lambda invoke tasks may call any version or alias of their own function; the function itself is fixed.',
      ]),
    ]);

    this.failedAlarm = this.executionAlarm('FailedAlarm', this.stateMachine.metricFailed(), 'ended in failure');
    this.timedOutAlarm = this.executionAlarm('TimedOutAlarm', this.stateMachine.metricTimedOut(), `timed out (${timeout.toHumanString()})`);
  }

  private executionAlarm(id: string, metric: cloudwatch.Metric, what: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: `A ProvisionNode execution ${what} in the last 5 minutes: a node was not provisioned.`,
      metric: metric.with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
