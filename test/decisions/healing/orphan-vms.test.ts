import { describe, expect, it } from 'vitest';
import { orphanGraceSeconds, orphanVms } from '../../../functions/decisions/healing/orphan-vms.js';
import type { ClaimView, OrphanInput, OwnedVm } from '../../../functions/decisions/healing/types.js';

const NOW = '2026-01-01T01:00:00.000Z';
const ago = (seconds: number) => new Date(Date.parse(NOW) - seconds * 1000).toISOString();
const epochIn = (seconds: number) => Math.floor(Date.parse(NOW) / 1000) + seconds;

const vm = (id: string, over: Partial<OwnedVm> = {}): OwnedVm => ({ id, provider: 'aws', hasNode: false, withoutNodeSince: ago(901), ...over });
const sweep = (vms: OwnedVm[], over: Partial<OrphanInput> = {}) => orphanVms({ vms, claims: [], busyVmIds: [], now: NOW, graceSeconds: 900, ...over });
const ids = (verdicts: { vm: OwnedVm }[]) => verdicts.map((v) => v.vm.id);

describe('Function: orphanVms', () => {
  it('terminates a VM of ours that has had no Node past the grace, and says why', () => {
    expect(sweep([vm('i-1', { claimId: 'c1' })], { claims: [{ claimId: 'c1', status: 'released' }] }).terminate).toEqual([
      { vm: vm('i-1', { claimId: 'c1' }), reason: 'aws VM i-1 has had no Node for 901 s (grace 900 s) and its claim is released: an orphan' },
    ]);
    expect(sweep([vm('i-2')]).terminate[0].reason).toContain('it carries no claim');
    expect(sweep([vm('i-3', { claimId: 'gone' })]).terminate[0].reason).toContain('its claim is not in the table');
  });

  it('puts the boundary at the grace: 899 s is kept, 900 s is an orphan', () => {
    const result = sweep([vm('young', { withoutNodeSince: ago(899) }), vm('due', { withoutNodeSince: ago(900) })]);
    expect(ids(result.terminate)).toEqual(['due']);
    expect(result.keep).toEqual([{ vm: vm('young', { withoutNodeSince: ago(899) }), reason: 'no Node for 899 s, under the 900 s grace' }]);
  });

  it('keeps a VM with a Node, whatever its age', () => {
    expect(sweep([vm('i-1', { hasNode: true, withoutNodeSince: ago(100000) })]).keep).toEqual([{ vm: expect.anything(), reason: 'it has a Node' }]);
  });

  it('keeps a VM a running workflow is dealing with', () => {
    expect(sweep([vm('i-1')], { busyVmIds: ['i-1'] })).toEqual({
      terminate: [],
      keep: [{ vm: vm('i-1'), reason: 'a running workflow is already dealing with it' }],
    });
  });

  it('keeps a VM whose claim is in flight until the claim expires, then treats it as any other', () => {
    const claims = (status: ClaimView['status'], expiresAt?: number): ClaimView[] => [{ claimId: 'c1', status, ...(expiresAt ? { expiresAt } : {}) }];
    const old = vm('i-1', { claimId: 'c1', withoutNodeSince: ago(5000) });
    for (const status of ['claimed', 'launched'] as const) {
      const kept = sweep([old], { claims: claims(status, epochIn(60)) });
      expect(kept.keep[0].reason).toBe(
        `its claim c1 is ${status} until ${new Date(epochIn(60) * 1000).toISOString()}: its ProvisionNode may still see the Node join`,
      );
      expect(ids(sweep([old], { claims: claims(status, epochIn(0)) }).terminate)).toEqual(['i-1']);
    }
    expect(sweep([old], { claims: claims('launched') }).keep[0].reason).toContain('until its execution ends');
    // An active claim whose Node was deleted out of band: the kubelet does not register again, the VM is an orphan.
    expect(ids(sweep([old], { claims: claims('active', epochIn(60)) }).terminate)).toEqual(['i-1']);
  });

  it('keeps a VM when it cannot tell since when it has had no Node', () => {
    expect(sweep([vm('i-1', { withoutNodeSince: 'never' })]).keep[0].reason).toContain('since when it has had no Node is unknown');
  });

  it('sorts a mixed fleet in one pass', () => {
    const result = sweep([vm('a'), vm('b', { hasNode: true }), vm('c', { provider: 'gcp' }), vm('d', { withoutNodeSince: ago(10) })]);
    expect(ids(result.terminate)).toEqual(['a', 'c']);
    expect(ids(result.keep)).toEqual(['b', 'd']);
  });
});

describe('Function: orphanGraceSeconds', () => {
  it('is healing.orphanGraceSeconds, else the registration deadline', () => {
    expect(orphanGraceSeconds({ healing: {}, provisioning: { registrationTimeoutSeconds: 900 } })).toBe(900);
    expect(orphanGraceSeconds({ healing: { orphanGraceSeconds: 1800 }, provisioning: { registrationTimeoutSeconds: 900 } })).toBe(1800);
  });
});
