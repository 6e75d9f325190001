/*
 * The EC2 events healing listens to, as EventBridge delivers them on the default bus. Shapes from AWS's
 * documentation: the EC2 user guide ("Spot Instance interruption notices", "EC2 instance rebalance
 * recommendations", "State change events for Amazon EC2 instances") and the AWS Health user guide ("Reference: AWS
 * Health events Amazon EventBridge schema").
 */

export const SPOT_INTERRUPTION_WARNING = 'EC2 Spot Instance Interruption Warning';
export const REBALANCE_RECOMMENDATION = 'EC2 Instance Rebalance Recommendation';
export const STATE_CHANGE_NOTIFICATION = 'EC2 Instance State-change Notification';
export const HEALTH_EVENT = 'AWS Health Event';

/** Every `state` a state-change notification can carry. */
export const EC2_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
export type Ec2InstanceState = (typeof EC2_INSTANCE_STATES)[number];

/** The states of an instance on its way out: the ones AWS Node Termination Handler drains on. */
export const LEAVING_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'] as const satisfies readonly Ec2InstanceState[];

/** What EC2 does to a Spot Instance when it interrupts it. */
export const SPOT_INSTANCE_ACTIONS = ['hibernate', 'stop', 'terminate'] as const;
export type SpotInstanceAction = (typeof SPOT_INSTANCE_ACTIONS)[number];

/** AWS Health's status of an event: a scheduled change is `upcoming` or `open` until it is `closed`. */
export const HEALTH_STATUS_CODES = ['open', 'closed', 'upcoming'] as const;
export type HealthStatusCode = (typeof HEALTH_STATUS_CODES)[number];

/** The envelope fields every EventBridge event has, and the instances the event is about. */
export interface Ec2EventCommon {
  /** EventBridge's id of the event: a redelivery carries the same one. */
  id: string;
  time: string;
  region: string;
  account: string;
  /** One instance for EC2's own events; one or more for an AWS Health event. */
  instanceIds: string[];
}

export type Ec2HealingEvent =
  | (Ec2EventCommon & { kind: 'spot-interruption'; instanceAction: SpotInstanceAction })
  | (Ec2EventCommon & { kind: 'rebalance-recommendation' })
  | (Ec2EventCommon & { kind: 'state-change'; state: Ec2InstanceState })
  | (Ec2EventCommon & {
      kind: 'scheduled-change';
      eventArn: string;
      /** e.g. AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED, AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED. */
      eventTypeCode: string;
      statusCode?: HealthStatusCode;
      startTime?: string;
    });

export type Ec2HealingEventKind = Ec2HealingEvent['kind'];

/**
 * The parse of one delivered event. `unsupported`: a well-formed event healing does not handle (another detail-type,
 * another service's Health event). `malformed`: a field is missing or wrong; `problems` names each one.
 */
export type Ec2EventParse = { ok: true; event: Ec2HealingEvent } | { ok: false; why: 'unsupported' | 'malformed'; problems: string[]; summary: string };
