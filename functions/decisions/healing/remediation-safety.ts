import type { Degradation, DegradationInput, DegradationScope, SafetyInput, SafetyVerdict } from './types.js';

/**
 * How degraded the cluster and each provider are. A scope is degraded when more of its nodes are unhealthy than its
 * ok count AND than its share limit (Cluster Autoscaler's IsClusterHealthy: ok-total-unready-count 3,
 * max-total-unready-percentage 45), so that one dead node of a two-node cluster is still healed, while a partition or
 * a provider going dark, which look like mass node loss, replace nothing.
 */
export function degradation(input: DegradationInput): Degradation {
  const { limits } = input;
  const unhealthy = uniqueByName(input.unhealthy);
  const perProvider = new Map<string, number>();
  for (const node of unhealthy) perProvider.set(node.provider, (perProvider.get(node.provider) ?? 0) + 1);
  const names = [...new Set([...Object.keys(input.providerSizes), ...perProvider.keys()])].sort();
  return {
    cluster: scope(unhealthy.length, input.clusterSize, limits.okUnhealthyNodes, limits.maxUnhealthyPercent),
    providers: names
      .map((provider) => ({
        provider,
        ...scope(perProvider.get(provider) ?? 0, input.providerSizes[provider] ?? 0, limits.okUnhealthyNodesPerProvider, limits.maxUnhealthyPercentPerProvider),
      }))
      .filter((p) => p.total > 0 || p.unhealthy > 0),
  };
}

/**
 * Whether healing may remediate `node` now. The first limit that holds it back wins, from the widest to the
 * narrowest: the pause switch, the cluster API unreachable (Gardener MCM freezes), the cluster short-circuit, its
 * provider's short-circuit, then its pool's replacements in flight (MCM: one per group).
 */
export function remediationSafety(input: SafetyInput): SafetyVerdict {
  const { node, limits } = input;
  if (input.pause.paused) {
    const by = input.pause.by ? ` by ${input.pause.by}` : '';
    const since = input.pause.since ? ` since ${input.pause.since}` : '';
    const why = input.pause.reason ? ` (${input.pause.reason})` : '';
    return { verdict: 'paused', reason: `healing is paused${by}${since}${why}; \`shepherd resume\` lets it act again` };
  }
  if (!input.api.reachable) {
    const since = input.api.since ? ` since ${input.api.since}` : '';
    return { verdict: 'frozen', reason: `the cluster API is unreachable${since}: nothing destructive happens until it answers again` };
  }
  const unhealthy = input.unhealthy.some((n) => n.name === node.name) ? input.unhealthy : [...input.unhealthy, { name: node.name, provider: node.provider }];
  const state = degradation({ ...input, unhealthy, limits });
  if (state.cluster.degraded) {
    const { unhealthy: count, total } = state.cluster;
    return {
      verdict: 'short-circuit',
      scope: 'cluster',
      unhealthy: count,
      total,
      reason: `${count} of ${total} nodes are unhealthy, more than ${limits.maxUnhealthyPercent} % and more than ${limits.okUnhealthyNodes}: cluster degraded, nothing is replaced`,
    };
  }
  const provider = state.providers.find((p) => p.provider === node.provider);
  if (provider?.degraded) {
    return {
      verdict: 'short-circuit',
      scope: 'provider',
      provider: node.provider,
      unhealthy: provider.unhealthy,
      total: provider.total,
      reason: `${provider.unhealthy} of ${provider.total} ${node.provider} nodes are unhealthy, more than ${limits.maxUnhealthyPercentPerProvider} % and more than ${limits.okUnhealthyNodesPerProvider}: provider ${node.provider} degraded, none of its nodes is replaced`,
    };
  }
  const inFlight = input.inFlight[node.pool] ?? 0;
  if (inFlight >= limits.maxConcurrentPerPool) {
    return {
      verdict: 'pool-busy',
      pool: node.pool,
      inFlight,
      reason: `pool ${node.pool} already has ${inFlight} heal${inFlight === 1 ? '' : 's'} in flight (at most ${limits.maxConcurrentPerPool}): try again when one ends`,
    };
  }
  return {
    verdict: 'allow',
    reason: `node ${node.name} may be remediated: healing runs, the cluster API answers, no short-circuit holds, pool ${node.pool} has room`,
  };
}

function scope(unhealthy: number, total: number, okCount: number, maxPercent: number): DegradationScope {
  // Compared as unhealthy * 100 > percent * total: 9 / 20 * 100 is 45.00000000000001 in floating point. An empty
  // scope with unhealthy nodes (sizes out of date) counts as all unhealthy.
  const overShare = total > 0 ? unhealthy * 100 > maxPercent * total : unhealthy > 0 && maxPercent < 100;
  return { unhealthy, total, degraded: unhealthy > okCount && overShare };
}

function uniqueByName<T extends { name: string }>(nodes: T[]): T[] {
  return [...new Map(nodes.map((n) => [n.name, n])).values()];
}
