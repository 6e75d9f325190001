import { describe, expect, it } from 'vitest';
import { formatChecks, GOALS, goalChecks } from '../../bench/healing/report.js';
import type { ScenarioFigures } from '../../bench/healing/scenarios.js';

const spot = (cordonedS?: number, replacementStartedS?: number): ScenarioFigures => ({
  kind: 'spot-warning',
  pool: 'aws-arm64',
  node: 'n-1',
  reclaimS: 120,
  heals: [],
  ...(cordonedS !== undefined ? { cordonedS } : {}),
  ...(replacementStartedS !== undefined ? { replacementStartedS } : {}),
});
const gone = (provider: string, nodeDeletedS?: number): ScenarioFigures => ({
  kind: 'vm-gone',
  provider,
  pool: `${provider}-pool`,
  node: `n-${provider}`,
  heals: [],
  ...(nodeDeletedS !== undefined ? { nodeDeletedS } : {}),
});

describe('Function: goalChecks', () => {
  it('checks the spot warning against both goals and each deleted VM against its own, at the boundary inclusive', () => {
    const checks = goalChecks([spot(GOALS.spotCordonS, GOALS.spotReplacementS + 0.1), gone('aws', 42), gone('gcp', GOALS.vmGoneNodeDeletedS)]);
    expect(checks.map((c) => [c.scenario, c.what, c.met])).toEqual([
      ['spot warning (aws-arm64)', 'warning -> cordoned', true],
      ['spot warning (aws-arm64)', 'warning -> replacement started', false],
      ['VM deleted out of band (aws)', 'VM gone -> stale Node deleted', true],
      ['VM deleted out of band (gcp)', 'VM gone -> stale Node deleted', true],
    ]);
  });

  it('counts what never happened as a missed goal, and says "never"', () => {
    const checks = goalChecks([spot(), gone('scaleway')]);
    expect(checks.every((c) => !c.met)).toBe(true);
    expect(formatChecks(checks)).toEqual([
      'FAIL  spot warning (aws-arm64): warning -> cordoned never (goal <= 10 s)',
      'FAIL  spot warning (aws-arm64): warning -> replacement started never (goal <= 10 s)',
      'FAIL  VM deleted out of band (scaleway): VM gone -> stale Node deleted never (goal <= 90 s)',
    ]);
  });
});
