import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { SCALE_BUFFER_ARN_ENV } from '../../functions/buffers/constants.js';
import { SCALE_BUFFER_LEASE_SECONDS, scaleBufferDefinition } from '../../workflows/scale-buffer.js';
import { acknowledgeWildcardResources } from '../nag.js';
import { physicalName } from '../physical-names.js';
import { readSecrets } from '../secret-permissions.js';
import { type FunctionPermission, ShepherdFunction } from './shepherd-function.js';
import { shepherdStateMachine } from './shepherd-state-machine.js';

export interface ScaleBufferProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly provisionNode: sfn.IStateMachine;
  readonly removeNode: sfn.IStateMachine;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * ScaleBuffer: its function (functions/handlers/scale-buffer.ts) and its state machine `shepherd-<cluster>-scale-buffer`
 * (workflows/scale-buffer.ts), whose timeout is the pool leases it takes. It starts ProvisionNode and RemoveNode
 * executions (`.sync:2`): the grant CDK adds is StartExecution on those two state machines, DescribeExecution and
 * StopExecution on their executions, and the managed rule Step Functions uses to learn that a child ended.
 */
export class ScaleBuffer extends Construct {
  readonly fn: ShepherdFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScaleBufferProps) {
    super(scope, id);
    // The reconcile (this function, on a schedule) starts this state machine, which invokes this function: its ARN is
    // built from the physical name, not referenced, or the function's policy and the machine would depend on each other.
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: physicalName(props.config.cluster.name, 'scale-buffer', 'stateMachine'),
    });
    this.fn = new ShepherdFunction(this, 'Function', {
      projectRoot: props.projectRoot,
      config: props.config,
      name: 'scale-buffer',
      entry: props.entry,
      description: 'shepherd scale-buffer: reads pending pods, nodes and PDBs, plans buffer scale-up and scale-down, records each decision',
      permissions: [
        ...scaleBufferPermissions(props),
        { statement: new iam.PolicyStatement({ sid: 'StartReconcile', actions: ['states:StartExecution'], resources: [stateMachineArn] }) },
      ],
      environment: { TABLE_NAME: props.table.tableName, EVENT_BUS_NAME: props.bus.eventBusName, [SCALE_BUFFER_ARN_ENV]: stateMachineArn },
      // Listing every pod of a large cluster and planning takes a while; the goal is 2 s for 500 pending pods.
      timeout: Duration.seconds(90),
      memorySize: 256,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'scale-buffer',
      clusterName: props.config.cluster.name,
      definition: scaleBufferDefinition(this, { scale: this.fn.fn, provisionNode: props.provisionNode, removeNode: props.removeNode }),
      timeout: Duration.seconds(SCALE_BUFFER_LEASE_SECONDS),
      invokedFunctions: [this.fn.fn],
      failedAlarmDescription: 'A ScaleBuffer execution failed in the last 5 minutes: a buffer pool was not scaled as planned (see the execution cause).',
      logRetention: props.logRetention,
    }));
    // The `.sync:2` grant names the children's executions as `<state machine name>*` (CDK's own spelling of it).
    const stack = Stack.of(this);
    acknowledgeWildcardResources(
      this.stateMachine.role,
      [props.provisionNode, props.removeNode].map((child): [string, string] => {
        const name = stack.splitArn(child.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
        return [
          stack.formatArn({ service: 'states', resource: 'execution', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `${name}*` }),
          'A nested execution (.sync:2) is described and stopped by its ARN, which ends in a name chosen at start: only executions of that state machine match.',
        ];
      }),
    );
  }
}

/**
 * The scale-buffer function: its memory (`BUFFER` items) and its pool leases (`LEASE#BUFFER-POOL:` items), the pools'
 * claim counters read (`POOL#`), audit entries written (`AUDIT#`, `NODE#`), its events on the project's bus, and the
 * kubeconfig read. Nothing else: the nodes are added and removed by the nested executions, under their own roles.
 */
export function scaleBufferPermissions(props: Pick<ScaleBufferProps, 'table' | 'bus' | 'config'>): FunctionPermission[] {
  const keyed = (sid: string, actions: string[], keys: string[]) =>
    new iam.PolicyStatement({
      sid,
      actions,
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
    });
  return [
    { statement: keyed('BufferMemory', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['BUFFER', 'BUFFER#*']) },
    { statement: keyed('PoolLeases', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['LEASE#BUFFER-POOL:*']) },
    { statement: keyed('ReadPoolClaims', ['dynamodb:GetItem'], ['POOL#*']) },
    // The pause switch (`shepherd pause`) stops automatic scale-down.
    { statement: keyed('ReadPauseSwitch', ['dynamodb:GetItem'], ['SWITCH#remediation']) },
    { statement: keyed('WriteAudit', ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], ['AUDIT#*', 'NODE#*']) },
    { statement: new iam.PolicyStatement({ sid: 'PublishBufferDecisions', actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}
