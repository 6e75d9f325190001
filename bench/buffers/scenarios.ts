import { WATCHER_DETAIL_TYPES } from '../../functions/decisions/watcher/event-types.js';
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

/** Records when each detail-type of the watcher's first reaches the bus (simulated ms), with its detail. */
function watchBus(local: ShepherdLocal) {
  const seen: { type: string; at: number; detail: Record<string, unknown> }[] = [];
  const stop = local.controlPlane.events.onPublish((_bus, event) => {
    seen.push({ type: event['detail-type'], at: local.sim.clock.now(), detail: event.detail as Record<string, unknown> });
  });
  return { seen, stop };
}

/**
 * (a) Outage to capacity: `provider` (its nodes running `share` of the workload's pods, the rest on the other
 * providers' nodes) goes dark. Nothing but the simulated world is touched: its Nodes go NotReady after the node monitor
 * grace period, the watcher's pass finds the provider degraded, the intake starts ScaleBuffer, which grows the buffer
 * pools; Kubernetes' taint manager evicts the lost pods after their 300 s toleration and the replacements run on the
 * new nodes. The scenario runs until every pod runs again (or the cap).
 */
export async function outageToCapacity(
  local: ShepherdLocal,
  provider: string,
  bufferPools: string[],
  app: string,
  replicas: number,
  degradedMinNodes: number,
  share = 0.3,
): Promise<OutageFigures> {
  const { sim } = local;
  // The cloud each Node runs on, as the world knows it (home machines carry no shepherd.io/provider label).
  const providerOf = (node: string | undefined) => (node ? sim.world.vmOfNode(node)?.provider : undefined);
  const live = (p: KubeObject) => running(p) && !p.metadata.deletionTimestamp;
  // The workload spread by the scheduler over every node, then as many pods again pinned to another provider's nodes
  // that the dark provider carries `share` of them.
  addWorkload(sim.world, app, replicas, { cpu: '250m', memory: '256Mi' });
  await sim.clock.until(() => podsOf(local, app).length === replicas && podsOf(local, app).every(running), 10 * 60_000, `${app} pods Running`);
  const onDark = (p: KubeObject) => providerOf(nodeOfPod(p)) === provider;
  const lostSpread = podsOf(local, app).filter(onDark).length;
  const other = sim.world.kube
    .list('nodes')
    .find((n) => ready(n) && !bufferPools.includes(label(n, 'shepherd.io/pool') ?? '') && ![undefined, provider].includes(providerOf(n.metadata.name)));
  const pinned = Math.max(0, Math.round(lostSpread / share) - replicas);
  const apps = [app];
  if (other && pinned > 0) {
    apps.push(`${app}-pinned`);
    addWorkload(sim.world, `${app}-pinned`, pinned, { cpu: '50m', memory: '64Mi' }, { 'kubernetes.io/hostname': other.metadata.name });
  }
  const total = replicas + (apps.length > 1 ? pinned : 0);
  const allPods = () => apps.flatMap((a) => podsOf(local, a));
  await sim.clock.until(() => allPods().length === total && allPods().every(running), 10 * 60_000, 'the workload Running');
  const lost = allPods().filter(onDark);
  const lostNames = new Set(lost.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  const darkNodes = new Set(
    sim.world.kube
      .list('nodes')
      .filter((n) => providerOf(n.metadata.name) === provider)
      .map((n) => n.metadata.name),
  );

  const bus = watchBus(local);
  const t0 = sim.clock.now();
  sim.world.setProviderDark(provider as Parameters<typeof sim.world.setProviderDark>[0], true);
  const readyAt = new Map<string, number>();
  let notReadyAt: number | undefined;
  let runningAt: number | undefined;
  let capacityAt: number | undefined;
  const bufferNodes = () => sim.world.kube.list('nodes').filter((n) => bufferPools.includes(label(n, 'shepherd.io/pool') ?? ''));
  const observe = () => {
    const now = sim.clock.now();
    for (const n of bufferNodes()) if (ready(n) && !readyAt.has(n.metadata.name)) readyAt.set(n.metadata.name, now);
    if (notReadyAt === undefined && sim.world.kube.list('nodes').some((n) => darkNodes.has(n.metadata.name) && !ready(n))) notReadyAt = now;
    const growing = scaleBufferRuns(local, t0).some((r) => r.status === 'RUNNING');
    const added = bufferNodes();
    if (capacityAt === undefined && added.length > 0 && !growing && added.every(ready)) capacityAt = now;
    // Every pod of the workload Running again off the dark provider (the evicted ones stay Terminating there, as
    // on a real cluster, until their Node is gone: they are not counted).
    const placed = allPods().filter((p) => live(p) && !darkNodes.has(nodeOfPod(p) ?? ''));
    if (runningAt === undefined && placed.length === total) runningAt = now;
    return runningAt !== undefined && capacityAt !== undefined;
  };
  try {
    await sim.clock.until(observe, CAP_MS, 'capacity and pods back');
  } catch {
    // Not within the cap: the figures say what did not happen.
  } finally {
    bus.stop();
  }
  // listExecutions lists newest first: the first run is the last.
  const runs = scaleBufferRuns(local, t0).sort((a, b) => a.startDate - b.startDate);
  const launched = sim.world.listVms().filter((vm) => vm.provider !== provider && vm.launchedAt >= t0);
  const bootJoin = [...readyAt].flatMap(([node, at]) => {
    const vm = sim.world.vmOfNode(node);
    return vm && vm.launchedAt >= t0 ? [(at - vm.launchedAt) / 1000] : [];
  });
  const degraded = bus.seen.find((e) => e.type === WATCHER_DETAIL_TYPES.providerDegraded && e.detail.provider === provider && !e.detail.region);
  const evictions = sim.world.timeline.filter((e) => e.type === 'pod.evicted' && e.at >= t0 && lostNames.has(e.subject ?? ''));
  return {
    kind: 'outage',
    provider,
    podShare: lost.length / total,
    lostPods: lost.length,
    darkNodes: darkNodes.size,
    degradedMinNodes,
    notReadyS: seconds(t0, notReadyAt),
    degradedS: seconds(t0, degraded?.at),
    scaleBufferStartedS: seconds(t0, runs[0]?.startDate),
    firstLaunchS: seconds(t0, launched.length > 0 ? Math.min(...launched.map((v) => v.launchedAt)) : undefined),
    bufferNodes: bufferNodes().length,
    capacityReadyS: seconds(t0, capacityAt),
    ...(bootJoin.length > 0 ? { bootJoinS: Math.max(...bootJoin) } : {}),
    evictedS: seconds(t0, evictions.length > 0 ? Math.min(...evictions.map((e) => e.at)) : undefined),
    lastEvictedS: seconds(t0, evictions.length === lost.length && lost.length > 0 ? Math.max(...evictions.map((e) => e.at)) : undefined),
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
  // A burst into a running stack: with buffer pools the cluster hints' chain starts with its keep-alive, on the first
  // minute after a deploy (as the watcher's schedule), and runs from then on. The burst comes right after that minute's
  // scheduled pass, the worst moment for a once-a-minute watcher.
  const hintRounds = () => local.controlPlane.eventSourceMappings.invocations.filter((i) => /ClusterHints/.test(i.mapping));
  if (local.controlPlane.stack.functions.some((f) => /ClusterHints/.test(f.logicalId)))
    await sim.clock.until(() => hintRounds().length > 0, 3 * 60_000, 'the cluster hints running');
  let firstPendingAt: number | undefined;
  const bus = watchBus(local);
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
    bus.stop();
  }
  const plan = plans[0];
  const reported = bus.seen.find((e) => e.type === WATCHER_DETAIL_TYPES.podsUnschedulable && e.at >= t0);
  const decided = plan?.output as { scaleUp?: { scaleUps?: { pool: string; count: number }[]; waiting?: unknown[]; unplaceable?: unknown[] } } | undefined;
  const figures: DecisionFigures = {
    kind: 'decision',
    pods: shapes * perShape,
    shapes,
    pendingToDecisionS: firstPendingAt === undefined || !plan ? undefined : (plan.at - firstPendingAt) / 1000,
    pendingToWatcherS: firstPendingAt === undefined || !reported ? undefined : (reported.at - firstPendingAt) / 1000,
    watcherToDecisionS: !reported || !plan ? undefined : (plan.at - reported.at) / 1000,
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
