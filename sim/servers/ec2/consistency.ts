import type { World } from '../../world/world.js';

/**
 * EC2's eventual consistency ("Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): an instance RunInstances just created
 * may not have propagated, so DescribeInstances by id answers InvalidInstanceID.NotFound, filters miss it, and
 * TerminateInstances answers InvalidInstanceID.NotFound although "your instance might still be running". Each new
 * instance stays hidden from every call but RunInstances' own idempotent replay for a seeded lag in this range.
 */
export const EC2_CONSISTENCY_LAG_MS = { min: 1_000, max: 8_000 } as const;

/** When a new instance becomes visible: now, or after a seeded lag while the world models the behaviour. */
export function visibleFrom(world: World, launchedAt: number): number {
  if (!world.unkindness.has('ec2-eventual-consistency')) return launchedAt;
  return launchedAt + world.random.int(EC2_CONSISTENCY_LAG_MS.min, EC2_CONSISTENCY_LAG_MS.max);
}
