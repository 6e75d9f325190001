import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TICK_CONSUME_ACTIONS } from './dns-checks.js';
import type { FunctionPermission } from './shepherd-function.js';

export interface TickChainProps {
  readonly queueName: string;
  /** The timeout of the function the ticks run: the queue's visibility timeout must exceed it. */
  readonly runnerTimeout: Duration;
}

/**
 * A sub-minute cadence as the DNS checks have it (infra/constructs/dns-checks.ts, functions/dns-checks/chain.ts): a
 * queue of ticks, each sent with DelaySeconds = the interval; an event source mapping (batch size 1) that runs the
 * function with each; and a once-a-minute schedule that runs the same function as the chain's keep-alive. The queue
 * comes first, so that the function can be given its URL; `drive` then wires the function to it.
 */
export class TickChain extends Construct {
  readonly queue: sqs.Queue;
  keepAlive?: events.Rule;

  constructor(scope: Construct, id: string, props: TickChainProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Ticks', {
      queueName: props.queueName,
      // A tick is worth nothing once its interval has passed; the keep-alive replaces a lost one.
      retentionPeriod: Duration.minutes(5),
      // Lambda refuses a mapping whose queue's visibility timeout is under the function's timeout.
      visibilityTimeout: props.runnerTimeout.plus(Duration.seconds(30)),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'A tick that fails is not worth keeping: its retry is dropped as already run, and the keep-alive restarts a broken chain within a minute; a dead-letter queue would only collect stale ticks.',
    });
  }

  /** What the function needs of the queue: send the next tick, and let its mapping receive and delete them. */
  permissions(): FunctionPermission[] {
    return [
      { statement: new iam.PolicyStatement({ sid: 'SendTicks', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }) },
      { statement: new iam.PolicyStatement({ sid: 'ConsumeTicks', actions: TICK_CONSUME_ACTIONS, resources: [this.queue.queueArn] }) },
    ];
  }

  /** Runs `fn` with each tick, and once a minute as the keep-alive (neither retried: the next comes within the minute). */
  drive(fn: lambda.Function, description: string): events.Rule {
    fn.addEventSourceMapping('TickMapping', { eventSourceArn: this.queue.queueArn, batchSize: 1 });
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    this.keepAlive = new events.Rule(this, 'KeepAlive', {
      description,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });
    return this.keepAlive;
  }
}
