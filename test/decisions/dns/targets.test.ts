import { describe, expect, it } from 'vitest';
import { entrypointTargets, healthyAddresses } from '../../../functions/decisions/dns/targets.js';
import type { DnsNodeView, EligibilityRule } from '../../../functions/decisions/dns/types.js';

const rule: EligibilityRule = { eligiblePools: ['home', 'aws-amd64'], addressSource: { from: 'external-ip' }, type: 'A' };

function node(name: string, over: Partial<DnsNodeView> & { pool?: string; ip?: string } = {}): DnsNodeView {
  const { pool = 'home', ip = '198.18.0.1', ...rest } = over;
  return {
    name,
    labels: { 'shepherd.io/pool': pool, 'shepherd.io/site': pool },
    annotations: {},
    ready: 'True',
    unschedulable: false,
    taints: [],
    addresses: [
      { type: 'InternalIP', address: '10.0.0.4' },
      { type: 'ExternalIP', address: ip },
    ],
    ...rest,
  };
}

describe('Function: entrypointTargets', () => {
  it('serves a Ready, schedulable, eligible node on its ExternalIP', () => {
    const targets = entrypointTargets({ rule, nodes: [node('home-1')], announcements: {} });
    expect(targets).toEqual([{ node: 'home-1', address: '198.18.0.1', healthy: true }]);
    expect(healthyAddresses(targets)).toEqual(['198.18.0.1']);
  });

  it('serves a home node by the pool it belongs to, which it names by its own labels only (no shepherd.io/pool label)', () => {
    const home: DnsNodeView = { ...node('home-2'), labels: { 'shepherd.io/site': 'home' } };
    expect(entrypointTargets({ rule, nodes: [home], announcements: {} })).toEqual([{ node: 'home-2', healthy: false, reason: 'not-eligible' }]);
    expect(entrypointTargets({ rule, nodes: [{ ...home, pool: 'home' }], announcements: {} })).toEqual([
      { node: 'home-2', address: '198.18.0.1', healthy: true },
    ]);
  });

  it('says why each other node may not serve', () => {
    const nodes = [
      node('a-gcp', { pool: 'gcp-amd64', ip: '198.18.0.2' }),
      node('b-notready', { ready: 'Unknown', ip: '198.18.0.3' }),
      node('c-cordoned', { unschedulable: true, ip: '198.18.0.4' }),
      node('d-draining', { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }], ip: '198.18.0.5' }),
      node('e-spot', { ip: '198.18.0.6' }),
      node('f-noaddr', { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }] }),
      node('g-private', { ip: '192.168.1.20' }),
      node('h-nth', { taints: [{ key: 'aws-node-termination-handler/spot-itn' }], ip: '198.18.0.7' }),
    ];
    const targets = entrypointTargets({ rule, nodes, announcements: { 'e-spot': 'spot interruption warning' } });
    expect(targets.map((t) => [t.node, t.reason, t.detail])).toEqual([
      ['a-gcp', 'not-eligible', undefined],
      ['b-notready', 'not-ready', 'Ready=Unknown'],
      ['c-cordoned', 'cordoned', undefined],
      ['d-draining', 'draining', 'taint ToBeDeletedByClusterAutoscaler'],
      ['e-spot', 'going-away', 'spot interruption warning'],
      ['f-noaddr', 'no-address', 'no IPv4 ExternalIP'],
      ['g-private', 'invalid-address', '192.168.1.20 is a private address (RFC 1918), not reachable from the Internet'],
      ['h-nth', 'draining', 'taint aws-node-termination-handler/spot-itn'],
    ]);
    expect(healthyAddresses(targets)).toEqual([]);
  });

  it('matches a selector on the node labels, with the pools when both are given', () => {
    const selectorRule: EligibilityRule = { ...rule, eligiblePools: undefined, selector: { matchLabels: { 'shepherd.io/site': 'aws-amd64' } } };
    const nodes = [node('home-1'), node('aws-1', { pool: 'aws-amd64', ip: '198.18.0.9' })];
    expect(healthyAddresses(entrypointTargets({ rule: selectorRule, nodes, announcements: {} }))).toEqual(['198.18.0.9']);
    const both: EligibilityRule = { ...selectorRule, eligiblePools: ['home'] };
    expect(healthyAddresses(entrypointTargets({ rule: both, nodes, announcements: {} }))).toEqual([]);
  });

  it('reads addresses from an annotation (comma-separated), keeps only the record family, reports what is no IP', () => {
    const annotated: EligibilityRule = { ...rule, addressSource: { from: 'annotation', key: 'shepherd.io/public-ip' } };
    const nodes = [
      node('home-1', { annotations: { 'shepherd.io/public-ip': '203.0.113.7, 2001:db8::7' } }),
      node('home-2', { annotations: { 'shepherd.io/public-ip': 'home.example.net' } }),
      node('home-3'),
    ];
    const targets = entrypointTargets({ rule: annotated, nodes, announcements: {} });
    expect(targets.map((t) => [t.node, t.address, t.healthy, t.reason])).toEqual([
      ['home-1', '203.0.113.7', true, undefined],
      ['home-2', 'home.example.net', false, 'invalid-address'],
      ['home-3', undefined, false, 'no-address'],
    ]);
    const v6 = entrypointTargets({ rule: { ...annotated, type: 'AAAA' }, nodes: [nodes[0]], announcements: {} });
    expect(healthyAddresses(v6)).toEqual(['2001:db8::7']);
  });

  it('with an active check, serves only addresses whose check state is healthy; an unchecked one waits', () => {
    const nodes = [node('n1', { ip: '198.18.0.1' }), node('n2', { ip: '198.18.0.2' }), node('n3', { ip: '198.18.0.3' })];
    const checks = {
      '198.18.0.1': { healthy: true, passes: 4, failures: 0 },
      '198.18.0.2': { healthy: false, passes: 0, failures: 3 },
    };
    const targets = entrypointTargets({ rule, nodes, announcements: {}, checks });
    expect(targets.map((t) => [t.node, t.healthy, t.detail])).toEqual([
      ['n1', true, undefined],
      ['n2', false, '3 consecutive failures'],
      ['n3', false, 'not checked yet'],
    ]);
  });
});
