import type { NodeView } from '../../decisions/provision.js';
import type { NodeMatcher, ProviderDescriptor } from '../types.js';

/** Scaleway zones are the region plus "-1".."-3" (fr-par, nl-ams and pl-waw each have three). */
const ZONE_NUMBERS = [1, 2, 3];
const POOL_LABEL = 'k8s.scaleway.com/pool';
const CLAIM_LABEL = 'shepherd.io/claim';

/** The claim's own pool Node if it took one already, else the pool's first unclaimed Node by name (deterministic). */
export function unclaimedPoolNode(nodes: NodeView[], poolId: string, claimId: string): NodeView | undefined {
  const mine = nodes.find((n) => n.labels[CLAIM_LABEL] === claimId);
  if (mine) return mine;
  return nodes.filter((n) => n.labels[POOL_LABEL] === poolId && !n.labels[CLAIM_LABEL]).sort((a, b) => a.name.localeCompare(b.name))[0];
}

/** Scaleway picks which node joins a grown pool: the claim takes any unclaimed Node of the pool. */
const poolNodeMatcher: NodeMatcher = {
  selector: (vm) => (vm.poolId ? `${POOL_LABEL}=${vm.poolId}` : undefined),
  find: (nodes, vm, claimId) => (vm.poolId ? unclaimedPoolNode(nodes, vm.poolId, claimId) : undefined),
  takesNode: true,
};

/** Scaleway managed pools: shepherd sets the pool size, Scaleway creates the nodes and joins them. */
export const scalewayProvider: ProviderDescriptor<'scaleway'> = {
  name: 'scaleway',
  joinMethods: ['scaleway-pool'],
  launchable: true,
  offerings: (pool) => [{ type: pool.instanceTypes[0], zone: pool.zones?.[0] ?? '' }],
  // Each launch sets the pool size from the claim count: two at once would race on one number.
  launchParallelism: () => 1,
  secretArns: (config) => (config.providers.scaleway ? [config.providers.scaleway.credentialsSecretArn] : []),
  iam: () => [],
  nodeMatcher: poolNodeMatcher,
  // npm run bench:functions: one launch peaked at 72 MB RSS.
  function: { memoryMb: 192, timeoutSeconds: 240 },
  zones: (config) => (config.providers.scaleway ? ZONE_NUMBERS.map((n) => `${config.providers.scaleway!.region}-${n}`) : undefined),
};
