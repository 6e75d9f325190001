import { describe, expect, it } from 'vitest';
import type { PoolConfig } from '../../../config/types.js';
import type { NodeView, VmRef } from '../../../functions/decisions/provision.js';
import { nodeOfVm, nodeSiteOf, vmIdentityMatcher } from '../../../functions/providers/node-match.js';

const awsVm: VmRef = {
  provider: 'aws',
  id: 'i-0123456789abcdef0',
  name: 'ip-10-0-0-4.eu-west-3.compute.internal',
  zone: 'eu-west-3a',
  region: 'eu-west-3',
  type: 't3.medium',
  privateIp: '10.0.0.4',
  providerID: 'aws:///eu-west-3a/i-0123456789abcdef0',
};
const CLAIM = 'cmine';
const KOSMOS_POOL = '00000000-0000-4000-8000-000000000011';
const site = { joinLabels: { 'k8s.scaleway.com/pool': KOSMOS_POOL } };

function node(name: string, extra: Partial<NodeView> = {}): NodeView {
  return { name, ready: 'True', labels: {}, ...extra };
}

/** A Kosmos external node of the VM's own Kosmos pool: named by Kosmos, no providerID. */
const kosmosNode = (name: string, ip: string, labels: Record<string, string> = {}) =>
  node(name, { internalIp: ip, labels: { 'k8s.scaleway.com/pool': KOSMOS_POOL, ...labels } });

describe('Function: nodeOfVm', () => {
  it('prefers the providerID over a node with the same name', () => {
    const nodes = [node(awsVm.name, { providerID: 'aws:///eu-west-3a/i-other' }), node('renamed', { providerID: awsVm.providerID })];
    expect(nodeOfVm(nodes, awsVm, CLAIM, site)?.name).toBe('renamed');
  });

  it("falls back to the name, but never to a node that carries another machine's providerID", () => {
    expect(nodeOfVm([node('a'), node(awsVm.name)], awsVm, CLAIM)?.name).toBe(awsVm.name);
    expect(nodeOfVm([node(awsVm.name, { providerID: 'aws:///eu-west-3b/i-other' })], awsVm, CLAIM)).toBeUndefined();
  });

  it("matches by IP a Kosmos node of the pool's own Kosmos pool (Kosmos names it and may give it no providerID)", () => {
    const nodes = [kosmosNode('scw-kosmos-demo-a-1', '10.0.9.9'), kosmosNode('scw-kosmos-demo-a-2', '10.0.0.4')];
    expect(nodeOfVm(nodes, awsVm, CLAIM, site)?.name).toBe('scw-kosmos-demo-a-2');
  });

  it("never matches by IP a node of the Kosmos pool that registered before the VM was launched: that is another site's machine", () => {
    const launched = { ...awsVm, launchedAt: '2026-01-01T10:00:00.000Z' };
    const earlier = { ...kosmosNode('scw-kosmos-demo-aws-amd64-old', '10.0.0.4'), createdAt: '2026-01-01T09:59:59Z' };
    const own = { ...kosmosNode('scw-kosmos-demo-aws-amd64-new', '10.0.0.4'), createdAt: '2026-01-01T10:01:30Z' };
    expect(nodeOfVm([earlier], launched, CLAIM, site)).toBeUndefined();
    expect(nodeOfVm([earlier, own], launched, CLAIM, site)?.name).toBe(own.name);
    // A node registered the same second as the launch, or a provider that says nothing of when it launched: by IP alone.
    expect(nodeOfVm([{ ...earlier, createdAt: '2026-01-01T10:00:00Z' }], launched, CLAIM, site)?.name).toBe(earlier.name);
    expect(nodeOfVm([earlier], awsVm, CLAIM, site)?.name).toBe(earlier.name);
  });

  it('never matches by IP a node on another site: private ranges are reused across sites', () => {
    const homeNode = node('home-1', { internalIp: '10.0.0.4', labels: { 'kubernetes.io/hostname': 'home-1' } });
    const otherPool = node('scw-kosmos-demo-gcp-1', { internalIp: '10.0.0.4', labels: { 'k8s.scaleway.com/pool': 'another-pool' } });
    expect(nodeOfVm([homeNode, otherPool], awsVm, CLAIM, site)).toBeUndefined();
    // Without knowing the pool's site, an IP says nothing.
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4')], awsVm, CLAIM)).toBeUndefined();
    expect(vmIdentityMatcher.find([homeNode], awsVm, CLAIM, {})).toBeUndefined();
  });

  it("never takes a node that carries another claim, by providerID, name or IP; its own claim's node is found", () => {
    const other = { 'shepherd.io/claim': 'cother' };
    expect(nodeOfVm([node('x', { providerID: awsVm.providerID, labels: other })], awsVm, CLAIM, site)).toBeUndefined();
    expect(nodeOfVm([node(awsVm.name, { labels: other })], awsVm, CLAIM, site)).toBeUndefined();
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4', other)], awsVm, CLAIM, site)).toBeUndefined();
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4', { 'shepherd.io/claim': CLAIM })], awsVm, CLAIM, site)?.name).toBe('scw-1');
  });

  it('matches by IP only when one node of the site has that IP, and never when the VM has none', () => {
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4'), kosmosNode('scw-2', '10.0.0.4')], awsVm, CLAIM, site)).toBeUndefined();
    const { privateIp: _ip, ...noIp } = awsVm;
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4')], { ...noIp, name: 'x', providerID: undefined }, CLAIM, site)).toBeUndefined();
    expect(nodeOfVm([kosmosNode('scw-1', '10.0.0.4', {}), node('b')], awsVm, CLAIM, { joinLabels: {} })).toBeUndefined();
  });
});

describe('Function: nodeSiteOf', () => {
  const base = { name: 'p', provider: 'aws', role: 'worker', instanceTypes: ['t3.medium'], arch: 'amd64', min: 0, max: 1, taints: [] };

  it("ties a Kosmos pool's nodes to its Kosmos pool id", () => {
    const pool = { ...base, labels: {}, join: { method: 'kosmos', poolId: KOSMOS_POOL, region: 'fr-par', secretKeySecretArn: 'arn' } } as unknown as PoolConfig;
    expect(nodeSiteOf(pool)).toEqual(site);
  });

  it('ties a script join to the pool labels only when the script passes them to the kubelet', () => {
    const script = (template: string) =>
      ({ ...base, labels: { 'shepherd.io/site': 'aws' }, join: { method: 'script', template, joinTokenSecretArn: 'arn' } }) as unknown as PoolConfig;
    expect(nodeSiteOf(script('#!/bin/sh\nkubeadm join --node-labels {{labels}}'))).toEqual({ joinLabels: { 'shepherd.io/site': 'aws' } });
    expect(nodeSiteOf(script('#!/bin/sh\nkubeadm join'))).toEqual({});
    expect(nodeSiteOf({ ...base, labels: {}, join: { method: 'none' } } as unknown as PoolConfig)).toEqual({});
  });
});
