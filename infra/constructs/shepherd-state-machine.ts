import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName, stateMachineLogGroupName } from '../physical-names.js';

export interface ShepherdStateMachineProps {
  /** The workflow's name for users (`provision-node`): the state machine is `shepherd-<cluster>-<workflow>`. */
  readonly workflow: string;
  readonly clusterName: string;
  /** Builds the definition in `scope` (the construct the machine belongs to). */
  readonly definition: sfn.IChainable;
  readonly timeout: Duration;
  /** Every function its Lambda tasks invoke: their `:*` (versions and aliases) wildcard is acknowledged. */
  readonly invokedFunctions: lambda.IFunction[];
  /** The failed-executions alarm's description: what a failure means for the operator. */
  readonly failedAlarmDescription: string;
  readonly logRetention?: logs.RetentionDays;
}

export interface ShepherdStateMachineParts {
  stateMachine: sfn.StateMachine;
  logGroup: logs.LogGroup;
  failedAlarm: cloudwatch.Alarm;
}

/**
 * What every shepherd workflow runs as, built in `scope` with the same construct ids (`Logs`, `StateMachine`,
 * `FailedAlarm`) so that their CloudFormation logical ids stay as they were: a Standard state machine with its
 * physical name, X-Ray tracing, and logs of every event without state data (those carry claim ids, node names and
 * handler results that may echo provider responses; the full data stays in the execution history) in a vended log
 * group named after it, and an alarm on failed executions.
 */
export function shepherdStateMachine(scope: Construct, props: ShepherdStateMachineProps): ShepherdStateMachineParts {
  const stateMachineName = physicalName(props.clusterName, props.workflow, 'stateMachine');
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: stateMachineLogGroupName(stateMachineName),
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName,
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
  acknowledgeWildcardResources(stateMachine.role, [
    ['*', 'Log delivery (logs:*LogDelivery*, DescribeResourcePolicies/LogGroups) and X-Ray actions support no resource-level permissions.'],
    ...props.invokedFunctions.map((fn): [string, string] => [
      `${fn.functionArn}:*`,
      'Lambda invoke tasks may call any version or alias of their own function; the function itself is fixed.',
    ]),
  ]);
  const failedAlarm = executionAlarm(scope, 'FailedAlarm', stateMachine.metricFailed(), props.failedAlarmDescription);
  return { stateMachine, logGroup, failedAlarm };
}

/** An alarm when at least one execution ended so (failed, timed out) in the last 5 minutes. */
export function executionAlarm(scope: Construct, id: string, metric: cloudwatch.Metric, description: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: metric.with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
