import { describe, expect, it } from 'vitest';
import { type DecisionFigures, formatChecks, formatFigures, GOALS, goalChecks, type OutageFigures, scalewayAutoscalerS } from '../../bench/buffers/figures.js';

const outage = (extra: Partial<OutageFigures> = {}): OutageFigures => ({
  kind: 'outage',
  provider: 'aws',
  podShare: 0.33,
  lostPods: 4,
  scaleBufferStartedS: 70,
  firstLaunchS: 75,
  bufferNodes: 2,
  capacityReadyS: 110,
  bootJoinS: 55,
  evictedS: 340,
  podsRunningS: 345,
  ...extra,
});

const decision = (extra: Partial<DecisionFigures> = {}): DecisionFigures => ({
  kind: 'decision',
  pods: 500,
  shapes: 20,
  pendingToDecisionS: 12,
  scaleUps: [{ pool: 'scw-buffer', count: 3 }],
  waiting: 480,
  unplaceable: 0,
  lambda: { ms: 900, peakRssMiB: 120, memoryMb: 256, ok: true },
  ...extra,
});

describe('Function: goalChecks (bench:buffers)', () => {
  it('checks outage to capacity against the measured boot and join time plus 60 s', () => {
    const [met] = goalChecks([outage({ capacityReadyS: 55 + GOALS.outageOverheadS })]);
    expect(met.met).toBe(true);
    expect(met.goal).toContain('115.0 s');
    expect(goalChecks([outage({ capacityReadyS: 55 + GOALS.outageOverheadS + 0.1 })])[0].met).toBe(false);
    expect(goalChecks([outage({ capacityReadyS: undefined })])[0]).toMatchObject({ met: false, actual: 'never' });
    expect(goalChecks([outage({ bootJoinS: undefined })])[0].met).toBe(false);
  });

  it('checks the decision time, and the Lambda duration and memory each on its own', () => {
    expect(goalChecks([decision()]).map((c) => c.met)).toEqual([true, true, true]);
    expect(goalChecks([decision({ pendingToDecisionS: 16 })]).map((c) => c.met)).toEqual([false, true, true]);
    expect(goalChecks([decision({ lambda: { ms: 2500, peakRssMiB: 300, memoryMb: 256, ok: true } })]).map((c) => c.met)).toEqual([true, false, false]);
    expect(goalChecks([decision({ lambda: { ms: 100, peakRssMiB: 100, memoryMb: 256, ok: false } })])[1].met).toBe(false);
    expect(goalChecks([decision({ lambda: undefined })]).map((c) => [c.met, c.actual])).toEqual([
      [true, '12.0 s'],
      [false, 'not measured'],
      [false, 'not measured'],
    ]);
  });

  it('prints PASS or FAIL per goal', () => {
    const lines = formatChecks(goalChecks([outage(), decision({ pendingToDecisionS: undefined })]));
    expect(lines[0]).toMatch(/^PASS {2}outage \(aws dark\) -> buffer capacity Ready: 110\.0 s/);
    expect(lines[1]).toMatch(/^FAIL {2}500 pending pods of 20 shapes -> decision: never/);
  });
});

describe('Function: scalewayAutoscalerS', () => {
  it('models an autoscaler that reacts once the evicted pods are pending: eviction + scan + boot and join', () => {
    expect(scalewayAutoscalerS(outage({ evictedS: 340, bootJoinS: 55 }))).toBe(340 + 10 + 55);
    expect(scalewayAutoscalerS(outage({ evictedS: undefined }))).toBeUndefined();
    expect(formatFigures(outage()).join('\n')).toContain('Scaleway autoscaler    405.0 s');
  });
});
