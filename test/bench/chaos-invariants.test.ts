import { describe, expect, it } from 'vitest';
import { checkInvariants, nodeChanges } from '../../bench/chaos/invariants.js';
import type { ChaosObservation, InvariantName, ObservedNode } from '../../bench/chaos/types.js';

const NOW = Date.UTC(2026, 0, 1, 3, 0, 0);
const MINUTE = 60_000;
const WORST_CASE = 60 * MINUTE;

function node(name: string, labels: Record<string, string>, extra: Partial<ObservedNode> = {}): ObservedNode {
  return { name, labels, taints: [], unschedulable: false, vmLive: true, ...extra };
}

/**
 * A settled world where every invariant holds: two nodes serving active claims, a released claim whose VM is
 * terminated, a claim still in flight (counted, no VM yet, young), and two foreign nodes left as they were.
 */
function cleanWorld(): ChaosObservation {
  const foreign = [
    node('branch-1', { 'example.com/site': 'branch-office' }, { taints: ['example.com/dedicated=branch:NoSchedule'] }),
    node('scw-held', { 'shepherd.io/claim': 'c-other-cluster' }, { providerID: 'scaleway://instance/fr-par-1/x' }),
  ];
  return {
    now: NOW,
    worstCaseMs: WORST_CASE,
    pools: ['aws-amd64', 'scw-buffer', 'gcp-amd64'],
    vms: [
      { id: 'i-1', provider: 'aws', pool: 'aws-amd64', claimId: 'c1', live: true, hasNode: true },
      { id: 's-1', provider: 'scaleway', pool: 'scw-buffer', claimId: 'c2', live: true, hasNode: true },
      { id: 'i-2', provider: 'aws', pool: 'aws-amd64', claimId: 'c3', live: false, hasNode: false },
    ],
    nodes: [node('ip-10-0-0-5', { 'shepherd.io/claim': 'c1' }), node('scw-1', { 'shepherd.io/claim': 'c2' }), ...structuredClone(foreign)],
    foreignBefore: foreign,
    claims: [
      { claimId: 'c1', pool: 'aws-amd64', status: 'active', createdAt: NOW - 90 * MINUTE },
      { claimId: 'c2', pool: 'scw-buffer', status: 'active', createdAt: NOW - 90 * MINUTE },
      { claimId: 'c3', pool: 'aws-amd64', status: 'released', createdAt: NOW - 120 * MINUTE },
      { claimId: 'c4', pool: 'aws-amd64', status: 'claimed', createdAt: NOW - 5 * MINUTE },
    ],
    counters: [
      { pool: 'aws-amd64', active: 2, counted: ['c1', 'c4'] },
      { pool: 'scw-buffer', active: 1, counted: ['c2'] },
    ],
  };
}

function violations(o: ChaosObservation): Record<InvariantName, number> {
  return Object.fromEntries(checkInvariants(o).map((r) => [r.name, r.violations])) as Record<InvariantName, number>;
}

const NONE: Record<InvariantName, number> = { vmsWithoutNode: 0, vmsPerClaim: 0, claimsVsNodes: 0, stuckClaims: 0, foreignNodesTouched: 0 };

describe('Function: checkInvariants', () => {
  it('a settled world with nodes, a released claim, a young claim in flight and untouched foreign nodes: all zero', () => {
    const results = checkInvariants(cleanWorld());
    expect(violations(cleanWorld())).toEqual(NONE);
    expect(results.every((r) => r.details.length === 0)).toBe(true);
    expect(results.find((r) => r.name === 'vmsPerClaim')?.context).toBe('max 1 VM per claim');
  });

  it('VMs without a Node: a live VM whose Node never came (its claim still in flight) is one violation', () => {
    const o = cleanWorld();
    o.vms.push({ id: 'i-3', provider: 'aws', pool: 'aws-amd64', claimId: 'c4', live: true, hasNode: false });
    expect(violations(o)).toEqual({ ...NONE, vmsWithoutNode: 1 });
    expect(checkInvariants(o)[0].details).toEqual(['aws VM i-3 (pool aws-amd64, claim c4) has no Node']);
  });

  it('VMs per claim: a second live VM for an active claim is one violation', () => {
    const o = cleanWorld();
    o.vms.push({ id: 'i-4', provider: 'aws', pool: 'aws-amd64', claimId: 'c1', live: true, hasNode: true });
    expect(violations(o)).toEqual({ ...NONE, vmsPerClaim: 1 });
    expect(checkInvariants(o)[1]).toMatchObject({ details: ['claim c1 has 2 live VMs: aws/i-1, aws/i-4'], context: 'max 2 VM per claim' });
  });

  it('claims counted against Nodes: a node running for a released claim is not counted', () => {
    const o = cleanWorld();
    o.vms[2] = { ...o.vms[2], live: true, hasNode: true };
    expect(violations(o)).toEqual({ ...NONE, claimsVsNodes: 1 });
    expect(checkInvariants(o)[2].details).toEqual(['pool aws-amd64: aws VM i-2 (claim c3, in the cluster) runs but is not counted']);
  });

  it('claims counted against Nodes: an active claim counted after its node was destroyed', () => {
    const o = cleanWorld();
    o.vms[1] = { ...o.vms[1], live: false, hasNode: false };
    o.nodes = o.nodes.filter((n) => n.name !== 'scw-1');
    expect(violations(o)).toEqual({ ...NONE, claimsVsNodes: 1 });
    expect(checkInvariants(o)[2].details).toEqual(['pool scw-buffer: claim c2 is counted (active) but no VM or Node serves it']);
  });

  it('claims counted against Nodes: a counter that disagrees with the claims it holds', () => {
    const o = cleanWorld();
    o.counters[1] = { ...o.counters[1], active: 2 };
    expect(violations(o)).toEqual({ ...NONE, claimsVsNodes: 1 });
    expect(checkInvariants(o)[2].details).toEqual(['pool scw-buffer: counter says 2 but holds 1 claims']);
  });

  it('claims stuck past their expiry: an in-flight claim older than the worst case, or past its own expiresAt', () => {
    const old = cleanWorld();
    old.claims[3] = { ...old.claims[3], createdAt: NOW - WORST_CASE - 10 * MINUTE };
    expect(violations(old)).toEqual({ ...NONE, stuckClaims: 1 });
    expect(checkInvariants(old)[3].details).toEqual(['claim c4 (pool aws-amd64, claimed) is 10 min past its worst case']);

    const expired = cleanWorld();
    expired.claims[3] = { ...expired.claims[3], expiresAt: NOW - MINUTE };
    expect(violations(expired)).toEqual({ ...NONE, stuckClaims: 1 });

    // Its own expiry, when it has one, wins over the worst case.
    const leased = cleanWorld();
    leased.claims[3] = { ...leased.claims[3], createdAt: NOW - 2 * WORST_CASE, expiresAt: NOW + MINUTE };
    expect(violations(leased)).toEqual(NONE);
  });

  it('foreign nodes touched: a foreign node labelled by shepherd is one violation', () => {
    const o = cleanWorld();
    const branch = o.nodes.find((n) => n.name === 'branch-1')!;
    branch.labels['shepherd.io/claim'] = 'c4';
    expect(violations(o)).toEqual({ ...NONE, foreignNodesTouched: 1 });
    expect(checkInvariants(o)[4].details).toEqual(['node branch-1: labels +shepherd.io/claim=c4']);
  });

  it('foreign nodes touched: a foreign node deleted is one violation', () => {
    const o = cleanWorld();
    o.nodes = o.nodes.filter((n) => n.name !== 'scw-held');
    expect(violations(o)).toEqual({ ...NONE, foreignNodesTouched: 1 });
    expect(checkInvariants(o)[4].details).toEqual(['node scw-held: deleted']);
  });
});

describe('Function: nodeChanges', () => {
  it('names labels added, removed and changed', () => {
    const before = node('n', { a: '1', b: '2' });
    expect(nodeChanges(before, node('n', { a: '3', c: '4' }))).toEqual(['labels a=1 -> 3, -b, +c=4']);
  });

  it('names taints added and removed, cordoning, a changed providerID and a machine that went away', () => {
    const before = node('n', { a: '1' }, { taints: ['x=1:NoSchedule'] });
    const after = node('n', { a: '1' }, { taints: ['y=2:NoExecute'], unschedulable: true, providerID: 'aws:///z/i-1', vmLive: false });
    expect(nodeChanges(before, after)).toEqual([
      'taints +y=2:NoExecute, -x=1:NoSchedule',
      'cordoned',
      'providerID (none) -> aws:///z/i-1',
      'its machine is gone',
    ]);
    expect(nodeChanges(before, structuredClone(before))).toEqual([]);
  });
});
