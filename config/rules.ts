import type { core } from 'zod';
import { matchesLabels, poolNodeLabels } from '../functions/decisions/dns/selector.js';
import { PROVIDERS, providerNamed } from '../functions/providers/registry.js';
import type { ReportProblem as Report } from '../functions/providers/types.js';
import { checkBuffers } from './buffer-rules.js';
import { templatePlaceholders } from './join-template.js';
import type { EntrypointConfig, PoolConfig, ShepherdConfig } from './types.js';

/**
 * Rules that span fields (briefs/config-shape.md). Each issue: path, what is allowed (message), and the problem when
 * the input alone does not say it. Rules about one provider live in its descriptor (checkConfig, checkPool).
 */

export function checkCrossFieldRules(config: ShepherdConfig, ctx: core.$RefinementCtx<ShepherdConfig>): void {
  const report: Report = ({ path, input, problem, allowed }) =>
    ctx.addIssue({ code: 'custom', path, input, message: allowed, params: problem ? { problem } : undefined });
  checkProviders(config, report);
  config.pools.forEach((pool, i) => {
    checkPool(config, pool, i, report);
  });
  checkUniqueNames(config, report);
  checkDns(config, report);
  checkPolicies(config, report);
  checkHealing(config, report);
  checkBuffers(config, report);
}

function checkProviders(config: ShepherdConfig, report: Report): void {
  for (const provider of PROVIDERS) provider.checkConfig?.(config, report);
}

function checkPool(config: ShepherdConfig, pool: PoolConfig, i: number, report: Report): void {
  const at = (...rest: PropertyKey[]) => ['pools', i, ...rest];
  const provider = providerNamed(pool.provider);
  if (provider.configSchema && !config.providers[pool.provider as keyof ShepherdConfig['providers']]) {
    const configured = [...PROVIDERS.filter((p) => !p.configSchema).map((p) => p.name), ...Object.keys(config.providers)];
    report({
      path: at('provider'),
      input: pool.provider,
      problem: `got ${q(pool.provider)} but providers.${pool.provider} is not configured`,
      allowed: alternatives(configured),
    });
    return;
  }
  if (!provider.joinMethods.includes(pool.join.method)) {
    report({
      path: at('join', 'method'),
      input: pool.join.method,
      problem: `got ${q(pool.join.method)} for provider ${q(pool.provider)}`,
      allowed: alternatives(provider.joinMethods),
    });
  }
  provider.checkPool?.(config, pool, at, report);
  const zones = provider.zones?.(config);
  pool.zones?.forEach((zone, j) => {
    if (zones && !zones.includes(zone)) report({ path: at('zones', j), input: zone, allowed: alternatives(zones) });
  });
  if (pool.min > pool.max)
    report({ path: at('min'), input: pool.min, problem: `got ${pool.min}, more than max ${pool.max}`, allowed: `0 to max (${pool.max})` });
  if (pool.join.method === 'script' && templatePlaceholders(pool.join.template).includes('apiServerEndpoint') && !config.cluster.apiServerEndpoint) {
    report({
      path: ['cluster', 'apiServerEndpoint'],
      problem: `missing, but pools[${i}].join.template uses {{apiServerEndpoint}}`,
      allowed: 'an https:// URL, e.g. "https://203.0.113.10:6443"',
    });
  }
}

function checkUniqueNames(config: ShepherdConfig, report: Report): void {
  const unique = (names: string[], list: PropertyKey[], what: string) => {
    names.forEach((name, i) => {
      const first = names.indexOf(name);
      if (first !== i) {
        report({
          path: [...list, i, 'name'],
          input: name,
          problem: `got ${q(name)}, already used by ${list.join('.')}[${first}]`,
          allowed: `a name no other ${what} uses`,
        });
      }
    });
  };
  unique(
    config.pools.map((p) => p.name),
    ['pools'],
    'pool',
  );
  unique(
    (config.dns?.entrypoints ?? []).map((e) => e.name),
    ['dns', 'entrypoints'],
    'entrypoint',
  );
}

function checkDns(config: ShepherdConfig, report: Report): void {
  const dns = config.dns;
  // A re-check slower than the interval would come after the next round's check: it would only add probes.
  if (dns && dns.fastCheckIntervalSeconds > dns.checkIntervalSeconds) {
    report({
      path: ['dns', 'fastCheckIntervalSeconds'],
      input: dns.fastCheckIntervalSeconds,
      problem: `got ${dns.fastCheckIntervalSeconds}, more than checkIntervalSeconds (${dns.checkIntervalSeconds})`,
      allowed: `<= ${dns.checkIntervalSeconds} (checkIntervalSeconds)`,
    });
  }
  const poolNames = config.pools.map((p) => p.name);
  const owners = new Map<string, string>();
  config.dns?.entrypoints.forEach((entry, i) => {
    const at = (...rest: PropertyKey[]) => ['dns', 'entrypoints', i, ...rest];
    entry.eligiblePools?.forEach((name, j) => {
      if (!poolNames.includes(name))
        report({ path: at('eligiblePools', j), input: name, problem: `got ${q(name)}, which is not a pool`, allowed: alternatives(poolNames) });
    });
    checkEligibility(config, entry, at, report);
    entry.records.forEach((record, j) => {
      if (record !== entry.zoneName && !record.endsWith(`.${entry.zoneName}`)) {
        report({ path: at('records', j), input: record, allowed: `${q(entry.zoneName)} or a name ending in ${q(`.${entry.zoneName}`)}` });
      }
      // Two entrypoints owning one name and type would undo each other's changes on every run.
      const key = `${entry.type} ${record}`;
      const owner = owners.get(key);
      if (owner !== undefined && owner !== entry.name) {
        report({
          path: at('records', j),
          input: record,
          problem: `got ${q(record)} (${entry.type}), already an entrypoint record of ${q(owner)}`,
          allowed: 'a name and type no other entrypoint uses',
        });
      }
      owners.set(key, entry.name);
    });
    // Cloudflare ignores the TTL of proxied records (always automatic); a different number would mislead.
    if (entry.proxied && entry.ttl !== 1)
      report({ path: at('ttl'), input: entry.ttl, problem: `got ${entry.ttl} with proxied: true`, allowed: '1 (automatic) for proxied records' });
  });
}

/** Which nodes may serve: pools, a selector, or both; a selector must match some pool, or the entrypoint could never have a target. */
function checkEligibility(config: ShepherdConfig, entry: EntrypointConfig, at: (...rest: PropertyKey[]) => PropertyKey[], report: Report): void {
  if (!entry.eligiblePools && !entry.selector) {
    report({
      path: at(),
      problem: 'neither eligiblePools nor selector is given',
      allowed: 'eligiblePools (pool names), selector ({ "matchLabels": {...} }), or both',
    });
    return;
  }
  if (!entry.selector) return;
  const candidates = config.pools.filter((p) => !entry.eligiblePools || entry.eligiblePools.includes(p.name));
  const matched = candidates.filter((p) => matchesLabels(entry.selector?.matchLabels ?? {}, poolNodeLabels(p)));
  if (matched.length === 0) {
    report({
      path: at('selector', 'matchLabels'),
      input: entry.selector.matchLabels,
      problem: `matches no pool${entry.eligiblePools ? ' of eligiblePools' : ''}`,
      allowed: `labels of at least one pool (${candidates.map((p) => p.name).join(', ') || 'none'}): its labels, or shepherd.io/pool, shepherd.io/provider, shepherd.io/role`,
    });
  }
}

function checkPolicies(config: ShepherdConfig, report: Report): void {
  const { provisioning, scaling } = config;
  if (provisioning.pollIntervalSeconds >= provisioning.registrationTimeoutSeconds) {
    report({
      path: ['provisioning', 'pollIntervalSeconds'],
      input: provisioning.pollIntervalSeconds,
      allowed: `less than registrationTimeoutSeconds (${provisioning.registrationTimeoutSeconds})`,
    });
  }
  if (scaling.backoffSeconds > scaling.maxBackoffSeconds) {
    report({ path: ['scaling', 'backoffSeconds'], input: scaling.backoffSeconds, allowed: `at most maxBackoffSeconds (${scaling.maxBackoffSeconds})` });
  }
}

function checkHealing(config: ShepherdConfig, report: Report): void {
  const { healing, provisioning } = config;
  const deadline = provisioning.registrationTimeoutSeconds;
  // A VM younger than the registration deadline may still join; the sweep would terminate a node being born.
  if (healing.orphanGraceSeconds !== undefined && healing.orphanGraceSeconds < deadline) {
    report({
      path: ['healing', 'orphanGraceSeconds'],
      input: healing.orphanGraceSeconds,
      problem: `got ${healing.orphanGraceSeconds}, shorter than provisioning.registrationTimeoutSeconds (${deadline}): VMs still joining would be terminated`,
      allowed: `at least ${deadline}, or leave it out to use provisioning.registrationTimeoutSeconds`,
    });
  }
  if (healing.evictionRetrySeconds >= healing.drainTimeoutSeconds) {
    report({
      path: ['healing', 'evictionRetrySeconds'],
      input: healing.evictionRetrySeconds,
      problem: `got ${healing.evictionRetrySeconds}, not shorter than drainTimeoutSeconds (${healing.drainTimeoutSeconds}): a blocked eviction would never be retried`,
      allowed: `less than drainTimeoutSeconds (${healing.drainTimeoutSeconds}); raise drainTimeoutSeconds or lower this`,
    });
  }
}

function q(s: string): string {
  return JSON.stringify(s);
}

function alternatives(values: readonly string[]): string {
  return values.length === 0 ? '(none configured)' : [...new Set(values)].map(q).join(' | ');
}
