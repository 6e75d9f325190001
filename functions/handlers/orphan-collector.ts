import { BusPublisher } from '../adapters/events/bus-publisher.js';
import { KubeClusterReader } from '../adapters/kube/cluster-reader.js';
import { ProviderFunctions } from '../adapters/lambda/provider-functions.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { DynamoOrphanTerminationStore } from '../adapters/store/orphan-terminations.js';
import { DynamoRemediationSwitchStore } from '../adapters/store/remediation-switch.js';
import type { CountedClaim } from '../decisions/healing/triggers/orphan-confirmation.js';
import { runTrigger } from '../healing/handler-support.js';
import { collectOrphan, HEALING_SOURCE, type OrphanDeps } from '../healing/orphan-collection.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

let deps: OrphanDeps | undefined;
let reader: KubeClusterReader | undefined;

function dependencies(): OrphanDeps {
  if (deps) return deps;
  const cfg = config();
  const arn = cfg.cluster.kubeconfigSecretArn;
  const table = requiredEnv('TABLE_NAME');
  const claims = new DynamoClaimStore(table);
  const pause = new DynamoRemediationSwitchStore(table);
  const providers = new ProviderFunctions(providerFunctionsFromEnv([...new Set(cfg.pools.map((p) => p.provider))]));
  const bus = new BusPublisher(requiredEnv('EVENT_BUS_NAME'), HEALING_SOURCE);
  const claimsOf = async (provider: string): Promise<CountedClaim[]> => {
    const out: CountedClaim[] = [];
    for (const pool of cfg.pools.filter((p) => p.provider === provider)) {
      for (const claimId of (await claims.poolClaims(pool.name)).counted) {
        const claim = await claims.get(claimId);
        if (claim && claim.status !== 'released') out.push({ claimId, pool: claim.pool, status: claim.status, ...(claim.vm ? { vm: claim.vm } : {}) });
      }
    }
    return out;
  };
  deps = {
    pause: () => pause.read(),
    nodes: async () => {
      reader ??= KubeClusterReader.fromKubeconfig(await getSecret(arn), arn);
      return reader.nodes();
    },
    listOwned: (provider) => providers.listOwned(provider),
    claims: claimsOf,
    terminate: (provider, vm) => providers.terminate(provider, vm),
    terminations: new DynamoOrphanTerminationStore(table),
    publish: (events) => bus.publish(events),
    audit: (event, detail) => claims.audit(event, detail),
    log,
  };
  return deps;
}

/**
 * The orphan collector, invoked by the rule for the cluster watcher's "Shepherd Orphan VM Found": confirms the orphan
 * and terminates it through its provider's function (functions/healing/orphan-collection.ts), on every provider.
 */
export const handler = withExecutionContext(async (event: unknown) => {
  const cfg = config();
  return runTrigger('orphan collector', () => collectOrphan(event, dependencies(), cfg.cluster.name, new Date().toISOString()));
});
