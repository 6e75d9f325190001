import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HEAL_LEASE_SECONDS } from '../../functions/decisions/healing/heal-plan.js';
import { type HealNodeFunctions, healNodeDefinition } from '../../workflows/heal-node.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { shepherdStateMachine } from './shepherd-state-machine.js';

export interface HealNodeStateMachineProps {
  readonly functions: HealNodeFunctions;
  /** Names the state machine `shepherd-<cluster>-heal-node` and its log group after it. */
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The HealNode workflow as a shepherd state machine (shepherd-state-machine.ts). Its timeout is the node lease it
 * takes: a heal that crashed frees its node when the lease ends. It may start ProvisionNode executions (`.sync:2`):
 * the grant CDK adds is StartExecution on that state machine, DescribeExecution and StopExecution on its executions,
 * and the managed rule Step Functions uses to learn that a child ended.
 */
export class HealNodeStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HealNodeStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'heal-node',
      clusterName: props.clusterName,
      definition: healNodeDefinition(this, functions),
      timeout: Duration.seconds(HEAL_LEASE_SECONDS),
      invokedFunctions: [functions.validate, functions.claims, functions.cluster, functions.heal, ...functions.providers],
      failedAlarmDescription: 'A HealNode execution failed in the last 5 minutes: a node was not healed (see the execution cause).',
      logRetention: props.logRetention,
    }));
    // The `.sync:2` grant names ProvisionNode's executions as `<state machine name>*` (CDK's own spelling of it).
    const stack = Stack.of(this);
    const provisionName = stack.splitArn(functions.provisionNode.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    acknowledgeWildcardResources(this.stateMachine.role, [
      [
        stack.formatArn({ service: 'states', resource: 'execution', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `${provisionName}*` }),
        'A nested ProvisionNode execution (.sync:2) is described and stopped by its ARN, which ends in a name chosen at start: only executions of ProvisionNode match.',
      ],
    ]);
  }
}
