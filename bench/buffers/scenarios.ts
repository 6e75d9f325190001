import { lambdaEnvironment } from '../../local/lambda/lambda-runner.js';
import type { ShepherdLocal } from '../../local/shepherd-local.js';
import { simulatorEnv } from '../../local/shepherd-world.js';
import { addWorkload } from '../../sim/scenarios.js';
import type { KubeObject } from '../../sim/world/types.js';
import { bundledFunctions } from '../functions/bundled-functions.js';
import { probeCalls } from '../functions/probe.js';
import { lambdaNode } from '../node-line.js';
import type { DecisionFigures, OutageFigures } from './figures.js';

/** How long (simulated) a scenario may take before what has not happened counts as never. */
const CAP_MS = 20 * 60_000;
const MIB = 1024 * 1024;

const seconds = (from: number, to: number | undefined) => (to === undefined ? undefined : (to - from) / 1000);

const podsOf = (local: ShepherdLocal, app: string) => local.sim.world.kube.list('pods', { labelSelector: `app=${app}` });
const nodeOfPod = (p: KubeObject) => (p.spec as { nodeName?: string } | undefined)?.nodeName;
const running = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase === 'Running';
const unschedulable = (p: KubeObject) =>
  (p.status as { conditions?: { type: string; reason?: string }[] } | undefined)?.conditions?.some(
    (c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
  ) === true;
const ready = (n: KubeObject) =>
  (n.status as { conditions?: { type: string; status: string }[] })?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const label = (o: KubeObject, key: string) => (o.metadata.labels as Record<string, string> | undefined)?.[key];

/** Runs ProvisionNode for `count` nodes of `pool` and waits for it. */
export async function provision(local: ShepherdLocal, pool: string, count: number): Promise<void> {
  const { executionArn } = local.controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool, count, reason: 'bench:buffers' });
  const out = await local.controlPlane.waitForExecution(executionArn);
  if (out.status !== 'SUCCEEDED') throw new Error(`ProvisionNode for ${pool} ${out.status}: ${out.cause ?? out.error ?? ''}`);
}

/** ScaleBuffer executions started at or after `since` (simulated ms). */
function scaleBufferRuns(local: ShepherdLocal, since: number) {
  return local.controlPlane.stepFunctions.listExecutions(local.stateMachineArn('scaleBuffer')).filter((e) => e.startDate >= since);
}

/**
 * (a) Outage to capacity: `provider` (its nodes running the workload beside the other providers') goes dark. Nothing
 * but the simulated world is touched: the watcher's pass finds the provider degraded, the intake starts ScaleBuffer,
 * which grows the buffer pools; Kubernetes evicts the lost pods after its toleration and they run on the new nodes.
 */
export async function outageToCapacity(local: ShepherdLocal, provider: string, bufferPools: string[], app: string, replicas: number): Promise<OutageFigures> {
  const { sim } = local;
  addWorkload(sim.world, app, replicas, { cpu: '250m', memory: '256Mi' });
  await sim.clock.until(() => podsOf(local, app).length === replicas && podsOf(local, app).every(running), 10 * 60_000, `${app} pods Running`);
  const nodeProvider = new Map(sim.world.kube.list('nodes').map((n) => [n.metadata.name, label(n, 'shepherd.io/provider')]));
  const lost = podsOf(local, app).filter((p) => nodeProvider.get(nodeOfPod(p) ?? '') === provider);
  const lostNames = new Set(lost.map((p) => p.metadata.name));

  const t0 = sim.clock.now();
  sim.world.setProviderDark(provider as Parameters<typeof sim.world.setProviderDark>[0], true);
  const readyAt = new Map<string, number>();
  let evictedAt: number | undefined;
  let runningAt: number | undefined;
  let capacityAt: number | undefined;
  const bufferNodes = () => sim.world.kube.list('nodes').filter((n) => bufferPools.includes(label(n, 'shepherd.io/pool') ?? ''));
  const observe = () => {
    const now = sim.clock.now();
    for (const n of bufferNodes()) if (ready(n) && !readyAt.has(n.metadata.name)) readyAt.set(n.metadata.name, now);
    const pods = podsOf(local, app);
    if (evictedAt === undefined && [...lostNames].some((name) => !pods.some((p) => p.metadata.name === name))) evictedAt = now;
    const runs = scaleBufferRuns(local, t0);
    const growing = runs.some((r) => r.status === 'RUNNING');
    const added = bufferNodes();
    if (capacityAt === undefined && added.length > 0 && !growing && added.every(ready)) capacityAt = now;
    const placed = pods.filter((p) => running(p) && nodeProvider.get(nodeOfPod(p) ?? '') !== provider && nodeOfPod(p) !== undefined);
    if (runningAt === undefined && evictedAt !== undefined && placed.length === replicas) runningAt = now;
    return runningAt !== undefined && capacityAt !== undefined;
  };
  try {
    await sim.clock.until(observe, CAP_MS, 'capacity and pods back');
  } catch {
    // Not within the cap: the figures say what did not happen.
  }
  const runs = scaleBufferRuns(local, t0);
  const launched = sim.world.listVms().filter((vm) => vm.provider !== provider && vm.launchedAt >= t0);
  const bootJoin = [...readyAt].flatMap(([node, at]) => {
    const vm = sim.world.vmOfNode(node);
    return vm && vm.launchedAt >= t0 ? [(at - vm.launchedAt) / 1000] : [];
  });
  return {
    kind: 'outage',
    provider,
    podShare: lost.length / replicas,
    lostPods: lost.length,
    scaleBufferStartedS: seconds(t0, runs[0]?.startDate),
    firstLaunchS: seconds(t0, launched.length > 0 ? Math.min(...launched.map((v) => v.launchedAt)) : undefined),
    bufferNodes: bufferNodes().length,
    capacityReadyS: seconds(t0, capacityAt),
    ...(bootJoin.length > 0 ? { bootJoinS: Math.max(...bootJoin) } : {}),
    evictedS: seconds(t0, evictedAt),
    podsRunningS: seconds(t0, runningAt),
  };
}

/**
 * (b) Pending pods to a decision: `shapes` workloads of `perShape` pods that fit no node now, all at once. The watcher's
 * pass reports them, the intake starts ScaleBuffer; the figure runs to the end of its plan (the decision). The plan's
 * real event is then replayed in a fresh process, as bench:functions measures a Lambda: its wall time and peak RSS.
 */
export async function pendingToDecision(local: ShepherdLocal, shapes: number, perShape: number): Promise<DecisionFigures> {
  const { sim } = local;
  const scaleBuffer = local.controlPlane.stack.functions.find((f) => /scalebuffer/i.test(f.logicalId) && !/intake|trigger/i.test(f.logicalId));
  if (!scaleBuffer) throw new Error('the stack has no ScaleBuffer function');
  const plans: { event: unknown; at: number; output: unknown }[] = [];
  const runner = local.controlPlane.lambdas;
  const invoke = runner.invoke.bind(runner);
  runner.invoke = async (name: string, event: unknown, context?: Parameters<typeof invoke>[2]) => {
    const out = await invoke(name, event, context);
    if ((name === scaleBuffer.name || name === scaleBuffer.arn) && (event as { action?: string }).action === 'plan')
      plans.push({ event, at: sim.clock.now(), output: out });
    return out;
  };
  let firstPendingAt: number | undefined;
  const apps = Array.from({ length: shapes }, (_, i) => `shape-${i + 1}`);
  const t0 = sim.clock.now();
  for (const [i, app] of apps.entries()) addWorkload(sim.world, app, perShape, { cpu: `${200 + 50 * i}m`, memory: `${128 + 64 * (i % 10)}Mi` });
  try {
    await sim.clock.until(
      () => {
        if (firstPendingAt === undefined && apps.some((a) => podsOf(local, a).some(unschedulable))) firstPendingAt = sim.clock.now();
        return plans.some((p) => p.at >= t0);
      },
      CAP_MS,
      'a ScaleBuffer decision',
    );
  } catch {
    // No decision within the cap.
  } finally {
    runner.invoke = invoke;
  }
  const plan = plans[0];
  const decided = plan?.output as { scaleUp?: { scaleUps?: { pool: string; count: number }[]; waiting?: unknown[]; unplaceable?: unknown[] } } | undefined;
  const figures: DecisionFigures = {
    kind: 'decision',
    pods: shapes * perShape,
    shapes,
    pendingToDecisionS: firstPendingAt === undefined || !plan ? undefined : (plan.at - firstPendingAt) / 1000,
    scaleUps: (decided?.scaleUp?.scaleUps ?? []).map((u) => ({ pool: u.pool, count: u.count })),
    waiting: decided?.scaleUp?.waiting?.length ?? 0,
    unplaceable: decided?.scaleUp?.unplaceable?.length ?? 0,
  };
  if (!plan) return figures;
  const [fn] = bundledFunctions([scaleBuffer]);
  const node = lambdaNode();
  const env = lambdaEnvironment(scaleBuffer, local.controlPlane.stack.region, { ...local.controlPlane.env, ...simulatorEnv(sim) });
  const call = await probeCalls({ node: node.path, file: fn.file, exportName: fn.exportName, env }, [plan.event], {
    functionName: scaleBuffer.name,
    memoryMb: scaleBuffer.memoryMb,
    timeoutSeconds: scaleBuffer.timeoutSeconds,
  });
  return {
    ...figures,
    lambda: { ms: call.calls[0]?.ms ?? Number.NaN, peakRssMiB: call.peakRssBytes / MIB, memoryMb: scaleBuffer.memoryMb, ok: call.calls[0]?.ok === true },
  };
}
