import type { ShepherdConfig } from '../../config/types.js';
import { launchableProviders } from '../../functions/providers/registry.js';
import { secretReferences } from '../cost/secret-references.js';
import { SECRET_SHAPES, type SecretShape } from './secret-shapes.js';

/** One secret the config names, with every field that names it and the functions that read it. */
export interface ConfiguredSecret {
  arn: string;
  shape: SecretShape;
  /** Config fields that name it, e.g. `pools[0].join.secretKeySecretArn (pool "aws-amd64")`. */
  fields: string[];
  /** The stack's functions that read it (their purpose: `cluster-nodes`, `provider-gcp`); empty when none does yet. */
  readBy: string[];
}

/**
 * Every secret the config names, in config order, each once. The fields the schema defines get their shape; any other
 * secret ARN in the config (a field added later) is still checked, as text, so nothing it names goes unchecked.
 */
export function configuredSecrets(config: ShepherdConfig): ConfiguredSecret[] {
  const found = new Map<string, ConfiguredSecret>();
  const add = (arn: string, shape: SecretShape, field: string) => {
    const entry = found.get(arn);
    if (entry) entry.fields.push(field);
    else found.set(arn, { arn, shape, fields: [field], readBy: [] });
  };
  add(config.cluster.kubeconfigSecretArn, SECRET_SHAPES.kubeconfig, 'cluster.kubeconfigSecretArn');
  if (config.providers.gcp) add(config.providers.gcp.credentialsSecretArn, SECRET_SHAPES.gcpCredentials, 'providers.gcp.credentialsSecretArn');
  if (config.providers.scaleway)
    add(config.providers.scaleway.credentialsSecretArn, SECRET_SHAPES.scalewayCredentials, 'providers.scaleway.credentialsSecretArn');
  config.pools.forEach((pool, i) => {
    const join = pool.join;
    if (join.method === 'kosmos') add(join.secretKeySecretArn, SECRET_SHAPES.kosmosSecretKey, `pools[${i}].join.secretKeySecretArn (pool "${pool.name}")`);
    if (join.method === 'script') add(join.joinTokenSecretArn, SECRET_SHAPES.joinToken, `pools[${i}].join.joinTokenSecretArn (pool "${pool.name}")`);
  });
  if (config.dns) add(config.dns.cloudflare.apiTokenSecretArn, SECRET_SHAPES.cloudflareToken, 'dns.cloudflare.apiTokenSecretArn');
  for (const ref of secretReferences(config)) if (!found.has(ref.arn)) add(ref.arn, SECRET_SHAPES.text, '(elsewhere in the config)');

  // Who reads what, as the stack grants it (infra/function-permissions.ts, infra/constructs/cluster-watcher.ts and
  // heal-triggers.ts): the functions that talk to the cluster the kubeconfig, each provider function in use the
  // secrets its descriptor lists.
  found.get(config.cluster.kubeconfigSecretArn)?.readBy.push('cluster-nodes', 'cluster-watcher', 'heal-intake', 'orphan-collector');
  for (const provider of launchableProviders().filter((p) => config.pools.some((pool) => pool.provider === p.name))) {
    for (const arn of provider.secretArns(config)) found.get(arn)?.readBy.push(`provider-${provider.name}`);
  }
  return [...found.values()];
}
