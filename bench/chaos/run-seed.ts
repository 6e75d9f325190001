import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { ShepherdConfig } from '../../config/types.js';
import type { ArmedLambdaFault } from '../../local/lambda/lambda-faults.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { Random } from '../../sim/index.js';
import { addForeignNodes } from './foreign-nodes.js';
import { checkInvariants } from './invariants.js';
import { observeNodes, observeVms, readClaimsTable } from './observe.js';
import { type ChaosPlan, launchablePools, planChaos } from './plan.js';
import type { ChaosObservation, InvariantResult } from './types.js';

export interface SeedRunOptions {
  config: ShepherdConfig;
  seed: number;
  executions: number;
  /** The executions' deadline: the state machine's timeout is lowered to it when it is longer. */
  deadlineMinutes: number;
}

export interface SeedRun {
  seed: number;
  plan: ChaosPlan;
  /** Executions by final status (ProvisionNode's and any other workflow's, e.g. a cleanup). */
  statuses: Record<string, number>;
  /** The errors of failed executions, by name. */
  errors: Record<string, number>;
  /** Lambda faults that hit, of those armed. */
  lambdaFaultHits: number;
  observation: ChaosObservation;
  results: InvariantResult[];
  wallSeconds: number;
  /** CPU time of this process (every thread: the simulator, the control plane, the functions' workers). */
  cpuSeconds: number;
  simulatedMinutes: number;
}

/** After the last execution's worst case, time for whatever cleans up after it (rules, reapers) to do so. */
const SETTLE_MS = 15 * 60_000;
/** Give up on a run whose executions are still going this long after they all should have ended. */
const OVERRUN_MS = 6 * 3600_000;

/**
 * One seeded chaos run: the local control plane on a fresh simulated multi-cloud, foreign nodes in the cluster,
 * the plan's faults armed, its executions started (and some aborted) through the Step Functions API; then, once
 * every execution has ended and the last one's worst case has passed, the world and the claims table observed and
 * judged.
 */
export async function runSeed(options: SeedRunOptions): Promise<SeedRun> {
  const { config, seed } = options;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: () => undefined });
  try {
    const { world, clock } = local.sim;
    const simStart = clock.now();
    // The bench's own stream, so that its choices do not shift the world's randomness.
    const random = new Random(seed * 7919 + 17);
    await addForeignNodes(local.sim, config, random);
    const foreignBefore = observeNodes(world);
    const preexisting = new Set(world.listVms().map((v) => v.id));
    const worstCaseMs = lowerDeadline(local, options.deadlineMinutes);
    const pools = launchablePools(config);
    const plan = planChaos(random, { cluster: config.cluster.name, executions: options.executions, pools });
    const armed = armFaults(local, plan);
    await runExecutions(local, plan, worstCaseMs);

    const statuses: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const machine of local.controlPlane.stepFunctions.listStateMachines()) {
      for (const e of local.controlPlane.stepFunctions.listExecutions(machine.spec.arn)) {
        statuses[e.status] = (statuses[e.status] ?? 0) + 1;
        if (e.status === 'FAILED') errors[e.error ?? 'unknown'] = (errors[e.error ?? 'unknown'] ?? 0) + 1;
      }
    }
    const { claims, counters } = await readClaimsTable(local);
    const observation: ChaosObservation = {
      now: clock.now(),
      worstCaseMs,
      pools: pools.map((p) => p.name),
      vms: observeVms(world, config, preexisting),
      nodes: observeNodes(world),
      foreignBefore,
      claims,
      counters,
    };
    return {
      seed,
      plan,
      statuses,
      errors,
      lambdaFaultHits: armed.filter((a) => a.hits > 0).length,
      observation,
      results: checkInvariants(observation),
      wallSeconds: (performance.now() - wallStart) / 1000,
      cpuSeconds: cpuSecondsSince(cpuStart),
      simulatedMinutes: Math.round((clock.now() - simStart) / 60_000),
    };
  } finally {
    await local.stop();
  }
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * A short deadline: ProvisionNode's state machine is loaded again with its timeout lowered to the deadline, so that
 * slow executions end TIMED_OUT as they would on AWS. Same ARN, so rules that follow it still match. Returns the
 * timeout in ms: the longest an execution may run.
 */
function lowerDeadline(local: ShepherdLocal, deadlineMinutes: number): number {
  const arn = local.stateMachineArn('provisionNode');
  const spec = local.controlPlane.stack.stateMachines.find((m) => m.arn === arn);
  if (!spec) throw new Error(`state machine ${arn} is not in the local stack`);
  const deployed = typeof spec.definition.TimeoutSeconds === 'number' ? spec.definition.TimeoutSeconds : Number.POSITIVE_INFINITY;
  const seconds = Math.min(deployed, Math.round(deadlineMinutes * 60));
  local.controlPlane.stepFunctions.addStateMachine({ ...spec, definition: { ...spec.definition, TimeoutSeconds: seconds } });
  return seconds * 1000;
}

function armFaults(local: ShepherdLocal, plan: ChaosPlan): ArmedLambdaFault[] {
  const { faults, clock, world } = local.sim;
  for (const f of plan.apiFaults) faults.set(f.server, f.op, f.fault);
  for (const t of plan.throttles) {
    clock.setTimer(t.atMs, () => faults.set(t.server, '*', { throttle: true }), `chaos: throttle ${t.server}`);
    clock.setTimer(t.atMs + t.forMs, () => faults.set(t.server, '*', { throttle: false }), `chaos: end throttling ${t.server}`);
  }
  world.setNeverJoin(plan.neverJoin.match);
  return plan.lambdaFaults.map((rule) => local.controlPlane.faults.lambda(rule));
}

const lastStart = (plan: ChaosPlan) => Math.max(0, ...[...plan.executions, ...plan.removals].map((e) => e.startAtMs));

/**
 * Starts and aborts the plan's executions through the local Step Functions API at their simulated times, then
 * waits until none runs and the last one's worst case plus the settle time has passed.
 */
async function runExecutions(local: ShepherdLocal, plan: ChaosPlan, worstCaseMs: number): Promise<void> {
  const { clock } = local.sim;
  const cp = local.controlPlane;
  const sfn = new SFNClient({ endpoint: cp.endpoints.stepfunctions, region: cp.stack.region, credentials: local.sim.credentials.aws });
  const arns = new Map<string, string>();
  const failures: string[] = [];
  const runs = [
    ...plan.executions.map((e) => ({ ...e, stateMachineArn: local.stateMachineArn('provisionNode') })),
    ...plan.removals.map((r) => ({ ...r, stateMachineArn: local.stateMachineArn('removeNode') })),
  ];
  let toStart = runs.length;
  // Each call holds the virtual clock while it is in flight, as a client waiting for an answer does.
  const call = (what: string, send: () => Promise<unknown>) =>
    void clock.during(send).catch((err: Error) => failures.push(`${what}: ${err.name}: ${err.message}`));
  for (const e of runs) {
    const { stateMachineArn } = e;
    clock.setTimer(
      e.startAtMs,
      () =>
        call(`StartExecution ${e.name}`, async () => {
          try {
            const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: e.name, input: JSON.stringify(e.input) }));
            if (out.executionArn) arns.set(e.name, out.executionArn);
          } finally {
            toStart--;
          }
        }),
      `chaos: start ${e.name}`,
    );
    if (e.abortAtMs !== undefined) {
      clock.setTimer(
        e.abortAtMs,
        () => {
          const executionArn = arns.get(e.name);
          if (executionArn) {
            call(`StopExecution ${e.name}`, () =>
              sfn.send(new StopExecutionCommand({ executionArn, error: 'ChaosAbort', cause: 'aborted by the chaos benchmark' })),
            );
          }
        },
        `chaos: abort ${e.name}`,
      );
    }
  }
  const settleAt = clock.now() + lastStart(plan) + worstCaseMs + SETTLE_MS;
  const running = () => cp.stepFunctions.listStateMachines().reduce((n, m) => n + cp.stepFunctions.listExecutions(m.spec.arn, 'RUNNING').length, 0);
  try {
    while (toStart > 0 || running() > 0 || clock.now() < settleAt) {
      if (clock.now() > settleAt + OVERRUN_MS) throw new Error(`${running()} executions still running ${OVERRUN_MS / 3600_000} h after their deadline`);
      await clock.sleep(30_000);
    }
  } finally {
    sfn.destroy();
  }
  if (failures.length > 0) throw new Error(`the chaos run could not drive Step Functions: ${failures.join('; ')}`);
}
