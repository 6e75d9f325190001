import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../bench/chaos/invariants.js';
import { formatSummary } from '../../bench/chaos/report.js';
import type { SeedRun } from '../../bench/chaos/run-seed.js';
import type { ChaosObservation } from '../../bench/chaos/types.js';

const empty: ChaosObservation = { now: 0, worstCaseMs: 60_000, pools: ['p'], vms: [], nodes: [], foreignBefore: [], claims: [], counters: [] };

function run(seed: number, observation: ChaosObservation): SeedRun {
  const plan = { executions: [], removals: [], apiFaults: [], throttles: [], lambdaFaults: [], neverJoin: { pool: 'p', match: {} } };
  return {
    seed,
    plan,
    statuses: {},
    errors: {},
    lambdaFaultHits: 0,
    observation,
    results: checkInvariants(observation),
    wallSeconds: 1,
    cpuSeconds: 1,
    simulatedMinutes: 1,
  };
}

describe('Function: formatSummary', () => {
  it('PASS when every invariant holds on every seed', () => {
    expect(formatSummary([run(1, empty), run(2, empty)])).toEqual([
      'summary over seeds 1, 2: VMs without a Node 0, claims with more than one VM 0, claims counted against Nodes 0, claims stuck past their expiry 0, foreign nodes touched 0',
      'PASS  every invariant holds on every seed',
    ]);
  });

  it('FAIL naming each violated invariant, with violations added over the seeds', () => {
    // A VM with no Node whose claim the pool does not count: two invariants fail.
    const orphan: ChaosObservation = {
      ...empty,
      vms: [{ id: 'i-1', provider: 'aws', pool: 'p', claimId: 'c', live: true, hasNode: false }],
      counters: [],
    };
    const lines = formatSummary([run(1, orphan), run(2, orphan)]);
    expect(lines[0]).toContain('VMs without a Node 2,');
    expect(lines[1]).toBe('FAIL  violated: VMs without a Node, claims counted against Nodes');
  });
});
