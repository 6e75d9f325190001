import { joinSecretArns } from '../join-secrets.js';
import { vmIdentityMatcher } from '../node-match.js';
import type { ProviderDescriptor } from '../types.js';

/** GCE: instances in the configured project and zones; it authenticates with its own service-account secret. */
export const gcpProvider: ProviderDescriptor<'gcp'> = {
  name: 'gcp',
  joinMethods: ['kosmos', 'script'],
  launchable: true,
  offerings: (pool, config) => {
    const zones = pool.zones ?? config.providers.gcp?.zones ?? [];
    return pool.instanceTypes.flatMap((type) => zones.map((zone) => ({ type, zone })));
  },
  launchParallelism: () => 5,
  secretArns: (config) => [...(config.providers.gcp ? [config.providers.gcp.credentialsSecretArn] : []), ...joinSecretArns(config, 'gcp')],
  // GCE permissions live in the service account, not in AWS IAM.
  iam: () => [],
  nodeMatcher: vmIdentityMatcher,
  // Spot preemptions show only as compute.instances.preempted zone operations: the cluster watcher polls them.
  preemptionsByPolling: true,
  // npm run bench:functions: one launch peaked at 456 MB RSS (the issue measured 487 MB); 896 MB keeps a call under 60 %.
  function: { memoryMb: 896, timeoutSeconds: 240 },
  zones: (config) => config.providers.gcp?.zones,
  checkPool(config, pool, at, report) {
    const images = config.providers.gcp?.images;
    if (images && !images[pool.arch]) {
      report({
        path: at('arch'),
        input: pool.arch,
        problem: `got ${JSON.stringify(pool.arch)} but providers.gcp.images has no ${pool.arch} image`,
        allowed: Object.keys(images)
          .map((k) => JSON.stringify(k))
          .join(' | '),
      });
    }
  },
};
