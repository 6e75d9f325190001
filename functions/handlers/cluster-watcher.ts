import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { KubeClusterReader } from '../adapters/kube/cluster-reader.js';
import { ProviderFunctions } from '../adapters/lambda/provider-functions.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoWatcherSnapshotStore } from '../adapters/store/watcher-snapshot.js';
import { WATCHER_SOURCE } from '../decisions/watcher/event-types.js';
import type { WatcherPolicy } from '../decisions/watcher/types.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';
import { HINT_EVENT_SOURCE, PREEMPTIONS_BY_POLLING_ENV } from '../watcher/constants.js';
import { runWatcherPass, type WatcherDeps } from '../watcher/pass.js';

let deps: WatcherDeps | undefined;
let reader: KubeClusterReader | undefined;

/**
 * Built once per execution environment. The kubeconfig is read on first use (not at init), so that a secret that
 * cannot be read fails the pass with its own error rather than the cold start.
 */
function dependencies(): WatcherDeps {
  if (deps) return deps;
  const cfg = config();
  const arn = cfg.cluster.kubeconfigSecretArn;
  const claims = new DynamoClaimStore(requiredEnv('TABLE_NAME'));
  const cluster = async () => {
    reader ??= KubeClusterReader.fromKubeconfig(await getSecret(arn), arn);
    return reader;
  };
  deps = {
    cluster: {
      nodes: async () => (await cluster()).nodes(),
      unschedulablePods: async (n) => (await cluster()).unschedulablePods(n),
    },
    providers: new ProviderFunctions(providerFunctionsFromEnv([...new Set(cfg.pools.map((p) => p.provider))])),
    claimedVm: async (claimId) => (await claims.get(claimId))?.vm,
    preemptionsByPolling: new Set((process.env[PREEMPTIONS_BY_POLLING_ENV] ?? '').split(',').filter(Boolean)),
    snapshots: new DynamoWatcherSnapshotStore(requiredEnv('TABLE_NAME')),
    bus: new BusPublisher(requiredEnv('EVENT_BUS_NAME'), WATCHER_SOURCE),
  };
  return deps;
}

/**
 * The cluster watcher, started by its schedule rule or, with buffer pools, at once by a cluster hint
 * (functions/watcher/hints.ts): one pass, which publishes the transitions it finds on the project's bus
 * (docs/events.md). The event carries nothing the pass needs; its time is not used either, since EventBridge may
 * deliver a scheduled event late or twice.
 */
export const handler = withExecutionContext(async (event: unknown) => {
  const cfg = config();
  const policy: WatcherPolicy = {
    cluster: cfg.cluster.name,
    registrationTimeoutSeconds: cfg.provisioning.registrationTimeoutSeconds,
    degradedPercent: cfg.watcher.degradedPercent,
    degradedMinNodes: cfg.watcher.degradedMinNodes,
    podSampleSize: cfg.watcher.podSampleSize,
  };
  const summary = await runWatcherPass(dependencies(), policy, new Date().toISOString());
  for (const [provider, error] of Object.entries(summary.providersFailed))
    log('warn', 'provider not listed; its VMs are judged next pass', { provider, error });
  const trigger = (event as { source?: unknown } | null)?.source === HINT_EVENT_SOURCE ? 'hint' : 'schedule';
  log(summary.reachable ? 'info' : 'warn', 'watcher pass', { trigger, ...summary });
  return summary;
});
