import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALING } from '../../../config/defaults.js';
import { degradation, remediationSafety } from '../../../functions/decisions/healing/remediation-safety.js';
import type { SafetyInput, UnhealthyNodeRef } from '../../../functions/decisions/healing/types.js';

const LIMITS = {
  maxUnhealthyPercent: DEFAULT_HEALING.maxUnhealthyPercent,
  okUnhealthyNodes: DEFAULT_HEALING.okUnhealthyNodes,
  maxUnhealthyPercentPerProvider: DEFAULT_HEALING.maxUnhealthyPercentPerProvider,
  okUnhealthyNodesPerProvider: DEFAULT_HEALING.okUnhealthyNodesPerProvider,
  maxConcurrentPerPool: DEFAULT_HEALING.maxConcurrentPerPool,
};

const down = (provider: string, count: number, from = 0): UnhealthyNodeRef[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${provider}-${from + i}`, provider }));

/** A cluster of 10 AWS, 6 GCP, 4 Scaleway nodes; aws-0 is the node to heal. */
function safety(over: Partial<SafetyInput> = {}): SafetyInput {
  return {
    node: { name: 'aws-0', pool: 'aws-amd64', provider: 'aws' },
    unhealthy: down('aws', 1),
    clusterSize: 20,
    providerSizes: { aws: 10, gcp: 6, scaleway: 4 },
    api: { reachable: true },
    pause: { paused: false },
    inFlight: {},
    limits: LIMITS,
    ...over,
  };
}

describe('Function: remediationSafety', () => {
  it('allows one dead node of a healthy cluster', () => {
    expect(remediationSafety(safety())).toMatchObject({ verdict: 'allow', reason: expect.stringContaining('aws-0 may be remediated') });
  });

  it('counts the node itself when the unhealthy list does not hold it', () => {
    // Of 8 nodes, three GCP nodes plus this one are 4 (50 %, above the ok count of 3); listing it again changes nothing.
    const small = { clusterSize: 8, providerSizes: { aws: 4, gcp: 4 } };
    expect(remediationSafety(safety({ ...small, unhealthy: down('gcp', 3) }))).toMatchObject({ verdict: 'short-circuit', scope: 'cluster', unhealthy: 4 });
    expect(remediationSafety(safety({ ...small, unhealthy: [...down('gcp', 3), ...down('aws', 1)] }))).toMatchObject({ unhealthy: 4 });
    expect(remediationSafety(safety({ ...small, unhealthy: down('gcp', 2) })).verdict).toBe('allow');
  });

  it('stops everything while paused, and says who paused it and how to resume', () => {
    const verdict = remediationSafety(
      safety({ pause: { paused: true, by: 'alice', since: '2026-01-01T00:00:00Z', reason: 'upgrade' }, api: { reachable: false } }),
    );
    expect(verdict).toEqual({
      verdict: 'paused',
      reason: 'healing is paused by alice since 2026-01-01T00:00:00Z (upgrade); `shepherd resume` lets it act again',
    });
    expect(remediationSafety(safety({ pause: { paused: true } })).reason).toBe('healing is paused; `shepherd resume` lets it act again');
  });

  it('freezes while the cluster API is unreachable, before counting anything', () => {
    expect(remediationSafety(safety({ api: { reachable: false, since: '2026-01-01T00:00:30Z' }, unhealthy: down('aws', 10) }))).toEqual({
      verdict: 'frozen',
      reason: 'the cluster API is unreachable since 2026-01-01T00:00:30Z: nothing destructive happens until it answers again',
    });
  });

  it('short-circuits the cluster above 45 % once more than 3 nodes are unhealthy (Cluster Autoscaler)', () => {
    // 9 of 20 = 45 %: not above. Spread so that no provider trips first.
    const nine = [
      ...down('aws', 3),
      ...down('gcp', 2),
      ...down('scaleway', 1),
      { name: 'x-1', provider: 'aws' },
      ...down('gcp', 1, 2),
      ...down('scaleway', 1, 1),
    ];
    const wide = { ...LIMITS, maxUnhealthyPercentPerProvider: 100 };
    expect(remediationSafety(safety({ unhealthy: nine, limits: wide })).verdict).toBe('allow');
    const ten = [...nine, ...down('gcp', 1, 3)];
    expect(remediationSafety(safety({ unhealthy: ten, limits: wide }))).toEqual({
      verdict: 'short-circuit',
      scope: 'cluster',
      unhealthy: 10,
      total: 20,
      reason: '10 of 20 nodes are unhealthy, more than 45 % and more than 3: cluster degraded, nothing is replaced',
    });
  });

  it('heals one dead node of a two-node cluster: the share applies only above the ok count', () => {
    const tiny = safety({ clusterSize: 2, providerSizes: { aws: 2 } });
    expect(remediationSafety(tiny).verdict).toBe('allow');
    // Both nodes of the only provider: the provider short-circuit holds (more than 1 and more than 45 %).
    expect(remediationSafety({ ...tiny, unhealthy: down('aws', 2) })).toMatchObject({ verdict: 'short-circuit', scope: 'provider', provider: 'aws' });
  });

  it('short-circuits a provider going dark and names it, while other providers still heal', () => {
    const dark = down('scaleway', 4);
    const forScaleway = safety({ node: { name: 'scaleway-0', pool: 'scw-buffer', provider: 'scaleway' }, unhealthy: dark });
    expect(remediationSafety(forScaleway)).toEqual({
      verdict: 'short-circuit',
      scope: 'provider',
      provider: 'scaleway',
      unhealthy: 4,
      total: 4,
      reason: '4 of 4 scaleway nodes are unhealthy, more than 45 % and more than 1: provider scaleway degraded, none of its nodes is replaced',
    });
    expect(remediationSafety(safety({ unhealthy: [...dark, ...down('aws', 1)] })).verdict).toBe('allow');
  });

  it('puts the per-provider boundary at the share, not at it plus one', () => {
    // 3 of 6 GCP nodes = 50 % > 45 %; 2 of 6 = 33 %.
    const gcp = { name: 'gcp-0', pool: 'gcp-amd64', provider: 'gcp' };
    expect(remediationSafety(safety({ node: gcp, unhealthy: down('gcp', 2) })).verdict).toBe('allow');
    expect(remediationSafety(safety({ node: gcp, unhealthy: down('gcp', 3) })).verdict).toBe('short-circuit');
    expect(remediationSafety(safety({ node: gcp, unhealthy: down('gcp', 3), limits: { ...LIMITS, maxUnhealthyPercentPerProvider: 50 } })).verdict).toBe(
      'allow',
    );
  });

  it('holds a pool back at its replacements in flight', () => {
    expect(remediationSafety(safety({ inFlight: { 'aws-amd64': 1 } }))).toEqual({
      verdict: 'pool-busy',
      pool: 'aws-amd64',
      inFlight: 1,
      reason: 'pool aws-amd64 already has 1 heal in flight (at most 1): try again when one ends',
    });
    expect(remediationSafety(safety({ inFlight: { 'aws-arm64': 3 } })).verdict).toBe('allow');
    expect(remediationSafety(safety({ inFlight: { 'aws-amd64': 1 }, limits: { ...LIMITS, maxConcurrentPerPool: 2 } })).verdict).toBe('allow');
  });

  it('checks the widest limit first: a paused, frozen or degraded cluster says so, not that the pool is busy', () => {
    const everything = safety({ inFlight: { 'aws-amd64': 5 }, unhealthy: down('aws', 10) });
    expect(remediationSafety(everything)).toMatchObject({ verdict: 'short-circuit', scope: 'cluster' });
    expect(remediationSafety({ ...everything, api: { reachable: false } }).verdict).toBe('frozen');
    expect(remediationSafety({ ...everything, pause: { paused: true } }).verdict).toBe('paused');
  });
});

describe('Function: degradation', () => {
  it('reports the cluster and every provider, for degraded and recovered events', () => {
    expect(
      degradation({ unhealthy: [...down('scaleway', 4), ...down('aws', 1)], clusterSize: 20, providerSizes: { aws: 10, gcp: 6, scaleway: 4 }, limits: LIMITS }),
    ).toEqual({
      cluster: { unhealthy: 5, total: 20, degraded: false },
      providers: [
        { provider: 'aws', unhealthy: 1, total: 10, degraded: false },
        { provider: 'gcp', unhealthy: 0, total: 6, degraded: false },
        { provider: 'scaleway', unhealthy: 4, total: 4, degraded: true },
      ],
    });
  });

  it('counts a node listed twice once', () => {
    const twice = [...down('aws', 2), ...down('aws', 2)];
    expect(degradation({ unhealthy: twice, clusterSize: 4, providerSizes: { aws: 4 }, limits: LIMITS }).providers[0]).toMatchObject({
      unhealthy: 2,
      degraded: true,
    });
  });

  it('takes unhealthy nodes of a provider with no known size for all of it', () => {
    expect(degradation({ unhealthy: down('home', 2), clusterSize: 2, providerSizes: {}, limits: LIMITS }).providers).toEqual([
      { provider: 'home', unhealthy: 2, total: 0, degraded: true },
    ]);
  });

  it('never short-circuits with a 100 % limit, and always above the ok count with a 0 % limit', () => {
    const all = down('aws', 10);
    expect(
      degradation({
        unhealthy: all,
        clusterSize: 10,
        providerSizes: { aws: 10 },
        limits: { ...LIMITS, maxUnhealthyPercent: 100, maxUnhealthyPercentPerProvider: 100 },
      }),
    ).toMatchObject({
      cluster: { degraded: false },
      providers: [{ degraded: false }],
    });
    const zero = { ...LIMITS, maxUnhealthyPercent: 0, okUnhealthyNodes: 0 };
    expect(degradation({ unhealthy: down('aws', 1), clusterSize: 100, providerSizes: { aws: 100 }, limits: zero }).cluster.degraded).toBe(true);
    expect(degradation({ unhealthy: [], clusterSize: 100, providerSizes: { aws: 100 }, limits: zero }).cluster.degraded).toBe(false);
  });
});
