import { describe, expect, it } from 'vitest';
import { type DecisionFigures, formatChecks, formatFigures, GOALS, goalChecks, type OutageFigures, scalewayAutoscalerS } from '../../bench/buffers/figures.js';

const outage = (extra: Partial<OutageFigures> = {}): OutageFigures => ({
  kind: 'outage',
  provider: 'aws',
  podShare: 0.33,
  lostPods: 4,
  darkNodes: 4,
  degradedMinNodes: 4,
  notReadyS: 40,
  degradedS: 62,
  scaleBufferStartedS: 62.5,
  firstLaunchS: 75,
  bufferNodes: 2,
  capacityReadyS: 110,
  bootJoinS: 55,
  evictedS: 340,
  lastEvictedS: 341,
  podsRunningS: 345,
  ...extra,
});

const decision = (extra: Partial<DecisionFigures> = {}): DecisionFigures => ({
  kind: 'decision',
  pods: 500,
  shapes: 20,
  pendingToDecisionS: 12,
  pendingToWatcherS: 10,
  watcherToDecisionS: 2,
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
    expect(goalChecks([outage({ capacityReadyS: undefined })])[0]).toMatchObject({ met: false, actual: expect.stringMatching(/^never = .*Ready never/) });
    expect(goalChecks([outage({ bootJoinS: undefined })])[0].met).toBe(false);
  });

  it('says where a missed outage goal went: NotReady, the watcher pass, ScaleBuffer, boot and join', () => {
    const [missed] = goalChecks([outage({ capacityReadyS: 185, firstLaunchS: 64.5, bootJoinS: 120.5 })]);
    expect(missed.met).toBe(false);
    expect(missed.actual).toContain('Nodes NotReady 40.0 s');
    expect(missed.actual).toContain('Provider Degraded +22.0 s');
    expect(missed.actual).toContain('first buffer VM +2.0 s');
    expect(missed.actual).toContain('Ready +120.5 s (boot+join)');
  });

  it('names the watcher threshold when the provider was never called degraded', () => {
    const [never] = goalChecks([outage({ degradedS: undefined, darkNodes: 2, capacityReadyS: undefined })]);
    expect(never.met).toBe(false);
    expect(never.actual).toContain('2 aws Node(s) NotReady < watcher.degradedMinNodes 4');
    expect(goalChecks([outage({ degradedS: undefined })])[0].actual).not.toContain('degradedMinNodes');
  });

  it('checks the decision time, and the Lambda duration and memory each on its own', () => {
    expect(goalChecks([decision()]).map((c) => c.met)).toEqual([true, true, true]);
    expect(goalChecks([decision({ pendingToDecisionS: 16 })]).map((c) => c.met)).toEqual([false, true, true]);
    expect(goalChecks([decision({ lambda: { ms: 2500, peakRssMiB: 300, memoryMb: 256, ok: true } })]).map((c) => c.met)).toEqual([true, false, false]);
    expect(goalChecks([decision({ lambda: { ms: 100, peakRssMiB: 100, memoryMb: 256, ok: false } })])[1].met).toBe(false);
    expect(goalChecks([decision({ lambda: undefined })]).map((c) => [c.met, c.actual])).toEqual([
      [true, expect.stringMatching(/^12\.0 s \(/)],
      [false, 'not measured'],
      [false, 'not measured'],
    ]);
  });

  it('splits the decision time at the watcher event: its poll, then intake and ScaleBuffer', () => {
    const [check] = goalChecks([decision({ pendingToDecisionS: 64, pendingToWatcherS: 61, watcherToDecisionS: 3 })]);
    expect(check.met).toBe(false);
    expect(check.actual).toMatch(/^64\.0 s \(first pending -> watcher reports it 61\.0 s: .*watcher event -> decision 3\.0 s/);
    const printed = formatFigures(decision({ pendingToWatcherS: 61, watcherToDecisionS: undefined })).join('\n');
    expect(printed).toMatch(/first pending -> watcher reports it {2}61\.0 s/);
    expect(printed).toMatch(/watcher event -> decision {12}never/);
  });

  it('prints the evictions and the pods Running again against the capacity', () => {
    const printed = formatFigures(outage()).join('\n');
    expect(printed).toContain('lost pods evicted      340.0 s .. 341.0 s');
    expect(printed).toContain('every pod Running      345.0 s (+4.0 s after the last eviction; the capacity was Ready 230.0 s before the first)');
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
