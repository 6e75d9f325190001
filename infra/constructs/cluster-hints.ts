import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { TICK_QUEUE_URL_ENV } from '../../functions/dns-checks/constants.js';
import { HINT_CHAIN_PARTITION, WATCHER_FUNCTION_ENV, WATCHER_PARTITION } from '../../functions/watcher/constants.js';
import { readSecrets } from '../secret-permissions.js';
import { CLUSTER_HINTS_MEMORY_MB } from './cluster-hints-sizing.js';
import { ShepherdFunction } from './shepherd-function.js';
import { TickChain } from './tick-chain.js';

/** The chain's item: GetItem in the keep-alive, UpdateItem per tick, PutItem on a restart (functions/adapters/store/check-chain.ts). */
export const HINT_CHAIN_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

export interface ClusterHintsProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  /** The cluster watcher's function, which a hint starts. */
  readonly watcher: lambda.IFunction;
}

/** A round is a Node list, a pending-pod list and one GetItem, and maybe one asynchronous Invoke. */
const HINTS_TIMEOUT = Duration.seconds(20);

/**
 * The cluster hints (issue 11), deployed only with buffer pools: every `watcher.hintSeconds`, on a tick chain like the
 * DNS checks' (tick-chain.ts), a round lists Nodes and unschedulable pods and, when the watcher would publish a Node
 * gone NotReady, a degraded provider or new unschedulable pods, starts a watcher pass at once (an asynchronous
 * Invoke). The watcher's schedule keeps its minute for everything else. README, "Buffer pools: detection".
 */
export class ClusterHints extends Construct {
  readonly function: ShepherdFunction;
  readonly chain: TickChain;
  readonly keepAlive: events.Rule;

  constructor(scope: Construct, id: string, props: ClusterHintsProps) {
    super(scope, id);
    const { config } = props;
    this.chain = new TickChain(this, 'Chain', { queueName: `shepherd-${config.cluster.name}-cluster-hint-ticks`, runnerTimeout: HINTS_TIMEOUT });
    this.function = new ShepherdFunction(this, 'Function', {
      projectRoot: props.projectRoot,
      config,
      name: 'cluster-hints',
      entry: props.entry,
      description: `shepherd cluster-hints: every ${config.watcher.hintSeconds} s, starts a watcher pass at once when a Node went NotReady or pods went unschedulable`,
      permissions: [...this.chain.permissions(), ...clusterHintsPermissions(props)],
      environment: { TABLE_NAME: props.table.tableName, [TICK_QUEUE_URL_ENV]: this.chain.queue.queueUrl, [WATCHER_FUNCTION_ENV]: props.watcher.functionName },
      timeout: HINTS_TIMEOUT,
      memorySize: CLUSTER_HINTS_MEMORY_MB,
    });
    this.keepAlive = this.chain.drive(this.function.fn, `Restarts the cluster hint chain (every ${config.watcher.hintSeconds} s) when it went quiet`);
  }
}

/**
 * Exactly what a round does besides its ticks: its chain item (partition WATCHERHINTS), read the watcher's snapshot
 * (GetItem on partition WATCHER, no write), invoke the watcher function (that one only), read the kubeconfig.
 */
export function clusterHintsPermissions(props: Pick<ClusterHintsProps, 'table' | 'watcher' | 'config'>) {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'HintChain',
        actions: HINT_CHAIN_TABLE_ACTIONS,
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [HINT_CHAIN_PARTITION] } },
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadWatcherSnapshot',
        actions: ['dynamodb:GetItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [WATCHER_PARTITION] } },
      }),
    },
    { statement: new iam.PolicyStatement({ sid: 'StartWatcherPass', actions: ['lambda:InvokeFunction'], resources: [props.watcher.functionArn] }) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}
