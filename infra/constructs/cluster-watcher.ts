import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { PREEMPTIONS_BY_POLLING_ENV, WATCHER_PARTITION } from '../../functions/watcher/constants.js';
import { readSecrets } from '../secret-permissions.js';
import type { FunctionPermission } from './shepherd-function.js';
import { ShepherdFunction } from './shepherd-function.js';

/** The snapshot items' operations (functions/adapters/store/watcher-snapshot.ts): no scans, queries or table admin. */
export const WATCHER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];

export interface ClusterWatcherProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  /** By provider name: the functions whose `listOwned` and `interruptions` the watcher invokes. */
  readonly providerFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** The providers (of providerFunctions) whose preemptions are found only by asking. */
  readonly preemptionsByPolling: readonly string[];
  /** Environment naming each provider's function (function-env.ts). */
  readonly providerFunctionEnv: Record<string, string>;
}

/**
 * The cluster watcher: a function and the schedule rule that runs it (`watcher.everyMinutes`, disabled when
 * `watcher.enabled` is false). A rule that invokes the function directly is the cheapest shape: one Lambda request
 * a pass and no state transitions (a Standard workflow every minute would cost about $5 a month in transitions
 * alone; README, "Cluster watcher"). The provider functions are invoked rather than bundled: each cloud's SDK stays
 * in its own function (the GCE client alone is 30 MB and 1.5 s of import), and their IAM and secrets stay there too.
 */
export class ClusterWatcher extends Construct {
  readonly function: ShepherdFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ClusterWatcherProps) {
    super(scope, id);
    const { config } = props;
    this.function = new ShepherdFunction(this, 'Function', {
      projectRoot: props.projectRoot,
      config,
      name: 'cluster-watcher',
      entry: props.entry,
      description: 'shepherd cluster-watcher: compares Nodes, pending pods and provider VMs with its last snapshot and publishes the transitions',
      permissions: watcherPermissions(props),
      environment: {
        TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        ...(props.preemptionsByPolling.length ? { [PREEMPTIONS_BY_POLLING_ENV]: props.preemptionsByPolling.join(',') } : {}),
        ...props.providerFunctionEnv,
      },
      // Under the schedule's minute, so that passes do not pile up; npm run bench:watcher: 5,000 Nodes and 50,000 pods
      // in a few seconds, well inside it.
      timeout: Duration.seconds(50),
      memorySize: 512,
    });
    // A failed pass is not retried: the next one comes within the minute and starts from the same snapshot.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the cluster watcher every ${config.watcher.everyMinutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(config.watcher.everyMinutes)),
      enabled: config.watcher.enabled,
      targets: [new targets.LambdaFunction(this.function.fn, { retryAttempts: 2, maxEventAge: Duration.seconds(60) })],
    });
  }
}

/**
 * Exactly what a pass does: read and write its own snapshot items (partition WATCHER only), read claim items (the
 * VM a claim recorded), put events on the project's bus, invoke the provider functions (list, interruptions,
 * describe), read the kubeconfig.
 */
export function watcherPermissions(props: Pick<ClusterWatcherProps, 'table' | 'bus' | 'providerFunctions' | 'config'>): FunctionPermission[] {
  const providerArns = Object.values(props.providerFunctions).map((f) => f.functionArn);
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'WatcherSnapshot',
        actions: WATCHER_TABLE_ACTIONS,
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [WATCHER_PARTITION] } },
      }),
    },
    // The VM a claim recorded, to ask its provider about a VM the provider's list missed (vm-confirmation.ts).
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadClaimedVms',
        actions: ['dynamodb:GetItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLAIM#*'] } },
      }),
    },
    { statement: new iam.PolicyStatement({ sid: 'PublishTransitions', actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }) },
    ...(providerArns.length
      ? [{ statement: new iam.PolicyStatement({ sid: 'ListProviderVms', actions: ['lambda:InvokeFunction'], resources: providerArns }) }]
      : []),
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}
