import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { EC2_HEALING_RULES } from '../../functions/decisions/healing/ec2-events/patterns.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import { HEAL_NODE_ARN_ENV, ORPHAN_COLLECTOR_TIMEOUT_SECONDS, ORPHAN_TERMINATION_PREFIX } from '../../functions/healing/constants.js';
import { providerFunctionEnvName } from '../../functions/providers/function-env.js';
import { readSecrets } from '../secret-permissions.js';
import type { FunctionPermission } from './shepherd-function.js';
import { ShepherdFunction } from './shepherd-function.js';

export interface HealTriggersProps {
  readonly projectRoot: string;
  readonly entries: { readonly intake: string; readonly orphans: string };
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  /** By provider name: the functions the triggers invoke (describe; listOwned and terminate for orphans). */
  readonly providerFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** Environment naming each provider's function (function-env.ts). */
  readonly providerFunctionEnv: Record<string, string>;
  /** The HealNode state machine's ARN (`shepherd-<cluster>-heal-node`). */
  readonly healNodeArn: string;
}

/**
 * An audit entry is the day's item (`AUDIT#<day>`) and, when it names a node, its copy in the node's history
 * (`NODE#<node>`), written together with BatchWriteItem (functions/adapters/store: the audit log).
 */
const AUDIT_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'];
const AUDIT_PARTITIONS = ['AUDIT#*', 'NODE#*'];

/** How often EventBridge retries a target that cannot be invoked, and for how long; then the dead-letter queue. */
const TARGET_RETRIES = { retryAttempts: 8, maxEventAge: Duration.hours(2) };

/**
 * What starts healing: the heal intake (EC2's events on the default bus, the watcher's NotReady and VM-gone on the
 * project's bus -> HealNode) and the orphan collector (the watcher's orphan VMs -> terminate). Events that cannot be
 * handled end in one dead-letter queue: those EventBridge could not hand to a function (target DLQ), and those whose
 * function kept throwing a transient fault through Lambda's asynchronous retries (on-failure destination). A
 * malformed event is not retried at all: the functions log and drop it.
 */
export class HealTriggers extends Construct {
  readonly intake: ShepherdFunction;
  readonly orphans: ShepherdFunction;
  readonly deadLetters: sqs.Queue;
  readonly ec2Rules: events.Rule[];
  readonly watcherRule: events.Rule;
  readonly orphanRule: events.Rule;

  constructor(scope: Construct, id: string, props: HealTriggersProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const { healNodeArn } = props;
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: `shepherd-${config.cluster.name}-heal-triggers-dlq`,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue itself (of the heal triggers' rule targets and of their functions' asynchronous invocations); cdk-nag recognises only SQS redrive policies as DLQ use.",
    });
    const aws = props.providerFunctions.aws;
    this.intake = new ShepherdFunction(this, 'Intake', {
      projectRoot: props.projectRoot,
      config,
      name: 'heal-intake',
      entry: props.entries.intake,
      description: "shepherd heal-intake: confirms EC2 events and the watcher's NotReady and VM-gone events, and starts HealNode",
      permissions: intakePermissions({ ...props, healNodeArn, awsFunction: aws }),
      environment: {
        TABLE_NAME: props.table.tableName,
        [HEAL_NODE_ARN_ENV]: healNodeArn,
        ...Object.fromEntries(Object.entries(props.providerFunctionEnv).filter(([k]) => k === providerFunctionEnvName('aws'))),
      },
      timeout: Duration.seconds(60),
    });
    this.orphans = new ShepherdFunction(this, 'OrphanCollector', {
      projectRoot: props.projectRoot,
      config,
      name: 'orphan-collector',
      entry: props.entries.orphans,
      description: 'shepherd orphan-collector: confirms a VM without a Node and terminates it through its provider',
      permissions: orphanPermissions(props),
      environment: { TABLE_NAME: props.table.tableName, EVENT_BUS_NAME: props.bus.eventBusName, ...props.providerFunctionEnv },
      // Listing a provider's VMs and terminating one (GCE's delete waits for its operation) take a while.
      timeout: Duration.seconds(ORPHAN_COLLECTOR_TIMEOUT_SECONDS),
      memorySize: 256,
    });
    for (const fn of [this.intake, this.orphans]) {
      fn.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new destinations.SqsDestination(this.deadLetters) });
    }
    const intakeTarget = new targets.LambdaFunction(this.intake.fn, { ...TARGET_RETRIES, deadLetterQueue: this.deadLetters });

    // EC2 sends an instance's events to the default bus of the instance's region, which is providers.aws.region.
    this.ec2Rules = aws
      ? EC2_HEALING_RULES.map(
          (r) =>
            new events.Rule(this, r.name, {
              description: r.description,
              eventPattern: { source: r.pattern.source, detailType: r.pattern['detail-type'], ...(r.pattern.detail ? { detail: r.pattern.detail } : {}) },
              targets: [intakeTarget],
            }),
        )
      : [];
    const awsRegion = config.providers.aws?.region;
    if (aws && awsRegion && !Token.isUnresolved(stack.region) && stack.region !== awsRegion) {
      Annotations.of(this).addWarningV2(
        'shepherd:ec2-events-region',
        `providers.aws.region is ${awsRegion} but the stack is in ${stack.region}: EC2 sends its events to the default bus of ${awsRegion}, so the EC2 healing rules here see none. Deploy the stack in ${awsRegion}, or forward aws.ec2 and aws.health events from ${awsRegion}'s default bus to ${stack.region}'s (README, Healing: triggers); the cluster watcher still finds dead VMs within a pass.`,
      );
    }
    this.watcherRule = new events.Rule(this, 'WatcherNodeUnhealthy', {
      description: 'The cluster watcher saw a Node go NotReady or lose its VM: start HealNode',
      eventBus: props.bus,
      eventPattern: { source: [WATCHER_SOURCE], detailType: [WATCHER_DETAIL_TYPES.nodeNotReady, WATCHER_DETAIL_TYPES.nodeVmGone] },
      targets: [intakeTarget],
    });
    this.orphanRule = new events.Rule(this, 'WatcherOrphanVm', {
      description: 'The cluster watcher found a VM of the cluster without a Node past the registration deadline: confirm and terminate it',
      eventBus: props.bus,
      eventPattern: { source: [WATCHER_SOURCE], detailType: [WATCHER_DETAIL_TYPES.orphanVm] },
      targets: [new targets.LambdaFunction(this.orphans.fn, { ...TARGET_RETRIES, deadLetterQueue: this.deadLetters })],
    });
  }
}

const tableStatement = (sid: string, table: dynamodb.ITable, actions: string[], leadingKeys: string[]) =>
  new iam.PolicyStatement({
    sid,
    actions,
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
  });

/**
 * The intake: start HealNode executions of that one state machine, ask the aws provider function (only it) about an
 * instance, read claims (`CLAIM#` items) and write audit entries (`AUDIT#` and `NODE#` items), read the kubeconfig.
 */
export function intakePermissions(
  props: Pick<HealTriggersProps, 'table' | 'config'> & { healNodeArn: string; awsFunction?: lambda.IFunction },
): FunctionPermission[] {
  return [
    { statement: new iam.PolicyStatement({ sid: 'StartHealNode', actions: ['states:StartExecution'], resources: [props.healNodeArn] }) },
    ...(props.awsFunction
      ? [{ statement: new iam.PolicyStatement({ sid: 'DescribeInstances', actions: ['lambda:InvokeFunction'], resources: [props.awsFunction.functionArn] }) }]
      : []),
    { statement: tableStatement('ReadClaims', props.table, ['dynamodb:GetItem'], ['CLAIM#*']) },
    { statement: tableStatement('WriteAudit', props.table, AUDIT_ACTIONS, AUDIT_PARTITIONS) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}

/**
 * The orphan collector: invoke the provider functions (list, terminate), read the pause switch, the pools' counters
 * and claims, record the orphans it terminates (`ORPHAN#` items), write audit entries, put its event on the project's
 * bus, read the kubeconfig.
 */
export function orphanPermissions(props: Pick<HealTriggersProps, 'table' | 'config' | 'bus' | 'providerFunctions'>): FunctionPermission[] {
  const providerArns = Object.values(props.providerFunctions).map((f) => f.functionArn);
  return [
    ...(providerArns.length
      ? [{ statement: new iam.PolicyStatement({ sid: 'ListAndTerminateVms', actions: ['lambda:InvokeFunction'], resources: providerArns }) }]
      : []),
    { statement: tableStatement('ReadClaimsAndSwitch', props.table, ['dynamodb:GetItem'], ['POOL#*', 'CLAIM#*', 'SWITCH#*']) },
    // Its record of each orphan it terminates (orphan-terminations.ts), so that a redelivered event does nothing.
    {
      statement: tableStatement(
        'RecordOrphanTerminations',
        props.table,
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [`${ORPHAN_TERMINATION_PREFIX}*`],
      ),
    },
    { statement: tableStatement('WriteAudit', props.table, AUDIT_ACTIONS, AUDIT_PARTITIONS) },
    { statement: new iam.PolicyStatement({ sid: 'PublishOrphanTerminated', actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}
