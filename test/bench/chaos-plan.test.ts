import { describe, expect, it } from 'vitest';
import { launchablePools, planChaos } from '../../bench/chaos/plan.js';
import { parseSeeds } from '../../bench/chaos/seeds.js';
import { loadConfigFile } from '../../config/load.js';
import { claimIdOf } from '../../functions/decisions/provision.js';
import { Random } from '../../sim/index.js';

const config = loadConfigFile('shepherd.config.json');
const pools = launchablePools(config);
const cluster = config.cluster.name;

describe('Function: planChaos', () => {
  it('the same seed gives the same plan, another seed another one', () => {
    const plan = (seed: number) => planChaos(new Random(seed), { cluster, executions: 12, pools });
    expect(plan(4)).toEqual(plan(4));
    expect(plan(5)).not.toEqual(plan(4));
  });

  it('over many seeds: executions on launchable pools only, repeats carry their original input, aborts come after the start', () => {
    const names = new Set(pools.map((p) => p.name));
    let repeats = 0;
    let aborts = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const plan = planChaos(new Random(seed), { cluster, executions: 8, pools });
      expect(plan.executions).toHaveLength(8);
      expect(names.has(plan.neverJoin.pool)).toBe(true);
      for (const e of plan.executions) {
        expect(names.has(e.input.pool)).toBe(true);
        if (e.duplicateOf) {
          repeats++;
          const original = plan.executions.find((o) => o.name === e.duplicateOf);
          expect(e.input).toEqual(original?.input);
          expect(e.name).not.toBe(original?.name);
        }
        if (e.abortAtMs !== undefined) {
          aborts++;
          expect(e.abortAtMs).toBeGreaterThan(e.startAtMs);
        }
      }
      expect(plan.lambdaFaults.some((r) => r.fault.kind === 'timeout' && r.fault.afterHandler)).toBe(true);
      expect(plan.apiFaults.map((f) => f.server)).toContain('kube');
    }
    expect(repeats).toBeGreaterThan(0);
    expect(aborts).toBeGreaterThan(0);
  });

  it("over many seeds: removals target the first claim of one of the plan's own provisions, after it started; repeats keep the input", () => {
    let removals = 0;
    let repeats = 0;
    let forced = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const plan = planChaos(new Random(seed), { cluster, executions: 8, pools });
      for (const r of plan.removals) {
        removals++;
        const target = plan.executions.find((e) => e.name === r.removes);
        expect(target?.duplicateOf).toBeUndefined();
        expect(r.input.claimId).toBe(claimIdOf(cluster, target?.input.pool ?? '', target?.input.requestId ?? '', 0));
        expect(r.startAtMs).toBeGreaterThan(target?.startAtMs ?? Number.POSITIVE_INFINITY);
        if (r.input.force) forced++;
        if (r.duplicateOf) {
          repeats++;
          expect(r.input).toEqual(plan.removals.find((o) => o.name === r.duplicateOf)?.input);
        }
        if (r.abortAtMs !== undefined) expect(r.abortAtMs).toBeGreaterThan(r.startAtMs);
      }
      expect(new Set(plan.removals.map((r) => r.name)).size).toBe(plan.removals.length);
    }
    expect(removals).toBeGreaterThan(40);
    expect(repeats).toBeGreaterThan(0);
    expect(forced).toBeGreaterThan(0);
  });

  it('refuses a config with no pool shepherd can launch into', () => {
    expect(() => planChaos(new Random(1), { cluster, executions: 1, pools: [] })).toThrow(/no pool shepherd can launch into/);
  });
});

describe('Function: parseSeeds', () => {
  it('reads lists and ranges, once each', () => {
    expect(parseSeeds('1,2,3')).toEqual([1, 2, 3]);
    expect(parseSeeds('4-6,1,5')).toEqual([4, 5, 6, 1]);
    expect(parseSeeds('7')).toEqual([7]);
  });

  it('names what it cannot read', () => {
    expect(() => parseSeeds('3-1')).toThrow('--seeds: cannot read "3-1"; say 1,2,3 or 1-5');
    expect(() => parseSeeds('a')).toThrow(/cannot read "a"/);
    expect(() => parseSeeds('1-2-3')).toThrow(/cannot read "1-2-3"/);
  });
});
