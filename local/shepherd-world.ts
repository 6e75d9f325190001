import type { ShepherdConfig } from '../config/types.js';
import { PROBE_PROXY_ENV } from '../functions/adapters/probe/net-probe.js';
import { ownershipComment } from '../functions/decisions/dns/ownership.js';
import { addWorkload, type Sim, WEB_HOST_PORTS } from '../sim/index.js';

/**
 * Makes the simulated world match a shepherd config: its EC2 security groups and instance profile, the Kosmos
 * external pools its kosmos joins name, its Scaleway pools, one machine per home pool, its DNS zones with each entrypoint's records (marked as the entrypoint's), and the
 * API server name its script joins use. Returns the secret values the config's ARNs stand for.
 */
export function prepareWorld(sim: Sim, config: ShepherdConfig): Record<string, string> {
  const { world, credentials } = sim;
  const secrets: Record<string, string> = { [config.cluster.kubeconfigSecretArn]: sim.kubeconfig };
  if (config.cluster.apiServerEndpoint) world.apiServerEndpoint = new URL(config.cluster.apiServerEndpoint).host;

  const existing = new Set(world.listPools().map((p) => p.id));
  for (const pool of config.pools) {
    const join = pool.join;
    if (join.method === 'kosmos') {
      if (!existing.has(join.poolId)) world.createPool({ id: join.poolId, name: `${pool.name}-external`, nodeType: 'external', region: join.region });
      existing.add(join.poolId);
      secrets[join.secretKeySecretArn] = world.scalewaySecretKey;
    } else if (join.method === 'scaleway-pool' && !existing.has(join.poolId)) {
      world.createPool({ id: join.poolId, name: pool.name, nodeType: pool.instanceTypes[0], zone: pool.zones?.[0], minSize: pool.min, maxSize: pool.max });
      existing.add(join.poolId);
    } else if (join.method === 'script') {
      secrets[join.joinTokenSecretArn] = world.joinToken;
    }
  }
  let homeIndex = 0;
  for (const pool of config.pools.filter((p) => p.provider === 'home')) {
    // Its kubelet runs with --node-labels set to the pool's labels: that is how shepherd tells a home Node's pool.
    world.addHomeMachine(`${pool.name}-${++homeIndex}`, pool.instanceTypes[0] ?? 'nuc', undefined, pool.labels);
  }
  const aws = config.providers.aws;
  // EC2 refuses security groups and instance profiles it does not have: the config's exist in the simulated account.
  for (const id of aws?.securityGroupIds ?? []) if (aws) world.awsSecurityGroups.set(id, { region: aws.region, name: `${config.cluster.name}-nodes` });
  if (aws?.instanceProfileArn) world.awsInstanceProfiles.add(aws.instanceProfileArn);
  if (config.providers.gcp) secrets[config.providers.gcp.credentialsSecretArn] = JSON.stringify({ access_token: credentials.gcp.accessToken });
  if (config.providers.scaleway) {
    const s = credentials.scaleway;
    secrets[config.providers.scaleway.credentialsSecretArn] = JSON.stringify({ accessKey: s.accessKey, secretKey: s.secretKey, projectId: s.projectId });
  }
  if (config.dns) {
    secrets[config.dns.cloudflare.apiTokenSecretArn] = credentials.cloudflare.apiToken;
    const entry = world.listVms('home')[0];
    for (const e of config.dns.entrypoints) {
      if (!world.dns.zoneByName(e.zoneName)) world.dns.createZone(e.zoneName, { id: e.zoneId });
      // Marked as the entrypoint's, as DnsFailover writes them: a record without the mark is foreign and never touched.
      const comment = ownershipComment(config.cluster.name, e.name);
      if (entry)
        for (const name of e.records)
          world.dns.upsertRecord(e.zoneName, { name, type: e.type, content: entry.publicIp, ttl: e.ttl, proxied: e.proxied, comment });
    }
  }
  addWorkload(world, 'web', 2, { cpu: '250m', memory: '256Mi' }, undefined, WEB_HOST_PORTS);
  return secrets;
}

/**
 * Where the functions find the simulated clouds (the AWS SDK reads AWS_ENDPOINT_URL_<SERVICE>), and the simulated
 * public network their probes dial through.
 */
export function simulatorEnv(sim: Sim): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_EC2: sim.endpoints.ec2,
    SHEPHERD_GCE_ENDPOINT: sim.endpoints.gce,
    SHEPHERD_SCALEWAY_API_URL: sim.endpoints.scaleway,
    SHEPHERD_CLOUDFLARE_API_URL: sim.endpoints.cloudflare,
    [PROBE_PROXY_ENV]: sim.endpoints.network,
  };
}
