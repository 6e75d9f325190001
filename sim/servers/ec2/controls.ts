import type { World } from '../../world/world.js';

/**
 * Switches for scenarios and tests that the generic API faults (sim.faults: latency, errorRate,
 * throttle, rateLimit, down) do not cover, because they are EC2-specific answers:
 *
 * - `denied`: actions the caller's IAM policy does not allow; they fail with UnauthorizedOperation
 *   (403) whatever the parameters, as with a missing `ec2:<Action>` permission.
 * - `unavailable`: actions EC2 answers with `Unavailable` (503, "server overloaded").
 *
 * One set per world, so a test reaches them with `ec2Controls(sim.world).denied.add('RunInstances')`
 * without a handle on the server. Both hold action names (`RunInstances`) or `*` for all.
 */
export interface Ec2Controls {
  denied: Set<string>;
  unavailable: Set<string>;
  /** Scheduled events EC2 announces per instance id (DescribeInstanceStatus `eventsSet`). */
  scheduledEvents: Map<string, ScheduledEvent[]>;
}

/**
 * An instance event as DescribeInstanceStatus reports it
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStatusEvent.html).
 */
export interface ScheduledEvent {
  instanceEventId: string;
  code: 'instance-reboot' | 'system-reboot' | 'system-maintenance' | 'instance-retirement' | 'instance-stop';
  description: string;
  notBefore: number;
  notAfter?: number;
}

const byWorld = new WeakMap<World, Ec2Controls>();

export function ec2Controls(world: World): Ec2Controls {
  let controls = byWorld.get(world);
  if (!controls) {
    controls = { denied: new Set(), unavailable: new Set(), scheduledEvents: new Map() };
    byWorld.set(world, controls);
  }
  return controls;
}

export function appliesTo(set: ReadonlySet<string>, action: string): boolean {
  return set.has('*') || set.has(action);
}
