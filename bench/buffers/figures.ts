/** The figures of bench:buffers, in simulated seconds unless named otherwise; undefined: it never happened within the cap. */

export interface OutageFigures {
  kind: 'outage';
  /** The provider that went dark, and the share of the workload's pods it ran then. */
  provider: string;
  podShare: number;
  /** Pods that ran on it. */
  lostPods: number;
  /** Its Nodes, and the watcher's threshold for calling a provider degraded (watcher.degradedMinNodes). */
  darkNodes: number;
  degradedMinNodes: number;
  /**
   * Dark -> its first Node NotReady (the node monitor grace period) -> the watcher's Provider Degraded (the pass the
   * next cluster hint round starts, every watcher.hintSeconds) -> ScaleBuffer started -> first buffer VM launched.
   */
  notReadyS?: number;
  degradedS?: number;
  scaleBufferStartedS?: number;
  firstLaunchS?: number;
  /** The added buffer nodes: how many, and dark -> all of them Ready. */
  bufferNodes: number;
  capacityReadyS?: number;
  /** One buffer VM's launch -> its Node Ready: the boot and join time the goal adds 60 s to. */
  bootJoinS?: number;
  /** Dark -> the first and the last lost pod evicted (Kubernetes' 300 s unreachable toleration) -> every pod Running again. */
  evictedS?: number;
  lastEvictedS?: number;
  podsRunningS?: number;
}

export interface DecisionFigures {
  kind: 'decision';
  pods: number;
  shapes: number;
  /**
   * The first pod of the burst unschedulable -> the plan of the ScaleBuffer run that took it decided; split at the
   * watcher's Pods Became Unschedulable (the pass a cluster hint round starts, every watcher.hintSeconds).
   */
  pendingToDecisionS?: number;
  pendingToWatcherS?: number;
  watcherToDecisionS?: number;
  /** What that decision asked for: nodes per pool, pods left waiting or unplaceable. */
  scaleUps: { pool: string; count: number }[];
  waiting: number;
  unplaceable: number;
  /** The decision Lambda (scale-buffer, action plan) replayed in a fresh process as bench:functions measures: wall ms, peak RSS. */
  lambda?: { ms: number; peakRssMiB: number; memoryMb: number; ok: boolean };
}

export type BufferFigures = OutageFigures | DecisionFigures;

/** The issue's goals. */
export const GOALS = {
  /** Outage -> capacity Ready: boot and join time plus at most this. */
  outageOverheadS: 60,
  /** First pending pod -> decision. */
  pendingToDecisionS: 15,
  /** The decision Lambda's own duration and memory. */
  lambdaMs: 2000,
  lambdaMiB: 256,
};

/**
 * Scaleway's pool autoscaler (Cluster Autoscaler underneath) only reacts to pods already pending: the lost pods go
 * pending when Kubernetes evicts them (not-ready/unreachable tolerations, 300 s after the Node went NotReady), then
 * its scan (scan-interval 10 s) and the node's boot and join. Its figure is modelled from the measured ones.
 */
export const SCALEWAY_SCAN_S = 10;

export function scalewayAutoscalerS(f: OutageFigures): number | undefined {
  return f.evictedS === undefined || f.bootJoinS === undefined ? undefined : f.evictedS + SCALEWAY_SCAN_S + f.bootJoinS;
}

export interface GoalCheck {
  what: string;
  goal: string;
  actual: string;
  met: boolean;
}

const s = (v: number | undefined) => (v === undefined ? 'never' : `${v.toFixed(1)} s`);

const since = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? 'never' : `+${(to - from).toFixed(1)} s`);

/** Where the outage's time went, stage by stage, and why a stage never came. */
function outageWhy(f: OutageFigures): string {
  if (f.degradedS === undefined) {
    const few = f.darkNodes < f.degradedMinNodes ? `: ${f.darkNodes} ${f.provider} Node(s) NotReady < watcher.degradedMinNodes ${f.degradedMinNodes}` : '';
    return ` (no Provider Degraded${few})`;
  }
  return ` = Nodes NotReady ${s(f.notReadyS)} (node monitor grace), Provider Degraded ${since(f.notReadyS, f.degradedS)} (a cluster hint round, then the watcher's pass), ScaleBuffer started ${since(f.degradedS, f.scaleBufferStartedS)}, first buffer VM ${since(f.scaleBufferStartedS, f.firstLaunchS)}, Ready ${since(f.firstLaunchS, f.capacityReadyS)} (boot+join)`;
}

export function goalChecks(figures: BufferFigures[]): GoalCheck[] {
  return figures.flatMap((f): GoalCheck[] => {
    if (f.kind === 'outage') {
      const goalS = f.bootJoinS === undefined ? undefined : f.bootJoinS + GOALS.outageOverheadS;
      return [
        {
          what: `outage (${f.provider} dark) -> buffer capacity Ready`,
          goal:
            goalS === undefined
              ? `boot+join (unmeasured) + ${GOALS.outageOverheadS} s`
              : `<= ${goalS.toFixed(1)} s (boot+join ${s(f.bootJoinS)} + ${GOALS.outageOverheadS} s)`,
          actual: `${s(f.capacityReadyS)}${outageWhy(f)}`,
          met: goalS !== undefined && f.capacityReadyS !== undefined && f.capacityReadyS <= goalS,
        },
      ];
    }
    return [
      {
        what: `${f.pods} pending pods of ${f.shapes} shapes -> decision`,
        goal: `<= ${GOALS.pendingToDecisionS} s`,
        actual: `${s(f.pendingToDecisionS)} (first pending -> watcher reports it ${s(f.pendingToWatcherS)}: a cluster hint round, then the pass it starts; watcher event -> decision ${s(f.watcherToDecisionS)}: intake + ScaleBuffer)`,
        met: f.pendingToDecisionS !== undefined && f.pendingToDecisionS <= GOALS.pendingToDecisionS,
      },
      {
        what: 'decision Lambda duration (fresh process, real event)',
        goal: `<= ${GOALS.lambdaMs} ms`,
        actual: f.lambda ? `${Math.round(f.lambda.ms)} ms${f.lambda.ok ? '' : ' (the call failed)'}` : 'not measured',
        met: f.lambda?.ok === true && f.lambda.ms <= GOALS.lambdaMs,
      },
      {
        what: 'decision Lambda peak memory',
        goal: `<= ${GOALS.lambdaMiB} MiB`,
        actual: f.lambda ? `${Math.round(f.lambda.peakRssMiB)} MiB (configured ${f.lambda.memoryMb} MB)` : 'not measured',
        met: f.lambda !== undefined && f.lambda.peakRssMiB <= GOALS.lambdaMiB,
      },
    ];
  });
}

export function formatFigures(f: BufferFigures): string[] {
  if (f.kind === 'outage') {
    return [
      `outage: ${f.provider} goes dark (${f.darkNodes} Nodes; watcher.degradedMinNodes ${f.degradedMinNodes}), carrying ${(f.podShare * 100).toFixed(0)} % of the workload's pods (${f.lostPods} pods)`,
      `  Nodes NotReady         ${s(f.notReadyS)}`,
      `  Provider Degraded      ${s(f.degradedS)}`,
      `  ScaleBuffer started    ${s(f.scaleBufferStartedS)}`,
      `  first buffer VM        ${s(f.firstLaunchS)}`,
      `  capacity Ready         ${s(f.capacityReadyS)} (${f.bufferNodes} buffer node(s); boot+join ${s(f.bootJoinS)})`,
      `  lost pods evicted      ${s(f.evictedS)} .. ${s(f.lastEvictedS)} (Kubernetes' taint manager, 300 s after NotReady: no autoscaler runs them sooner)`,
      `  every pod Running      ${s(f.podsRunningS)} (${since(f.lastEvictedS, f.podsRunningS)} after the last eviction; the capacity was Ready ${f.capacityReadyS !== undefined && f.evictedS !== undefined ? `${(f.evictedS - f.capacityReadyS).toFixed(1)} s before the first` : 'never'})`,
      `  Scaleway autoscaler    ${s(scalewayAutoscalerS(f))} to capacity (modelled: eviction + ${SCALEWAY_SCAN_S} s scan + boot+join)`,
    ];
  }
  return [
    `decision: ${f.pods} pending pods of ${f.shapes} shapes`,
    `  first pending -> decision  ${s(f.pendingToDecisionS)}`,
    `    first pending -> watcher reports it  ${s(f.pendingToWatcherS)} (a cluster hint round every watcher.hintSeconds, then the watcher's pass it starts)`,
    `    watcher event -> decision            ${s(f.watcherToDecisionS)} (intake, ScaleBuffer's validate, lease and plan)`,
    `  decided: ${f.scaleUps.map((u) => `${u.pool} +${u.count}`).join(', ') || 'no node'}; ${f.waiting} waiting (pools at max / cost cap), ${f.unplaceable} unplaceable`,
    `  decision Lambda: ${f.lambda ? `${Math.round(f.lambda.ms)} ms, peak ${Math.round(f.lambda.peakRssMiB)} MiB of ${f.lambda.memoryMb} MB` : 'not measured'}`,
  ];
}

export function formatChecks(checks: GoalCheck[]): string[] {
  return checks.map((c) => `${c.met ? 'PASS' : 'FAIL'}  ${c.what}: ${c.actual} (goal ${c.goal})`);
}
