import { describe, expect, it } from 'vitest';
import type { EntrypointConfig } from '../../../config/types.js';
import { FAKE_PASS, FakeTargetProbe, fakeTimeout } from '../../../functions/adapters/probe/fake-probe.js';
import type { TargetHealthChange } from '../../../functions/decisions/dns/check-round.js';
import type { DnsNodeView } from '../../../functions/decisions/dns/types.js';
import { runCheckRound } from '../../../functions/dns-checks/round.js';
import { MemoryCheckStates } from '../../helpers/memory-check-states.js';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');

function entrypoint(name: string, pool: string, check?: EntrypointConfig['check']): EntrypointConfig {
  return {
    name,
    zoneName: 'example.com',
    records: [`${name}.example.com`],
    type: 'A',
    ttl: 60,
    proxied: false,
    eligiblePools: [pool],
    addressSource: { from: 'external-ip' },
    fall: 3,
    rise: 2,
    maxChangesPerRun: 10,
    ...(check ? { check } : {}),
  };
}

function node(name: string, pool: string, address: string): DnsNodeView {
  return {
    name,
    labels: { 'shepherd.io/pool': pool },
    annotations: {},
    ready: 'True',
    unschedulable: false,
    taints: [],
    addresses: [{ type: 'ExternalIP', address }],
  };
}

describe('Function: runCheckRound', () => {
  const tcp = { protocol: 'tcp' as const, port: 443, timeoutMs: 2000 };
  const nodes = [node('home-1', 'home', '203.0.113.10'), node('aws-1', 'aws', '198.51.100.7'), node('home-2', 'home', '203.0.113.11')];

  function harness() {
    const probe = new FakeTargetProbe({ '203.0.113.10': FAKE_PASS, '203.0.113.11': FAKE_PASS, '198.51.100.7': FAKE_PASS });
    const states = new MemoryCheckStates();
    const published: TargetHealthChange[][] = [];
    let now = T0;
    let listed = 0;
    const deps = {
      nodes: async () => {
        listed += 1;
        return nodes;
      },
      probe,
      states,
      publish: async (changes: TargetHealthChange[]) => {
        published.push(changes);
      },
      now: () => {
        now += 10_000;
        return new Date(now);
      },
      fastIntervalSeconds: 2,
    };
    return { deps, probe, states, published, listed: () => listed };
  }

  it('probes the candidates of each entrypoint with a check, with its check, and lists the Nodes once', async () => {
    const h = harness();
    const summary = await runCheckRound(h.deps, [entrypoint('www', 'home', tcp), entrypoint('api', 'aws'), entrypoint('edge', 'aws', tcp)]);
    expect(h.listed()).toBe(1);
    expect(h.probe.calls.map((c) => c.address).sort()).toEqual(['198.51.100.7', '203.0.113.10', '203.0.113.11']);
    expect(h.probe.calls.every((c) => c.check === tcp)).toBe(true);
    expect(summary).toMatchObject({ entrypoints: 2, probed: 3, failed: 0, written: 3, changes: [] });
    expect([...(h.states.items.get('www')?.keys() ?? [])].sort()).toEqual(['203.0.113.10', '203.0.113.11']);
  });

  it('publishes the first decision of new targets after rise passes, then a flip once the fall-th failure is stored, and nothing between', async () => {
    const h = harness();
    const eps = [entrypoint('www', 'home', tcp)];
    // New targets: undecided after one pass, decided healthy (and published, one event for both) after rise = 2.
    await runCheckRound(h.deps, eps);
    expect(h.published).toHaveLength(0);
    await runCheckRound(h.deps, eps);
    expect(h.published).toHaveLength(1);
    expect(h.published[0].map((c) => [c.address, c.healthy]).sort()).toEqual([
      ['203.0.113.10', true],
      ['203.0.113.11', true],
    ]);
    h.published.length = 0;
    h.probe.answer('203.0.113.10', fakeTimeout());
    for (let i = 0; i < 3; i++) await runCheckRound(h.deps, eps);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toEqual([expect.objectContaining({ entrypoint: 'www', address: '203.0.113.10', nodeName: 'home-1', healthy: false, failures: 3 })]);
    expect(h.states.items.get('www')?.get('203.0.113.10')).toMatchObject({ healthy: false, failures: 3, detail: 'connect timeout after 2000 ms' });
  });

  it('returns a re-check after the fast interval for the targets on their way down, none once they fell or passed', async () => {
    const h = harness();
    const eps = [entrypoint('www', 'home', tcp)];
    await runCheckRound(h.deps, eps);
    expect((await runCheckRound(h.deps, eps)).rechecks).toEqual([]);
    h.probe.answer('203.0.113.10', fakeTimeout());
    const first = await runCheckRound(h.deps, eps);
    const stored = h.states.items.get('www')?.get('203.0.113.10');
    expect(first.rechecks).toEqual([{ entrypoint: 'www', delaySeconds: 2, targets: [{ address: '203.0.113.10', after: stored?.checkedAt }] }]);
    expect((await runCheckRound(h.deps, eps)).rechecks).toHaveLength(1);
    expect((await runCheckRound(h.deps, eps)).rechecks).toEqual([]);
    h.probe.answer('203.0.113.10', FAKE_PASS);
    expect((await runCheckRound(h.deps, eps)).rechecks).toEqual([]);
  });

  it('a round with no entrypoint checked reads nothing', async () => {
    const h = harness();
    expect(await runCheckRound(h.deps, [entrypoint('api', 'aws')])).toEqual({ entrypoints: 0, probed: 0, failed: 0, written: 0, changes: [], rechecks: [] });
    expect(h.listed()).toBe(0);
  });

  it('a probe that throws counts as a failed check', async () => {
    const h = harness();
    h.deps.probe = { probe: async () => Promise.reject(new Error('socket exploded')) } as unknown as FakeTargetProbe;
    const summary = await runCheckRound(h.deps, [entrypoint('edge', 'aws', tcp)]);
    expect(summary.failed).toBe(1);
    expect(h.states.items.get('edge')?.get('198.51.100.7')?.detail).toBe('probe failed: socket exploded');
  });
});
