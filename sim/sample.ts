import type { Sim } from './index.js';
import { addWorkload, WEB_HOST_PORTS } from './scenarios.js';
import { renderKosmosJoin } from './world/join-scripts.js';

/** Ids of the example config (shepherd.config.json), so the sample world and the local control plane agree. */
export interface SampleIds {
  externalPools: Array<{ id: string; name: string }>;
  bufferPool: { id: string; name: string; nodeType: string; maxSize: number };
  /** `owner`: the record's comment, the ownership mark of the config's entrypoint (functions/decisions/dns/ownership.ts). */
  dnsZone: { id?: string; name: string; record: string; owner: string };
}

export const EXAMPLE_IDS: SampleIds = {
  externalPools: [
    { id: '00000000-0000-4000-8000-000000000011', name: 'aws-amd64' },
    { id: '00000000-0000-4000-8000-000000000012', name: 'aws-arm64' },
    { id: '00000000-0000-4000-8000-000000000013', name: 'gcp-amd64' },
  ],
  bufferPool: { id: '00000000-0000-4000-8000-000000000021', name: 'scw-buffer', nodeType: 'DEV1-M', maxSize: 3 },
  dnsZone: { id: '00000000000000000000000000000001', name: 'example.com', record: 'app.example.com', owner: 'shepherd:kosmos-demo/app' },
};

/**
 * The sample world: a Kosmos cluster with three external pools and an empty Scaleway buffer pool,
 * one AWS and one GCP external node, two home-lab machines, a web workload, and an entrypoint A
 * record pointing at the first home machine. `ready` resolves once every node is Ready. The sites reuse
 * the same private range (overlapping-private-ips): home-nuc-1 and the AWS node share 10.0.0.4, and the
 * home machines and the Kosmos external nodes (named scw-<cluster>-<pool>-<hex> by Scaleway) register without a providerID.
 */
export function buildSampleWorld(sim: Sim, ids: SampleIds = EXAMPLE_IDS): { ready: Promise<void> } {
  const { world } = sim;
  for (const p of ids.externalPools) world.createPool({ id: p.id, name: p.name, nodeType: 'external' });
  world.createPool({ id: ids.bufferPool.id, name: ids.bufferPool.name, nodeType: ids.bufferPool.nodeType, minSize: 0, maxSize: ids.bufferPool.maxSize });
  const [awsPool, , gcpPool] = ids.externalPools;
  const home1 = world.addHomeMachine('home-nuc-1', 'nuc');
  world.addHomeMachine('home-rpi-1', 'rpi5');
  world.launchVm({
    provider: 'aws',
    zone: 'eu-west-3a',
    type: 't3.medium',
    userData: renderKosmosJoin(awsPool.id, 'fr-par', world.scalewaySecretKey),
    tags: { Name: 'sample-aws-1' },
  });
  world.launchVm({
    provider: 'gcp',
    project: sim.credentials.gcp.project,
    zone: 'europe-west1-b',
    type: 'e2-standard-2',
    name: 'sample-gcp-1',
    userData: renderKosmosJoin((gcpPool ?? awsPool).id, 'fr-par', world.scalewaySecretKey),
  });
  addWorkload(world, 'web', 4, { cpu: '250m', memory: '256Mi' }, undefined, WEB_HOST_PORTS);
  const zone = world.dns.createZone(ids.dnsZone.name, ids.dnsZone.id ? { id: ids.dnsZone.id } : {});
  world.dns.upsertRecord(zone.name, { name: ids.dnsZone.record, type: 'A', content: home1.publicIp, ttl: 60, comment: ids.dnsZone.owner });
  const ready = sim.clock.until(
    () => {
      const nodes = world.snapshot().nodes;
      return nodes.length >= 4 && nodes.every((n) => n.ready === 'True');
    },
    15 * 60_000,
    'the sample world to be Ready',
  );
  return { ready };
}
