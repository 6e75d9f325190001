import { KubeNodeApi } from '../adapters/kube/nodes.js';
import { ProviderFunctions } from '../adapters/lambda/provider-functions.js';
import { HealExecutions } from '../adapters/sfn/heal-executions.js';
import { DynamoClaimStore } from '../adapters/store/claims.js';
import { CLAIM_LABEL } from '../decisions/healing/triggers/ec2-trigger.js';
import { HEAL_NODE_ARN_ENV } from '../healing/constants.js';
import { runTrigger } from '../healing/handler-support.js';
import { type IntakeDeps, takeHealTrigger } from '../healing/intake.js';
import { providerFunctionsFromEnv } from '../providers/function-env.js';
import { config } from '../runtime/config.js';
import { requiredEnv } from '../runtime/env.js';
import { withExecutionContext } from '../runtime/execution-context.js';
import { log } from '../runtime/logger.js';
import { getSecret } from '../runtime/secrets.js';

let deps: IntakeDeps | undefined;
let kube: KubeNodeApi | undefined;

/** Built once per execution environment; the kubeconfig is read on first use, so a bad secret fails the event, not the cold start. */
function dependencies(): IntakeDeps {
  if (deps) return deps;
  const cfg = config();
  const arn = cfg.cluster.kubeconfigSecretArn;
  const nodes = async () => {
    kube ??= KubeNodeApi.fromKubeconfig(await getSecret(arn), arn);
    return kube;
  };
  const claims = new DynamoClaimStore(requiredEnv('TABLE_NAME'));
  const providers = new ProviderFunctions(providerFunctionsFromEnv(['aws']));
  const heals = new HealExecutions(requiredEnv(HEAL_NODE_ARN_ENV));
  deps = {
    // Only the Nodes shepherd provisioned carry a claim label: an EC2 event about any other instance finds no Node.
    nodes: async () => (await nodes()).list(CLAIM_LABEL),
    node: async (name) => (await nodes()).get(name),
    taint: async (name, taints, resourceVersion) => (await nodes()).label(name, {}, taints, resourceVersion),
    claim: (claimId) => claims.get(claimId),
    describe: async (pool, vm) => (await providers.describe('aws', pool, vm)) ?? 'unknown',
    startHeal: (start) => heals.start(start),
    audit: (event, detail) => claims.audit(event, detail),
    log,
  };
  return deps;
}

/**
 * The heal intake, invoked by the EventBridge rules for EC2's events (default bus) and the cluster watcher's "Node
 * Went NotReady" and "Node VM Gone" (project bus): starts HealNode for what is confirmed (functions/healing/intake.ts).
 */
export const handler = withExecutionContext(async (event: unknown) => {
  const cfg = config();
  return runTrigger('heal intake', () =>
    takeHealTrigger(event, dependencies(), { cluster: cfg.cluster.name, rebalance: cfg.healing.rebalanceRecommendation }, new Date().toISOString()),
  );
});
