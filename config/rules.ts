import type { core } from 'zod';
import { templatePlaceholders } from './join-template.js';
import type { JoinMethod, PoolConfig, ProviderName, ShepherdConfig } from './types.js';

/** Rules that span fields (briefs/config-shape.md). Each issue: path, what is allowed (message), and the problem when the input alone does not say it. */

interface Problem {
  path: PropertyKey[];
  input?: unknown;
  problem?: string;
  allowed: string;
}

type Report = (p: Problem) => void;

const JOIN_METHODS: Record<ProviderName, readonly JoinMethod[]> = {
  aws: ['kosmos', 'script'],
  gcp: ['kosmos', 'script'],
  scaleway: ['scaleway-pool'],
  home: ['none'],
};

/** Scaleway zones are the region plus "-1".."-3" (fr-par, nl-ams and pl-waw each have three). */
const SCALEWAY_ZONE_NUMBERS = [1, 2, 3];

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
}

function checkProviders(config: ShepherdConfig, report: Report): void {
  const aws = config.providers.aws;
  if (aws?.instanceProfileArn && !aws.instanceRoleArn) {
    report({
      path: ['providers', 'aws', 'instanceRoleArn'],
      problem: 'instanceProfileArn is set but instanceRoleArn is missing',
      allowed: 'the ARN of the role inside the instance profile (launching with a profile needs iam:PassRole on that role)',
    });
  }
  aws?.subnets.forEach((subnet, i) => {
    if (!new RegExp(`^${aws.region}[a-z]$`).test(subnet.zone)) {
      report({
        path: ['providers', 'aws', 'subnets', i, 'zone'],
        input: subnet.zone,
        allowed: `a zone of providers.aws.region ${q(aws.region)}, e.g. ${q(`${aws.region}a`)}`,
      });
    }
  });
}

function checkPool(config: ShepherdConfig, pool: PoolConfig, i: number, report: Report): void {
  const at = (...rest: PropertyKey[]) => ['pools', i, ...rest];
  const { provider } = pool;
  if (provider !== 'home' && !config.providers[provider]) {
    const configured = ['home', ...Object.keys(config.providers)];
    report({
      path: at('provider'),
      input: provider,
      problem: `got ${q(provider)} but providers.${provider} is not configured`,
      allowed: alternatives(configured),
    });
    return;
  }
  const methods = JOIN_METHODS[provider];
  if (!methods.includes(pool.join.method)) {
    report({
      path: at('join', 'method'),
      input: pool.join.method,
      problem: `got ${q(pool.join.method)} for provider ${q(provider)}`,
      allowed: alternatives(methods),
    });
  }
  const images = provider === 'aws' ? config.providers.aws?.amis : provider === 'gcp' ? config.providers.gcp?.images : undefined;
  if (images && !images[pool.arch]) {
    const field = provider === 'aws' ? 'providers.aws.amis' : 'providers.gcp.images';
    report({
      path: at('arch'),
      input: pool.arch,
      problem: `got ${q(pool.arch)} but ${field} has no ${pool.arch} image`,
      allowed: alternatives(Object.keys(images)),
    });
  }
  const zones = providerZones(config, provider);
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

/** Zones a pool of this provider may name; undefined where any zone is accepted (home). */
function providerZones(config: ShepherdConfig, provider: ProviderName): string[] | undefined {
  const { aws, gcp, scaleway } = config.providers;
  if (provider === 'aws' && aws) return [...new Set(aws.subnets.map((s) => s.zone))];
  if (provider === 'gcp' && gcp) return gcp.zones;
  if (provider === 'scaleway' && scaleway) return SCALEWAY_ZONE_NUMBERS.map((n) => `${scaleway.region}-${n}`);
  return undefined;
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
  const poolNames = config.pools.map((p) => p.name);
  config.dns?.entrypoints.forEach((entry, i) => {
    const at = (...rest: PropertyKey[]) => ['dns', 'entrypoints', i, ...rest];
    entry.eligiblePools.forEach((name, j) => {
      if (!poolNames.includes(name))
        report({ path: at('eligiblePools', j), input: name, problem: `got ${q(name)}, which is not a pool`, allowed: alternatives(poolNames) });
    });
    entry.records.forEach((record, j) => {
      if (record !== entry.zoneName && !record.endsWith(`.${entry.zoneName}`)) {
        report({ path: at('records', j), input: record, allowed: `${q(entry.zoneName)} or a name ending in ${q(`.${entry.zoneName}`)}` });
      }
    });
    // Cloudflare ignores the TTL of proxied records (always automatic); a different number would mislead.
    if (entry.proxied && entry.ttl !== 1)
      report({ path: at('ttl'), input: entry.ttl, problem: `got ${entry.ttl} with proxied: true`, allowed: '1 (automatic) for proxied records' });
  });
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

function q(s: string): string {
  return JSON.stringify(s);
}

function alternatives(values: readonly string[]): string {
  return values.length === 0 ? '(none configured)' : [...new Set(values)].map(q).join(' | ');
}
