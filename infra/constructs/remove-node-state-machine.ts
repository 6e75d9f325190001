import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REMOVAL_LEASE_SECONDS } from '../../functions/decisions/remove-node.js';
import { type RemoveNodeFunctions, removeNodeDefinition } from '../../workflows/remove-node.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName, stateMachineLogGroupName } from '../physical-names.js';

export interface RemoveNodeStateMachineProps {
  readonly functions: RemoveNodeFunctions;
  /** Names the state machine `shepherd-<cluster>-remove-node` and its log group after it. */
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The RemoveNode workflow as a Standard state machine, with X-Ray tracing, logs of every event (without state data)
 * and an alarm on failed executions. Its timeout is the lease it holds on a claim: once it has passed, another
 * RemoveNode may take over a claim this one left removing.
 */
export class RemoveNodeStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RemoveNodeStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    const stateMachineName = physicalName(props.clusterName, 'remove-node', 'stateMachine');
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: stateMachineLogGroupName(stateMachineName),
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(removeNodeDefinition(this, functions)),
      timeout: Duration.seconds(REMOVAL_LEASE_SECONDS),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeWildcardResources(this.stateMachine.role, [
      ['*', 'Log delivery (logs:*LogDelivery*, DescribeResourcePolicies/LogGroups) and X-Ray actions support no resource-level permissions.'],
      ...[functions.validate, functions.claims, functions.cluster, ...functions.providers].map((fn): [string, string] => [
        `${fn.functionArn}:*`,
        'Lambda invoke tasks may call any version or alias of their own function; the function itself is fixed.',
      ]),
    ]);
    this.failedAlarm = new cloudwatch.Alarm(this, 'FailedAlarm', {
      alarmDescription: 'A RemoveNode execution failed in the last 5 minutes: a node was not removed (see the execution cause).',
      metric: this.stateMachine.metricFailed().with({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
