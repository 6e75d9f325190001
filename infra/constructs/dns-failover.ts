import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { DNS_DETAIL_TYPES, DNS_SOURCE } from '../../functions/decisions/dns/failover-events.js';
import { LEAVING_STATES, SPOT_INTERRUPTION_WARNING, STATE_CHANGE_NOTIFICATION } from '../../functions/decisions/healing/ec2-events/types.js';
import { HEAL_DETAIL_TYPES, HEAL_SOURCE } from '../../functions/decisions/healing/heal-events.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import { dnsFailoverDefinition } from '../../workflows/dns-failover.js';
import { readSecrets } from '../secret-permissions.js';
import { type FunctionPermission, ShepherdFunction } from './shepherd-function.js';
import { shepherdStateMachine } from './shepherd-state-machine.js';

/** The periodic reconcile: DNS converges within this even if every event was lost (Cloudflare blocks a throttled token 5 minutes, too). */
export const DNS_RECONCILE_MINUTES = 5;

export interface DnsFailoverProps {
  readonly projectRoot: string;
  readonly entry: string;
  /** A config with a `dns` section. */
  readonly config: ShepherdConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * DNS failover (issue 10): the dns-failover function (the only holder of the Cloudflare token), the DnsFailover state
 * machine, and what starts it. Events that may move the entrypoint start an execution at once, with the event as
 * input: the check runner's target health changes, the watcher's NotReady, Ready and provider transitions, a heal
 * started, and EC2's spot warning and instance-leaving notifications (default bus). A schedule invokes the function
 * itself every DNS_RECONCILE_MINUTES for every entrypoint: one invocation, no state machine, the cheapest backstop
 * that makes DNS converge even if an event was lost (a throttled reconcile is left to the next one).
 */
export class DnsFailover extends Construct {
  readonly function: ShepherdFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly rules: events.Rule[];
  readonly reconcile: events.Rule;

  constructor(scope: Construct, id: string, props: DnsFailoverProps) {
    super(scope, id);
    const { config } = props;
    this.function = new ShepherdFunction(this, 'Function', {
      projectRoot: props.projectRoot,
      config,
      name: 'dns-failover',
      entry: props.entry,
      description: 'shepherd dns-failover: moves the Cloudflare entrypoint records to the healthy nodes',
      permissions: dnsFailoverPermissions(props),
      environment: { TABLE_NAME: props.table.tableName, EVENT_BUS_NAME: props.bus.eventBusName },
      // Under the Update records task's 60 s and the entrypoint lease's 90 s (functions/dns/lease.ts).
      timeout: Duration.seconds(45),
    });
    ({
      stateMachine: this.stateMachine,
      logGroup: this.logGroup,
      failedAlarm: this.failedAlarm,
    } = shepherdStateMachine(this, {
      workflow: 'dns-failover',
      clusterName: config.cluster.name,
      definition: dnsFailoverDefinition(this, { dns: this.function.fn }),
      // Ten waits of Cloudflare's retry-after (at most 5 minutes each) and the passes between them.
      timeout: Duration.hours(1),
      invokedFunctions: [this.function.fn],
      failedAlarmDescription: 'A DnsFailover execution failed in the last 5 minutes: an entrypoint may point at a node that is gone (see the execution cause).',
      logRetention: props.logRetention,
    }));

    const target = new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 8, maxEventAge: Duration.hours(1) });
    const onBus = (ruleId: string, description: string, source: string, detailTypes: string[]) =>
      new events.Rule(this, ruleId, { description, eventBus: props.bus, eventPattern: { source: [source], detailType: detailTypes }, targets: [target] });
    this.rules = [
      onBus('TargetHealthChanged', 'An entrypoint target passed or failed its checks: update its records', DNS_SOURCE, [DNS_DETAIL_TYPES.targetHealthChanged]),
      onBus('WatcherTransitions', 'A node went NotReady or Ready, or a provider degraded or recovered: update the entrypoint records', WATCHER_SOURCE, [
        WATCHER_DETAIL_TYPES.nodeNotReady,
        WATCHER_DETAIL_TYPES.nodeReady,
        WATCHER_DETAIL_TYPES.providerDegraded,
        WATCHER_DETAIL_TYPES.providerRecovered,
      ]),
      onBus('HealStarted', 'A heal started: take its node out of the entrypoint records', HEAL_SOURCE, [HEAL_DETAIL_TYPES.started]),
      // EC2 sends these to the default bus of the instance's region (see HealTriggers).
      new events.Rule(this, 'Ec2NodeLeaving', {
        description: 'A Spot Instance will be interrupted, or an instance is leaving: take its node out of the entrypoint records before it goes',
        eventPattern: { source: ['aws.ec2'], detailType: [SPOT_INTERRUPTION_WARNING] },
        targets: [target],
      }),
      new events.Rule(this, 'Ec2InstanceLeaving', {
        description: 'An instance is stopping, stopped, shutting down or terminated: take its node out of the entrypoint records',
        eventPattern: { source: ['aws.ec2'], detailType: [STATE_CHANGE_NOTIFICATION], detail: { state: [...LEAVING_STATES] } },
        targets: [target],
      }),
    ];
    this.reconcile = new events.Rule(this, 'Reconcile', {
      description: `Reconciles every DNS entrypoint every ${DNS_RECONCILE_MINUTES} minutes, so DNS converges even if an event was lost`,
      schedule: events.Schedule.rate(Duration.minutes(DNS_RECONCILE_MINUTES)),
      targets: [new targets.LambdaFunction(this.function.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(DNS_RECONCILE_MINUTES) })],
    });
    // A failed reconcile is not retried: the next one comes within DNS_RECONCILE_MINUTES and reads everything afresh.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(DNS_RECONCILE_MINUTES) });
  }
}

const tableStatement = (sid: string, table: dynamodb.ITable, actions: string[], leadingKeys: string[]) =>
  new iam.PolicyStatement({ sid, actions, resources: [table.tableArn], conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } });

/**
 * Exactly what a run does: read node leases (heals in progress), claims (an EC2 instance's Node), the check states and the remembered announcements,
 * remember an EC2 event's; open and close its alerts (`DNSALERT#<entrypoint>`); take and release its
 * entrypoints' leases (`LEASE#dns-entrypoint:*`, a name no Node can have); write audit entries; put its events on the
 * project's bus; read the kubeconfig and the Cloudflare token (no other function reads that token).
 */
export function dnsFailoverPermissions(props: Pick<DnsFailoverProps, 'table' | 'bus' | 'config'>): FunctionPermission[] {
  const dns = props.config.dns;
  if (!dns) throw new Error('DNS failover needs a dns section in the config');
  return [
    {
      statement: tableStatement(
        'ReadLeasesAndChecks',
        props.table,
        ['dynamodb:GetItem', 'dynamodb:Query'],
        ['LEASE#*', 'CLAIM#*', 'DNSCHECK#*', 'DNSANNOUNCED', 'DNSALERT#*'],
      ),
    },
    { statement: tableStatement('RememberAnnouncements', props.table, ['dynamodb:PutItem'], ['DNSANNOUNCED']) },
    { statement: tableStatement('OpenAndCloseAlerts', props.table, ['dynamodb:PutItem', 'dynamodb:DeleteItem'], ['DNSALERT#*']) },
    { statement: tableStatement('EntrypointLeases', props.table, ['dynamodb:PutItem', 'dynamodb:UpdateItem'], ['LEASE#dns-entrypoint:*']) },
    { statement: tableStatement('WriteAudit', props.table, ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], ['AUDIT#*', 'NODE#*']) },
    { statement: new iam.PolicyStatement({ sid: 'PublishDnsEvents', actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }) },
    ...readSecrets('ReadKubeconfig', [props.config.cluster.kubeconfigSecretArn]),
    ...readSecrets('ReadCloudflareToken', [dns.cloudflare.apiTokenSecretArn]),
  ];
}
