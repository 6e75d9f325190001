import { HEALTH_EVENT, LEAVING_STATES, REBALANCE_RECOMMENDATION, SPOT_INTERRUPTION_WARNING, STATE_CHANGE_NOTIFICATION } from './types.js';

/**
 * The EventBridge rules (default bus) that bring healing its EC2 events, as plain data in EventBridge's own JSON
 * pattern syntax (`detail-type`; a CDK `events.Rule` takes the same pattern with `detailType`). An event pattern
 * cannot see an instance's tags: which instances are this cluster's is asked of EC2 when the event arrives
 * (eventConfirmation).
 */
export interface HealingEventRule {
  /** A construct id for the rule. */
  name: string;
  description: string;
  pattern: { source: string[]; 'detail-type': string[]; detail?: Record<string, string[]> };
}

export const EC2_HEALING_RULES: readonly HealingEventRule[] = [
  {
    name: 'Ec2SpotInterruptionWarning',
    description: 'A Spot Instance will be interrupted in two minutes: cordon, drain and replace its node before it goes',
    pattern: { source: ['aws.ec2'], 'detail-type': [SPOT_INTERRUPTION_WARNING] },
  },
  {
    name: 'Ec2RebalanceRecommendation',
    description: 'A Spot Instance is at elevated risk of interruption: replace or taint its node (healing.rebalanceRecommendation)',
    pattern: { source: ['aws.ec2'], 'detail-type': [REBALANCE_RECOMMENDATION] },
  },
  {
    name: 'Ec2InstanceLeaving',
    description: 'An instance is stopping, stopped, shutting down or terminated: heal its node once EC2 confirms it',
    // pending and running need nothing from healing; filtering them here saves an invocation per launch.
    pattern: { source: ['aws.ec2'], 'detail-type': [STATE_CHANGE_NOTIFICATION], detail: { state: [...LEAVING_STATES] } },
  },
  {
    name: 'Ec2ScheduledChange',
    description: 'AWS Health scheduled an EC2 change (retirement, maintenance) for an instance: replace its node ahead of it',
    pattern: { source: ['aws.health'], 'detail-type': [HEALTH_EVENT], detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] } },
  },
];
