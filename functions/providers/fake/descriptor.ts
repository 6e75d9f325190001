import { vmIdentityMatcher } from '../node-match.js';
import type { ProviderDescriptor } from '../types.js';

/**
 * An in-memory cloud (functions/providers/fake/client.ts): the test double beside the real providers and the
 * template for the next one. Its VMs register their own Node, so it reads the cluster's kubeconfig.
 */
export const fakeProvider: ProviderDescriptor<'fake'> = {
  name: 'fake',
  joinMethods: ['none'],
  launchable: true,
  offerings: (pool, config) => {
    const zones = pool.zones ?? config.providers.fake?.zones ?? [];
    return pool.instanceTypes.flatMap((type) => zones.map((zone) => ({ type, zone })));
  },
  launchParallelism: () => 5,
  secretArns: (config) => [config.cluster.kubeconfigSecretArn],
  iam: () => [],
  nodeMatcher: vmIdentityMatcher,
  preemptionsByPolling: true,
  function: { memoryMb: 256, timeoutSeconds: 60 },
  zones: (config) => config.providers.fake?.zones,
};
