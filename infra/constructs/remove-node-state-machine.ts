import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REMOVAL_LEASE_SECONDS } from '../../functions/decisions/remove-node.js';
import { type RemoveNodeFunctions, removeNodeDefinition } from '../../workflows/remove-node.js';
import { shepherdStateMachine } from './shepherd-state-machine.js';

export interface RemoveNodeStateMachineProps {
  readonly functions: RemoveNodeFunctions;
  /** Names the state machine `shepherd-<cluster>-remove-node` and its log group after it. */
  readonly clusterName: string;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The RemoveNode workflow as a shepherd state machine (shepherd-state-machine.ts). Its timeout is the lease it holds
 * on a claim: once it has passed, another RemoveNode may take over a claim this one left removing.
 */
export class RemoveNodeStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RemoveNodeStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'remove-node',
      clusterName: props.clusterName,
      definition: removeNodeDefinition(this, functions),
      timeout: Duration.seconds(REMOVAL_LEASE_SECONDS),
      invokedFunctions: [functions.validate, functions.claims, functions.cluster, ...functions.providers],
      failedAlarmDescription: 'A RemoveNode execution failed in the last 5 minutes: a node was not removed (see the execution cause).',
      logRetention: props.logRetention,
    }));
  }
}
