import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { CHECK_CHAIN_PARTITION } from '../../functions/adapters/store/check-chain.js';
import { TICK_QUEUE_URL_ENV } from '../../functions/dns-checks/constants.js';
import { readSecrets } from '../secret-permissions.js';
import { DNS_CHECKS_MEMORY_MB, DNS_KEEP_ALIVE_MINUTES } from './dns-checks-sizing.js';
import type { FunctionPermission } from './shepherd-function.js';
import { ShepherdFunction } from './shepherd-function.js';
import { TickChain } from './tick-chain.js';

/** What a round and a tick do to the table: the check states (Query, PutItem) and the chain's item (GetItem, UpdateItem, PutItem). */
export const DNS_CHECKS_TABLE_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

export interface DnsChecksProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
}

/** The function's timeout: a round is one Node list, parallel probes (10 s at most each) and a few table calls. */
const RUNNER_TIMEOUT = Duration.seconds(30);

/**
 * The active checks of the DNS entrypoints (issue 10), every `dns.checkIntervalSeconds`. EventBridge schedules fire
 * at most once a minute, so the cadence is a chain of SQS messages: a lead tick sends the next ten in one
 * SendMessageBatch, the k-th with DelaySeconds = k intervals (0 to 900 s per message), and an event source mapping
 * (batch size 1) invokes the runner with each; a lead is claimed in the table, every tick runs a round
 * (functions/dns-checks/chain.ts). A schedule every DNS_KEEP_ALIVE_MINUTES runs the same function as a keep-alive that
 * restarts a chain that broke. Cheaper than a Lambda or a Step Functions Wait loop that never ends (README, "DNS
 * failover: active checks"; `shepherd cost` prices it). The queue, mapping and keep-alive are a TickChain, the
 * cluster hints' too; its id 'Default' keeps the logical IDs this construct gave them when it built them itself.
 */
export class DnsChecks extends Construct {
  readonly function: ShepherdFunction;
  readonly chain: TickChain;
  readonly queue: sqs.Queue;
  readonly keepAlive: events.Rule;

  constructor(scope: Construct, id: string, props: DnsChecksProps) {
    super(scope, id);
    const { config } = props;
    const dns = config.dns;
    if (!dns) throw new Error("DnsChecks needs the config's dns section");
    this.chain = new TickChain(this, 'Default', {
      queueName: `shepherd-${config.cluster.name}-dns-check-ticks`,
      runnerTimeout: RUNNER_TIMEOUT,
      keepAliveMinutes: DNS_KEEP_ALIVE_MINUTES,
    });
    this.queue = this.chain.queue;
    this.function = new ShepherdFunction(this, 'Function', {
      projectRoot: props.projectRoot,
      config,
      name: 'dns-checks',
      entry: props.entry,
      description: "shepherd dns-checks: probes the DNS entrypoints' targets every check interval and publishes each change of health",
      permissions: dnsChecksPermissions(props, this.chain),
      environment: { TABLE_NAME: props.table.tableName, EVENT_BUS_NAME: props.bus.eventBusName, [TICK_QUEUE_URL_ENV]: this.queue.queueUrl },
      timeout: RUNNER_TIMEOUT,
      memorySize: DNS_CHECKS_MEMORY_MB,
    });
    this.keepAlive = this.chain.drive(this.function.fn, `Restarts the DNS check chain (every ${dns.checkIntervalSeconds} s) when it went quiet`);
  }
}

/**
 * Exactly what the runner does: its own items of the table (DNSCHECK#<entrypoint> check states and the DNSTICKS
 * chain item), send ticks to its own queue and receive and delete them (the event source mapping), publish health
 * changes on the project's bus, read the kubeconfig.
 */
export function dnsChecksPermissions(props: DnsChecksProps, chain: TickChain): FunctionPermission[] {
  const entrypoints = (props.config.dns?.entrypoints ?? []).filter((e) => e.check).map((e) => `DNSCHECK#${e.name}`);
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'CheckStates',
        actions: DNS_CHECKS_TABLE_ACTIONS,
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...entrypoints, CHECK_CHAIN_PARTITION] } },
      }),
    },
    ...chain.permissions(),
    { statement: new iam.PolicyStatement({ sid: 'PublishHealthChanges', actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
  ];
}
