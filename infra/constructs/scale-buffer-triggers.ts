import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ShepherdConfig } from '../../config/types.js';
import { SCALE_BUFFER_ARN_ENV } from '../../functions/buffers/constants.js';
import { WATCHER_DETAIL_TYPES, WATCHER_SOURCE } from '../../functions/decisions/watcher/event-types.js';
import { ShepherdFunction } from './shepherd-function.js';

export interface ScaleBufferTriggersProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly config: ShepherdConfig;
  readonly bus: events.IEventBus;
  readonly scaleBuffer: sfn.IStateMachine;
  /** The scale-buffer function: the schedule invokes it with the `reconcile` action. */
  readonly scaleBufferFunction: lambda.IFunction;
}

/**
 * How often the reconcile runs: Cluster Autoscaler scans every 10 s, but the watcher's events start ScaleBuffer at
 * once for pods and outages; the reconcile only catches what no event announced and lets calm scale-down happen, so
 * it runs every 10 minutes (Cluster Autoscaler's scale-down-unneeded-time: a buffer node goes at most one period
 * after its cooldown ends).
 */
export const RECONCILE_MINUTES = 10;

/** How often EventBridge retries a target that cannot be invoked, and for how long. */
const TARGET_RETRIES = { retryAttempts: 8, maxEventAge: Duration.hours(2) };

/**
 * What starts ScaleBuffer: the watcher's events (through the buffer intake, which names each execution after its
 * transition so duplicates collide), and a schedule rule that invokes the scale-buffer function's `reconcile`, which
 * plans without a lease and starts an execution (named for the period) only when the plan adds or removes a node:
 * a Standard execution every period would cost ~44 transitions each time for nothing.
 */
export class ScaleBufferTriggers extends Construct {
  readonly intake: ShepherdFunction;
  readonly watcherRule: events.Rule;
  readonly reconcileRule: events.Rule;

  constructor(scope: Construct, id: string, props: ScaleBufferTriggersProps) {
    super(scope, id);
    this.intake = new ShepherdFunction(this, 'Intake', {
      projectRoot: props.projectRoot,
      config: props.config,
      name: 'buffer-intake',
      entry: props.entry,
      description: "shepherd buffer-intake: starts ScaleBuffer for the watcher's unschedulable-pods and provider events, named after the transition",
      permissions: [
        {
          statement: new iam.PolicyStatement({ sid: 'StartScaleBuffer', actions: ['states:StartExecution'], resources: [props.scaleBuffer.stateMachineArn] }),
        },
      ],
      environment: { [SCALE_BUFFER_ARN_ENV]: props.scaleBuffer.stateMachineArn },
      timeout: Duration.seconds(20),
    });
    this.intake.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    this.watcherRule = new events.Rule(this, 'WatcherCapacityEvents', {
      description: 'The cluster watcher saw pods go unschedulable or a provider degrade or recover: start ScaleBuffer',
      eventBus: props.bus,
      eventPattern: {
        source: [WATCHER_SOURCE],
        detailType: [WATCHER_DETAIL_TYPES.podsUnschedulable, WATCHER_DETAIL_TYPES.providerDegraded, WATCHER_DETAIL_TYPES.providerRecovered],
      },
      targets: [new targets.LambdaFunction(this.intake.fn, TARGET_RETRIES)],
    });
    this.reconcileRule = new events.Rule(this, 'Reconcile', {
      description: `Every ${RECONCILE_MINUTES} minutes: the ScaleBuffer reconcile plans (pending pods no event announced, calm scale-down) and starts an execution only if it would act`,
      schedule: events.Schedule.rate(Duration.minutes(RECONCILE_MINUTES)),
      targets: [
        new targets.LambdaFunction(props.scaleBufferFunction, {
          event: events.RuleTargetInput.fromObject({ action: 'reconcile', scheduledAt: events.EventField.time }),
          retryAttempts: 2,
          maxEventAge: Duration.minutes(RECONCILE_MINUTES),
        }),
      ],
    });
  }
}
