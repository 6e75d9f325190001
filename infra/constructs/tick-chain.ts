import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionPermission } from './shepherd-function.js';

/**
 * What an SQS event source mapping needs of the function's role to poll the queue ("Using Lambda with Amazon SQS",
 * Lambda Developer Guide, execution role permissions).
 */
export const TICK_CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

export interface TickChainProps {
  readonly queueName: string;
  /** The timeout of the function the ticks run: the queue's visibility timeout must exceed it. */
  readonly runnerTimeout: Duration;
  /** Minutes between two runs of the keep-alive; 1 (EventBridge's shortest rate) unless given. */
  readonly keepAliveMinutes?: number;
}

/**
 * A sub-minute cadence (the DNS checks', infra/constructs/dns-checks.ts, and the cluster hints'; functions/dns-checks/
 * chain.ts): a queue of ticks, each sent with DelaySeconds = the interval; an event source mapping (batch size 1) that
 * runs the function with each; and a schedule every `keepAliveMinutes` that runs the same function as the chain's
 * keep-alive. The queue comes first, so that the function can be given its URL; `drive` then wires the function to it.
 * A construct that owns its chain as child 'Default' keeps its resources' logical IDs as if it had built them itself.
 */
export class TickChain extends Construct {
  readonly queue: sqs.Queue;
  readonly keepAliveMinutes: number;
  keepAlive?: events.Rule;

  constructor(scope: Construct, id: string, props: TickChainProps) {
    super(scope, id);
    this.keepAliveMinutes = props.keepAliveMinutes ?? 1;
    this.queue = new sqs.Queue(this, 'Ticks', {
      queueName: props.queueName,
      // A tick is worth nothing once its interval has passed; the keep-alive replaces a lost one.
      retentionPeriod: Duration.minutes(5),
      // Lambda refuses a mapping whose queue's visibility timeout is under the function's timeout.
      visibilityTimeout: props.runnerTimeout.plus(Duration.seconds(30)),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    const every = this.keepAliveMinutes === 1 ? 'every minute' : `every ${this.keepAliveMinutes} minutes`;
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `A tick that fails is not worth keeping: the retry of a lead is dropped as already run, and the keep-alive (${every}) restarts a broken chain; a dead-letter queue would only collect stale ticks.`,
    });
  }

  /** What the function needs of the queue: send the next ticks, and let its mapping receive and delete them. */
  permissions(): FunctionPermission[] {
    return [
      // sqs:SendMessage authorizes SendMessageBatch too: "You cannot set permissions explicitly for SendMessageBatch ...
      // setting permissions for SendMessage ... sets permissions for the corresponding batch versions" ("Amazon SQS batch
      // actions", SQS Developer Guide). So the grant stays this one action on this one queue.
      { statement: new iam.PolicyStatement({ sid: 'SendTicks', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }) },
      { statement: new iam.PolicyStatement({ sid: 'ConsumeTicks', actions: TICK_CONSUME_ACTIONS, resources: [this.queue.queueArn] }) },
    ];
  }

  /** Runs `fn` with each tick, and every `keepAliveMinutes` as the keep-alive (neither retried: the next one comes anyway). */
  drive(fn: lambda.Function, description: string): events.Rule {
    fn.addEventSourceMapping('TickMapping', { eventSourceArn: this.queue.queueArn, batchSize: 1 });
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    this.keepAlive = new events.Rule(this, 'KeepAlive', {
      description,
      schedule: events.Schedule.rate(Duration.minutes(this.keepAliveMinutes)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });
    return this.keepAlive;
  }
}
