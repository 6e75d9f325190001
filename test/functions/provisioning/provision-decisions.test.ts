import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../config/load.js';
import type { PoolConfig, ShepherdConfig } from '../../../config/types.js';
import { launchToken } from '../../../functions/decisions/launch-token.js';
import {
  claimIdOf,
  mergeTaints,
  type NodeTaint,
  type NodeView,
  nodeLabels,
  planProvision as planWith,
  type VmRef,
} from '../../../functions/decisions/provision.js';
import { providerNamed } from '../../../functions/providers/registry.js';
import { unclaimedPoolNode } from '../../../functions/providers/scaleway/descriptor.js';
import { InvalidInputError } from '../../../functions/runtime/errors.js';

const config = loadConfigFile(fileURLToPath(new URL('../../../shepherd.config.json', import.meta.url)));
const ALL_POOLS = 'aws-amd64, aws-arm64, gcp-amd64, home, scw-buffer';

const FUNCTIONS = { aws: 'fn-aws', gcp: 'fn-gcp', scaleway: 'fn-scaleway' };
/** The execution ARN Step Functions gives an execution of that name. */
const arnOf = (name: string) => `arn:aws:states:eu-west-3:123456789012:execution:shepherd-kosmos-demo-provision-node:${name}`;
const planProvision = (input: unknown, cfg: ShepherdConfig, execution: string) => planWith(input, cfg, { name: execution, id: arnOf(execution) }, FUNCTIONS);
const offeringsFor = (pool: PoolConfig, cfg: ShepherdConfig) => providerNamed(pool.provider).offerings(pool, cfg);

function poolNamed(name: string, cfg: ShepherdConfig = config): PoolConfig {
  const pool = cfg.pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in the example config`);
  return pool;
}

function invalid(input: unknown): InvalidInputError {
  try {
    planProvision(input, config, 'exec-1');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).name).toBe('InvalidInputError');
    return err as InvalidInputError;
  }
  throw new Error(`planProvision accepted ${JSON.stringify(input)}`);
}

describe('Function: planProvision', () => {
  it('plans one node with the default reason, the execution ARN as owner, the offerings and the registration deadline as polls', () => {
    const plan = planProvision({ pool: 'aws-amd64' }, config, 'exec-1');
    expect(plan).toMatchObject({ pool: 'aws-amd64', provider: 'aws', count: 1, reason: 'manual', poll: { seconds: 15, maxPolls: 60 } });
    expect(plan).not.toHaveProperty('requestId');
    expect(plan.slots).toEqual([
      {
        pool: 'aws-amd64',
        provider: 'aws',
        claimId: claimIdOf('kosmos-demo', 'aws-amd64', 'exec-1', 0),
        slot: 0,
        reason: 'manual',
        owner: arnOf('exec-1'),
        providerFunction: 'fn-aws',
      },
    ]);
    expect(plan.maxConcurrency).toBe(5);
    expect(plan.offerings).toEqual(offeringsFor(poolNamed('aws-amd64'), config));
    expect(plan.offerings.map((o) => `${o.type}@${o.zone}`)).toEqual([
      't3.medium@eu-west-3a',
      't3.medium@eu-west-3b',
      't3.large@eu-west-3a',
      't3.large@eu-west-3b',
    ]);
  });

  it("runs Scaleway pool slots one at a time and names each slot's provider function", () => {
    const plan = planProvision({ pool: 'scw-buffer', count: 2 }, config, 'exec-1');
    expect(plan.maxConcurrency).toBe(1);
    expect(plan.slots.map((s) => s.providerFunction)).toEqual(['fn-scaleway', 'fn-scaleway']);
  });

  it("fails loudly when the stack gave no function for the pool's provider", () => {
    expect(() => planWith({ pool: 'gcp-amd64' }, config, { name: 'exec-1', id: arnOf('exec-1') }, { aws: 'fn-aws' })).toThrow(/no function for provider gcp/);
  });

  it('rounds the registration deadline up to whole polls', () => {
    const cfg = { ...config, provisioning: { registrationTimeoutSeconds: 100, pollIntervalSeconds: 30 } };
    expect(planProvision({ pool: 'aws-amd64' }, cfg, 'exec-1').poll).toEqual({ seconds: 30, maxPolls: 4 });
  });

  it.each([
    ['a string', 'aws-amd64'],
    ['null', null],
    ['an array', [{ pool: 'aws-amd64' }]],
  ])('refuses %s as input and shows the expected shape', (_, input) => {
    expect(invalid(input).message).toBe('input must be a JSON object with "pool" (a pool name) and optionally "count", "reason" and "requestId"');
  });

  it('names unknown fields and lists the allowed ones', () => {
    expect(invalid({ pool: 'aws-amd64', size: 2, zone: 'a' }).message).toBe('unknown input field(s) "size", "zone"; allowed: pool, count, reason, requestId');
  });

  it.each([
    ['missing', {}, `"pool" is required and must be a pool name from the config: ${ALL_POOLS}`],
    ['empty', { pool: '' }, `"pool" is required and must be a pool name from the config: ${ALL_POOLS}`],
    ['not a string', { pool: 3 }, `"pool" is required and must be a pool name from the config: ${ALL_POOLS}`],
    ['unknown', { pool: 'aws-x86' }, `"pool": no pool named "aws-x86" in the config; pools: ${ALL_POOLS}`],
  ])('refuses a %s pool and lists the pools', (_, input, message) => {
    expect(invalid(input).message).toBe(message);
  });

  it('refuses home pools (no API) and lists the pools it can provision', () => {
    const message = invalid({ pool: 'home' }).message;
    expect(message).toMatch(/^"pool": pool "home" is a home pool; its machines have no API/);
    expect(message).toMatch(/Pools shepherd can provision: aws-amd64, aws-arm64, gcp-amd64, scw-buffer$/);
  });

  it.each([0, -1, 6, 1.5, '2', true])('refuses count %j and names the pool max', (count) => {
    expect(invalid({ pool: 'aws-amd64', count }).message).toBe(`"count": got ${JSON.stringify(count)}; allowed: a whole number from 1 to the pool's max (5)`);
  });

  it('accepts count up to the pool max, one slot each, and refuses one more for a smaller pool', () => {
    expect(planProvision({ pool: 'aws-amd64', count: 5 }, config, 'exec-1').slots.map((s) => s.slot)).toEqual([0, 1, 2, 3, 4]);
    expect(planProvision({ pool: 'gcp-amd64', count: 3 }, config, 'exec-1').count).toBe(3);
    expect(invalid({ pool: 'gcp-amd64', count: 4 }).message).toContain("from 1 to the pool's max (3)");
  });

  it.each([
    ['not a string', 7],
    ['too long', 'x'.repeat(257)],
  ])('refuses a reason that is %s', (_, reason) => {
    expect(invalid({ pool: 'aws-amd64', reason }).message).toBe('"reason": must be a string of at most 256 characters');
  });

  it.each(['', 'has space', 'a/b', 'x'.repeat(65), 12])('refuses requestId %j', (requestId) => {
    expect(invalid({ pool: 'aws-amd64', requestId }).message).toBe('"requestId": must be 1-64 characters of letters, digits, "-" or "_"');
  });

  it.each(['r', 'abc_DEF-123', 'x'.repeat(64)])('accepts requestId %s and returns it', (requestId) => {
    expect(planProvision({ pool: 'aws-amd64', requestId }, config, 'exec-1').requestId).toBe(requestId);
  });

  describe('claim ids', () => {
    const ids = (input: Record<string, unknown>, execution: string) => planProvision(input, config, execution).slots.map((s) => s.claimId);

    it('are 26 characters, short enough for a 64-character EC2 ClientToken with an offering', () => {
      for (const id of ids({ pool: 'aws-amd64', count: 5 }, 'exec-1')) expect(id).toMatch(/^c[0-9a-f]{25}$/);
    });

    it('are stable for the same execution and different per slot', () => {
      const first = ids({ pool: 'aws-amd64', count: 3 }, 'exec-1');
      expect(ids({ pool: 'aws-amd64', count: 3 }, 'exec-1')).toEqual(first);
      expect(new Set(first).size).toBe(3);
      expect(ids({ pool: 'aws-amd64', count: 3 }, 'exec-2')).not.toContain(first[0]);
    });

    it('follow the requestId, not the execution, so two executions of one request share them', () => {
      const a = planProvision({ pool: 'aws-amd64', count: 2, requestId: 'req-1' }, config, 'exec-1');
      const b = planProvision({ pool: 'aws-amd64', count: 2, requestId: 'req-1' }, config, 'exec-2');
      expect(b.slots.map((s) => s.claimId)).toEqual(a.slots.map((s) => s.claimId));
      expect(b.slots.map((s) => s.owner)).toEqual([arnOf('exec-2'), arnOf('exec-2')]);
      expect(a.slots[0].claimId).not.toBe(planProvision({ pool: 'aws-amd64' }, config, 'exec-1').slots[0].claimId);
    });

    it('differ between pools for the same request', () => {
      expect(ids({ pool: 'aws-amd64', requestId: 'req-1' }, 'e')[0]).not.toBe(ids({ pool: 'aws-arm64', requestId: 'req-1' }, 'e')[0]);
    });

    it("differ between two clusters for the same pool and request, so neither finds the other cluster's VMs by claim", () => {
      const other = { ...config, cluster: { ...config.cluster, name: 'other-cluster' } };
      const input = { pool: 'aws-amd64', count: 2, requestId: 'req-1' };
      const here = ids(input, 'e');
      const there = planProvision(input, other, 'e').slots.map((s) => s.claimId);
      expect(there.filter((id) => here.includes(id))).toEqual([]);
      expect(there[0]).toBe(claimIdOf('other-cluster', 'aws-amd64', 'req-1', 0));
    });
  });
});

describe('Function: <provider>.offerings', () => {
  it('lists AWS offerings type-major, each type in every subnet zone, with the subnet', () => {
    expect(offeringsFor(poolNamed('aws-amd64'), config)).toEqual([
      { type: 't3.medium', zone: 'eu-west-3a', subnetId: 'subnet-00000000000000001' },
      { type: 't3.medium', zone: 'eu-west-3b', subnetId: 'subnet-00000000000000002' },
      { type: 't3.large', zone: 'eu-west-3a', subnetId: 'subnet-00000000000000001' },
      { type: 't3.large', zone: 'eu-west-3b', subnetId: 'subnet-00000000000000002' },
    ]);
  });

  it("keeps to the pool's zones, in the pool's order", () => {
    const pool = { ...poolNamed('aws-arm64'), zones: ['eu-west-3b', 'eu-west-3a'] };
    expect(offeringsFor(pool, config).map((o) => `${o.type}@${o.zone}/${o.subnetId}`)).toEqual([
      't4g.medium@eu-west-3b/subnet-00000000000000002',
      't4g.medium@eu-west-3a/subnet-00000000000000001',
      'm6g.large@eu-west-3b/subnet-00000000000000002',
      'm6g.large@eu-west-3a/subnet-00000000000000001',
    ]);
    expect(offeringsFor({ ...pool, zones: ['eu-west-3a'] }, config).map((o) => o.zone)).toEqual(['eu-west-3a', 'eu-west-3a']);
  });

  it('offers every subnet of a zone that has several', () => {
    const aws = config.providers.aws!;
    const cfg = {
      ...config,
      providers: { ...config.providers, aws: { ...aws, subnets: [...aws.subnets, { id: 'subnet-00000000000000003', zone: 'eu-west-3a' }] } },
    };
    const pool = { ...poolNamed('aws-amd64'), instanceTypes: ['t3.medium'] };
    expect(offeringsFor(pool, cfg).map((o) => o.subnetId)).toEqual(['subnet-00000000000000001', 'subnet-00000000000000003', 'subnet-00000000000000002']);
  });

  it('lists GCP offerings over the pool zones, else the provider zones, without subnets', () => {
    expect(offeringsFor(poolNamed('gcp-amd64'), config)).toEqual([
      { type: 'e2-standard-2', zone: 'europe-west1-b' },
      { type: 'e2-standard-2', zone: 'europe-west1-c' },
      { type: 'n2-standard-2', zone: 'europe-west1-b' },
      { type: 'n2-standard-2', zone: 'europe-west1-c' },
    ]);
    const { zones: _zones, ...noZones } = poolNamed('gcp-amd64');
    expect(offeringsFor({ ...noZones, instanceTypes: ['e2-small'] } as PoolConfig, config).map((o) => o.zone)).toEqual(['europe-west1-b', 'europe-west1-c']);
  });

  it('gives a Scaleway pool one offering: Scaleway places the node', () => {
    expect(offeringsFor(poolNamed('scw-buffer'), config)).toEqual([{ type: 'DEV1-M', zone: '' }]);
  });
});

const awsVm: VmRef = {
  provider: 'aws',
  id: 'i-0123456789abcdef0',
  name: 'ip-10-0-1-5.eu-west-3.compute.internal',
  zone: 'eu-west-3a',
  region: 'eu-west-3',
  type: 't3.medium',
  privateIp: '10.0.1.5',
  providerID: 'aws:///eu-west-3a/i-0123456789abcdef0',
};

describe('Function: nodeLabels', () => {
  it("adds topology, instance type, role, provider, pool and claim labels to the pool's own", () => {
    expect(nodeLabels(poolNamed('aws-amd64'), awsVm, 'c0123456789abcdef012345678')).toEqual({
      'shepherd.io/site': 'aws',
      'topology.kubernetes.io/region': 'eu-west-3',
      'topology.kubernetes.io/zone': 'eu-west-3a',
      'node.kubernetes.io/instance-type': 't3.medium',
      'node-role.kubernetes.io/worker': '',
      'shepherd.io/provider': 'aws',
      'shepherd.io/pool': 'aws-amd64',
      'shepherd.io/role': 'worker',
      'shepherd.io/claim': 'c0123456789abcdef012345678',
    });
  });

  it("never lets a pool label override shepherd's own, and omits the zone when the provider gives none", () => {
    const pool = { ...poolNamed('scw-buffer'), labels: { 'shepherd.io/pool': 'other', 'shepherd.io/claim': 'x', team: 'a' } };
    const vm: VmRef = { provider: 'scaleway', id: '', name: '', zone: '', region: 'fr-par', type: 'DEV1-M', poolId: 'p' };
    const labels = nodeLabels(pool, vm, 'cclaim');
    expect(labels).toMatchObject({
      'shepherd.io/pool': 'scw-buffer',
      'shepherd.io/claim': 'cclaim',
      'node-role.kubernetes.io/buffer': '',
      'shepherd.io/role': 'buffer',
      team: 'a',
    });
    expect(labels).not.toHaveProperty('topology.kubernetes.io/zone');
  });
});

describe('Function: mergeTaints', () => {
  const existing: NodeTaint[] = [
    { key: 'dedicated', value: 'old', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' },
    { key: 'dedicated', value: 'x', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
  ];

  it('replaces a taint with the same key and effect, keeps the others', () => {
    expect(mergeTaints(existing, [{ key: 'dedicated', value: 'edge', effect: 'NoSchedule' }])).toEqual([
      { key: 'dedicated', value: 'x', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'edge', effect: 'NoSchedule' },
    ]);
  });

  it('works on a node without taints and leaves out absent values', () => {
    expect(mergeTaints(undefined, [{ key: 'spot', effect: 'PreferNoSchedule' }])).toEqual([{ key: 'spot', effect: 'PreferNoSchedule' }]);
    expect(mergeTaints(existing, [])).toEqual(existing);
  });
});

function node(name: string, extra: Partial<NodeView> = {}): NodeView {
  return { name, ready: 'True', labels: {}, ...extra };
}

describe('Function: unclaimedPoolNode', () => {
  const pool = 'pool-1';
  const inPool = (name: string, labels: Record<string, string> = {}) => node(name, { labels: { 'k8s.scaleway.com/pool': pool, ...labels } });

  it('returns the node already labelled with this claim (a retry)', () => {
    const nodes = [inPool('a'), inPool('z', { 'shepherd.io/claim': 'cmine' })];
    expect(unclaimedPoolNode(nodes, pool, 'cmine')?.name).toBe('z');
  });

  it("takes the first unclaimed node of the pool by name, skipping claimed nodes and other pools' nodes", () => {
    const nodes = [inPool('c'), node('a', { labels: { 'k8s.scaleway.com/pool': 'pool-2' } }), inPool('b', { 'shepherd.io/claim': 'cother' }), inPool('d')];
    expect(unclaimedPoolNode(nodes, pool, 'cmine')?.name).toBe('c');
  });

  it('returns nothing when every node of the pool is claimed', () => {
    expect(unclaimedPoolNode([inPool('a', { 'shepherd.io/claim': 'cother' })], pool, 'cmine')).toBeUndefined();
  });
});

describe('Function: launchToken', () => {
  const offering = { type: 't3.medium', zone: 'eu-west-3a', subnetId: 'subnet-00000000000000001' };
  it('is stable for one claim, execution and offering, and fits a 64-character ClientToken', () => {
    const token = launchToken('c0123456789abcdef012345678', 'exec-1', offering);
    expect(token).toBe(launchToken('c0123456789abcdef012345678', 'exec-1', { ...offering }));
    expect(token.length).toBeLessThanOrEqual(64);
  });
  it('changes with the execution (a re-run after a failure) and with the subnet', () => {
    const token = launchToken('c1', 'exec-1', offering);
    expect(launchToken('c1', 'exec-2', offering)).not.toBe(token);
    expect(launchToken('c1', 'exec-1', { ...offering, subnetId: 'subnet-00000000000000009' })).not.toBe(token);
  });
});

describe('Example inputs (workflows/examples)', () => {
  const dir = fileURLToPath(new URL('../../../workflows/examples/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.startsWith('provision-node.') && f.endsWith('.json'));
  it('there is one per provisionable pool of the example config', () => {
    const provisionable = config.pools.filter((p) => p.provider !== 'home').map((p) => `provision-node.${p.name}.json`);
    expect(files.sort()).toEqual(provisionable.sort());
  });
  for (const file of files) {
    it(`${file} is a valid ProvisionNode input for the example config`, () => {
      const plan = planProvision(JSON.parse(readFileSync(`${dir}${file}`, 'utf8')), config, 'console-paste');
      expect(file).toBe(`provision-node.${plan.pool}.json`);
    });
  }
});
