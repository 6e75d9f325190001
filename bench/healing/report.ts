import type { ScenarioFigures, SpotFigures, VmGoneFigures } from './scenarios.js';

/** The goals, in simulated seconds. */
export const GOALS = {
  /** Spot warning to cordoned. */
  spotCordonS: 10,
  /** Spot warning to the replacement started. */
  spotReplacementS: 10,
  /** VM deleted out of band to the stale Node deleted. */
  vmGoneNodeDeletedS: 90,
};

/**
 * The anchors' modelled figures (FIELD-NOTES, from their documentation and source): what each would take for the same
 * event. Karpenter's garbage collection of Nodes whose instance is gone runs every 2 min (AWS only); Gardener's
 * machine-controller-manager replaces a machine that stays unhealthy for its health timeout (10 min); Kosmos external
 * nodes opt out of the cloud node-lifecycle controller, so nothing deletes them. AWS Node Termination Handler
 * cordons and drains when the warning reaches it (AWS only); Kubernetes alone does nothing before the VM goes.
 */
export const ANCHORS = {
  spot: 'NTH: cordon + drain on receipt (AWS only); Kosmos/Kubernetes alone: nothing before the VM goes at +120 s',
  vmGone: 'Karpenter GC <= 120 s (AWS only); MCM 600 s; Kosmos: never',
};

export interface GoalCheck {
  scenario: string;
  what: string;
  goalS: number;
  actualS?: number;
  met: boolean;
}

export function goalChecks(figures: ScenarioFigures[]): GoalCheck[] {
  return figures.flatMap((f): GoalCheck[] => {
    if (f.kind === 'spot-warning') {
      return [
        check(`spot warning (${f.pool})`, 'warning -> cordoned', GOALS.spotCordonS, f.cordonedS),
        check(`spot warning (${f.pool})`, 'warning -> replacement started', GOALS.spotReplacementS, f.replacementStartedS),
      ];
    }
    return [check(`VM deleted out of band (${f.provider})`, 'VM gone -> stale Node deleted', GOALS.vmGoneNodeDeletedS, f.nodeDeletedS)];
  });
}

function check(scenario: string, what: string, goalS: number, actualS: number | undefined): GoalCheck {
  return { scenario, what, goalS, ...(actualS !== undefined ? { actualS } : {}), met: actualS !== undefined && actualS <= goalS };
}

const s = (v: number | undefined) => (v === undefined ? 'never' : `${v.toFixed(1)} s`);

export function formatScenario(f: ScenarioFigures): string[] {
  return f.kind === 'spot-warning' ? formatSpot(f) : formatVmGone(f);
}

function formatSpot(f: SpotFigures): string[] {
  return [
    `spot warning: pool ${f.pool}, node ${f.node} (EC2 reclaims the VM at +${f.reclaimS.toFixed(0)} s)`,
    `  cordoned             ${s(f.cordonedS).padEnd(9)} goal <= ${GOALS.spotCordonS} s     anchors: ${ANCHORS.spot}`,
    `  replacement started  ${s(f.replacementStartedS).padEnd(9)} goal <= ${GOALS.spotReplacementS} s`,
    `  stale Node deleted   ${s(f.nodeDeletedS)}`,
    `  replacement Ready    ${s(f.replacementReadyS)}`,
    `  heals: ${f.heals.join(', ') || 'none'}`,
  ];
}

function formatVmGone(f: VmGoneFigures): string[] {
  return [
    `VM deleted out of band: ${f.provider}, pool ${f.pool}, node ${f.node}`,
    `  stale Node deleted   ${s(f.nodeDeletedS).padEnd(9)} goal <= ${GOALS.vmGoneNodeDeletedS} s     anchors: ${ANCHORS.vmGone}`,
    `  replacement started  ${s(f.replacementStartedS)}`,
    `  replacement Ready    ${s(f.replacementReadyS)}`,
    `  heals: ${f.heals.join(', ') || 'none'}`,
  ];
}

export function formatChecks(checks: GoalCheck[]): string[] {
  return checks.map((c) => `${c.met ? 'PASS' : 'FAIL'}  ${c.scenario}: ${c.what} ${s(c.actualS)} (goal <= ${c.goalS} s)`);
}
