import type { AwsEvent, SimEnv } from '../../env.js';
import type { Vm } from '../../world/types.js';
import { recordSpotInterruption } from './instances.js';

/**
 * Publishes to env.awsEvents the EventBridge events EC2 emits for the world's AWS VMs:
 * "EC2 Instance State-change Notification" on every state change (launch included),
 * "EC2 Spot Instance Interruption Warning" two minutes (the world's notice) before a spot
 * reclaim, and "EC2 Instance Rebalance Recommendation". Detail shapes follow the EC2 user guide.
 */
export function publishEc2Events(env: SimEnv): void {
  const { world } = env;
  world.on('vm-state', ({ vm }) => {
    if (vm.provider === 'aws') env.awsEvents.publish(envelope(env, vm, 'EC2 Instance State-change Notification', { 'instance-id': vm.id, state: vm.state }));
  });
  world.on('spot-interruption', ({ vm }) => {
    if (vm.provider !== 'aws') return;
    // DescribeInstances reports the reclaim as the reason once the instance goes.
    recordSpotInterruption(world, vm);
    env.awsEvents.publish(envelope(env, vm, 'EC2 Spot Instance Interruption Warning', { 'instance-id': vm.id, 'instance-action': 'terminate' }));
  });
  world.on('rebalance-recommendation', ({ vm }) => {
    if (vm.provider === 'aws') env.awsEvents.publish(envelope(env, vm, 'EC2 Instance Rebalance Recommendation', { 'instance-id': vm.id }));
  });
}

function envelope(env: SimEnv, vm: Vm, detailType: string, detail: Record<string, unknown>): AwsEvent {
  const { accountId } = env.credentials.aws;
  return {
    version: '0',
    id: env.random.uuid(),
    'detail-type': detailType,
    source: 'aws.ec2',
    account: accountId,
    // EventBridge times are whole seconds: 2026-01-01T00:00:20Z.
    time: env.clock.iso().replace(/\.\d{3}Z$/, 'Z'),
    region: vm.region,
    resources: [`arn:aws:ec2:${vm.region}:${accountId}:instance/${vm.id}`],
    detail,
  };
}
