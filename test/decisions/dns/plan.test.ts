import { describe, expect, it } from 'vitest';
import { addressProblem, ttlProblem } from '../../../functions/decisions/dns/address.js';
import { isInvalidRecordSpecError } from '../../../functions/decisions/dns/errors.js';
import { isOwnedBy, ownershipComment } from '../../../functions/decisions/dns/ownership.js';
import { type PlanInputs, planChanges } from '../../../functions/decisions/dns/plan.js';
import type { ExistingRecord } from '../../../functions/decisions/dns/types.js';

const OWNER = ownershipComment('kosmos-demo', 'app');
let nextId = 0;
function record(name: string, content: string, over: Partial<ExistingRecord> = {}): ExistingRecord {
  nextId += 1;
  return { id: `r${String(nextId).padStart(3, '0')}`, name, type: 'A', content, ttl: 60, proxied: false, comment: OWNER, ...over };
}

function inputs(over: Partial<PlanInputs>): PlanInputs {
  return { names: ['app.example.com'], type: 'A', ttl: 60, proxied: false, owner: OWNER, healthy: [], existing: [], maxChanges: 10, ...over };
}

describe('Function: ownershipComment', () => {
  it('fits a Free plan comment (100 characters) with the longest names the config allows', () => {
    const comment = ownershipComment('c'.repeat(40), 'e'.repeat(40));
    expect(comment.length).toBeLessThanOrEqual(100);
    expect(comment).toBe(`shepherd:${'c'.repeat(40)}/${'e'.repeat(40)}`);
  });

  it('owns only records with exactly its comment', () => {
    expect(isOwnedBy({ comment: OWNER }, OWNER)).toBe(true);
    expect(isOwnedBy({ comment: ownershipComment('kosmos-demo', 'api') }, OWNER)).toBe(false);
    expect(isOwnedBy({ comment: null }, OWNER)).toBe(false);
  });
});

describe('Function: planChanges', () => {
  it('adds the healthy addresses and removes the others in one batch', () => {
    const dead = record('app.example.com', '198.18.0.1');
    const plan = planChanges(inputs({ healthy: ['198.18.0.2', '198.18.0.3'], existing: [dead, record('app.example.com', '198.18.0.2')] }));
    expect(plan.batch.posts).toEqual([{ name: 'app.example.com', type: 'A', content: '198.18.0.3', ttl: 60, proxied: false, comment: OWNER }]);
    expect(plan.batch.deletes).toEqual([{ id: dead.id, name: 'app.example.com', content: '198.18.0.1' }]);
    expect(plan.batch.patches).toEqual([]);
    expect(plan.before).toEqual({ 'app.example.com': ['198.18.0.1', '198.18.0.2'] });
    expect(plan.after).toEqual({ 'app.example.com': ['198.18.0.2', '198.18.0.3'] });
    expect(plan.alerts).toEqual([]);
  });

  it('changes nothing when the records already hold exactly the healthy addresses', () => {
    const plan = planChanges(inputs({ healthy: ['198.18.0.2'], existing: [record('app.example.com', '198.18.0.2')] }));
    expect(plan.batch).toEqual({ posts: [], patches: [], deletes: [] });
  });

  it('with no healthy target keeps every record and raises an alert', () => {
    const existing = [record('app.example.com', '198.18.0.1'), record('www.example.com', '198.18.0.1')];
    const plan = planChanges(inputs({ names: ['app.example.com', 'www.example.com'], healthy: [], existing }));
    expect(plan.batch).toEqual({ posts: [], patches: [], deletes: [] });
    expect(plan.alerts).toEqual([{ kind: 'no-healthy-target', names: ['app.example.com', 'www.example.com'] }]);
    expect(plan.after).toEqual(plan.before);
  });

  it('never modifies a foreign record at the same name and reports it', () => {
    const foreign = record('app.example.com', '203.0.113.50', { comment: 'managed by hand' });
    const other = record('app.example.com', '203.0.113.51', { comment: ownershipComment('other-cluster', 'app') });
    const txt = record('app.example.com', 'v=spf1 -all', { type: 'TXT', comment: null });
    const plan = planChanges(inputs({ healthy: ['198.18.0.2'], existing: [foreign, other, txt] }));
    expect(plan.batch.posts.map((p) => p.content)).toEqual(['198.18.0.2']);
    expect(plan.batch.deletes).toEqual([]);
    expect(plan.conflicts).toEqual([
      { name: 'app.example.com', type: 'A', content: '203.0.113.50', id: foreign.id, blocks: 'nothing' },
      { name: 'app.example.com', type: 'A', content: '203.0.113.51', id: other.id, blocks: 'nothing' },
    ]);
  });

  it('does not add an address a foreign record already serves (Cloudflare refuses identical records)', () => {
    const foreign = record('app.example.com', '198.18.0.2', { comment: null });
    const plan = planChanges(inputs({ healthy: ['198.18.0.2', '198.18.0.3'], existing: [foreign] }));
    expect(plan.batch.posts.map((p) => p.content)).toEqual(['198.18.0.3']);
    expect(plan.conflicts.map((c) => c.blocks)).toEqual(['address']);
  });

  it('leaves a name held by a foreign CNAME alone', () => {
    const cname = record('app.example.com', 'lb.example.net', { type: 'CNAME', comment: null });
    const plan = planChanges(inputs({ names: ['app.example.com', 'www.example.com'], healthy: ['198.18.0.2'], existing: [cname] }));
    expect(plan.batch.posts.map((p) => p.name)).toEqual(['www.example.com']);
    expect(plan.conflicts).toEqual([{ name: 'app.example.com', type: 'CNAME', content: 'lb.example.net', id: cname.id, blocks: 'name' }]);
  });

  it('fixes the TTL and proxying of a record it keeps, and removes duplicates', () => {
    const stale = record('app.example.com', '198.18.0.2', { ttl: 300 });
    const duplicate = record('app.example.com', '198.18.0.2', { ttl: 60 });
    const plan = planChanges(inputs({ healthy: ['198.18.0.2'], existing: [stale, duplicate] }));
    // The first of equal records (by id) is kept and fixed; the other goes.
    expect(plan.batch.patches).toEqual([{ id: stale.id, name: 'app.example.com', type: 'A', content: '198.18.0.2', ttl: 60, proxied: false, comment: OWNER }]);
    expect(plan.batch.deletes).toEqual([{ id: duplicate.id, name: 'app.example.com', content: '198.18.0.2' }]);
    expect(plan.after).toEqual({ 'app.example.com': ['198.18.0.2'] });
  });

  it('caps the changes of a run, additions first, and says how many wait', () => {
    const names = ['a.example.com', 'b.example.com', 'c.example.com'];
    const existing = names.map((n) => record(n, '198.18.0.1'));
    const plan = planChanges(inputs({ names, healthy: ['198.18.0.2'], existing, maxChanges: 4 }));
    expect(plan.batch.posts.map((p) => p.name)).toEqual(names);
    expect(plan.batch.deletes.map((d) => d.name)).toEqual(['a.example.com']);
    expect(plan.alerts).toEqual([{ kind: 'changes-deferred', deferred: 2, cap: 4 }]);
  });

  it('never removes the last address of a name whose addition the cap deferred', () => {
    const names = ['a.example.com', 'b.example.com'];
    const existing = names.map((n) => record(n, '198.18.0.1'));
    const plan = planChanges(inputs({ names, healthy: ['198.18.0.2'], existing, maxChanges: 3 }));
    // A budget of 3: both additions, then the removal at a; b's removal waits.
    expect(plan.batch.posts.map((p) => p.name)).toEqual(names);
    expect(plan.batch.deletes.map((d) => d.name)).toEqual(['a.example.com']);
    const tight = planChanges(inputs({ names, healthy: ['198.18.0.2'], existing, maxChanges: 1 }));
    expect(tight.batch.posts.map((p) => p.name)).toEqual(['a.example.com']);
    expect(tight.batch.deletes).toEqual([]);
    expect(tight.after['b.example.com']).toEqual(['198.18.0.1']);
    for (let maxChanges = 1; maxChanges <= 5; maxChanges++) {
      const capped = planChanges(inputs({ names, healthy: ['198.18.0.2'], existing, maxChanges }));
      for (const name of names) expect(capped.after[name].length, `cap ${maxChanges}, ${name}`).toBeGreaterThan(0);
    }
  });

  it('removes the last address only for a name that still gets a healthy one', () => {
    const plan = planChanges(inputs({ healthy: ['198.18.0.9'], existing: [record('app.example.com', '198.18.0.1')], maxChanges: 2 }));
    expect(plan.after).toEqual({ 'app.example.com': ['198.18.0.9'] });
    expect(plan.batch.deletes).toHaveLength(1);
  });

  it('refuses a TTL Cloudflare would refuse and an address that is not of the record type', () => {
    const bad = [
      () => planChanges(inputs({ ttl: 30, healthy: ['198.18.0.2'] })),
      () => planChanges(inputs({ ttl: 60, proxied: true, healthy: ['198.18.0.2'] })),
      () => planChanges(inputs({ healthy: ['2001:db8::1'] })),
      () => planChanges(inputs({ healthy: ['not-an-ip'] })),
    ];
    for (const call of bad) {
      let thrown: unknown;
      try {
        call();
      } catch (err) {
        thrown = err;
      }
      expect(isInvalidRecordSpecError(thrown)).toBe(true);
    }
  });
});

describe('Function: addressProblem', () => {
  it('accepts public addresses of the record family and names the range of the others', () => {
    expect(addressProblem('203.0.113.7', 'A')).toBeUndefined();
    expect(addressProblem('2001:db8::7', 'AAAA')).toBeUndefined();
    expect(addressProblem('10.1.2.3', 'A')).toMatch(/private/);
    expect(addressProblem('100.64.0.1', 'A')).toMatch(/carrier-grade NAT/);
    expect(addressProblem('127.0.0.1', 'A')).toMatch(/loopback/);
    expect(addressProblem('fd00::1', 'AAAA')).toMatch(/unique local/);
    expect(addressProblem('fe80::1', 'AAAA')).toMatch(/link-local/);
    expect(addressProblem('203.0.113.7', 'AAAA')).toBe('"203.0.113.7" is not an IPv6 address');
    expect(addressProblem('300.1.1.1', 'A')).toBe('"300.1.1.1" is not an IPv4 address');
  });
});

describe('Function: ttlProblem', () => {
  it('allows 1 and 60..86400, and only 1 when proxied', () => {
    expect([1, 60, 86400].map((t) => ttlProblem(t, false))).toEqual([undefined, undefined, undefined]);
    expect(ttlProblem(59, false)).toMatch(/not 1 \(automatic\) or 60 to 86400/);
    expect(ttlProblem(86401, false)).toBeDefined();
    expect(ttlProblem(1, true)).toBeUndefined();
    expect(ttlProblem(60, true)).toMatch(/proxied/);
  });
});
