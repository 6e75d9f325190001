import { addWorkload } from '../../sim/index.js';
import type { ShepherdLocal } from '../shepherd-local.js';
import type { ExecutionView } from '../stepfunctions/stepfunctions.js';
import { type ActLine, type ActOutcome, printLines, seconds } from './act.js';

/** The demo's workload for this act: small pods (a buffer node holding a few stays under the scale-down threshold). */
const WORKLOAD = { name: 'batch', replicas: 8, requests: { cpu: '300m', memory: '256Mi' } };
/** How long (simulated) the act waits: for the pods to run again elsewhere, and for the buffer to shrink after the power returns. */
const ABSORB_CAP_MS = 20 * 60_000;
const SHRINK_CAP_MS = 45 * 60_000;

/**
 * Fourth act: a provider goes dark. The watcher calls it degraded; ScaleBuffer asks the buffer pool for the capacity
 * its pods used before they are evicted (300 s after its Nodes go Unknown), so they run again there. The power
 * returns; the buffer shrinks back once the provider has been back for the recovery period and the nodes unneeded for
 * the cooldown. Everything runs through the stack's own triggers (watcher, bus, intake, reconcile schedule).
 */
export async function bufferAct(local: ShepherdLocal, darkPool: string, out: (line: string) => void): Promise<ActOutcome> {
  const { sim, config, controlPlane } = local;
  const { world } = sim;
  const buffer = config.buffers?.pools[0]?.pool;
  if (!buffer) return { ok: true, summary: 'no buffers section in the config: no buffer act' };
  const provider = config.pools.find((p) => p.name === darkPool)?.provider;
  if (!provider || provider === 'fake') return { ok: true, summary: `no pool ${darkPool} in the config: no buffer act` };
  const nodesOf = (labels: string) => world.kube.list('nodes', { labelSelector: labels });
  const ready = (name: string) =>
    world.kube.get('nodes', undefined, name)?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True';
  const bufferNodes = () => nodesOf(`shepherd.io/pool=${buffer}`).map((n) => n.metadata.name);
  const pods = () => world.kube.list('pods', { labelSelector: `app=${WORKLOAD.name}` }).filter((p) => !p.metadata.deletionTimestamp);
  const lines: ActLine[] = [];

  const tStart = sim.clock.now();
  out('');
  out(`Fourth act at ${sim.clock.iso(tStart)} (simulated): ${provider} goes dark; buffer pool ${buffer} stands in for it.`);
  // The watcher calls a provider degraded from watcher.degradedMinNodes NotReady nodes: give it that many.
  const missing = config.watcher.degradedMinNodes - nodesOf(`shepherd.io/provider=${provider}`).length;
  if (missing > 0) {
    const run = controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool: darkPool, count: missing, reason: 'demo' }, 'demo-buffer-act');
    const done = await controlPlane.waitForExecution(run.executionArn);
    if (done.status !== 'SUCCEEDED') return { ok: false, why: `ProvisionNode for ${darkPool} ${done.status}: ${done.cause?.slice(0, 300) ?? ''}` };
    out(`  ${darkPool}: ${missing} more node(s) (the watcher calls a provider degraded from ${config.watcher.degradedMinNodes} NotReady nodes)`);
  }
  addWorkload(world, WORKLOAD.name, WORKLOAD.replicas, WORKLOAD.requests);
  try {
    await sim.clock.until(() => pods().length === WORKLOAD.replicas && pods().every((p) => p.status?.phase === 'Running'), 120_000, 'the workload Running');
  } catch {
    return { ok: false, why: `the ${WORKLOAD.name} workload never ran` };
  }
  const darkNodes = nodesOf(`shepherd.io/provider=${provider}`).map((n) => n.metadata.name);
  const lost = pods().filter((p) => darkNodes.includes(p.spec.nodeName)).length;
  if (lost === 0) return { ok: false, why: `no pod of the ${WORKLOAD.name} workload runs on ${provider}: nothing to stand in for` };
  const before = bufferNodes();
  out(
    `  ${WORKLOAD.replicas} pods of ${WORKLOAD.name} (${WORKLOAD.requests.cpu} CPU each) Running, ${lost} of them on ${provider}; ${buffer} has ${before.length} node(s)`,
  );

  const deleted = new Map<string, number>();
  world.kube.onChange((resource, type, obj) => {
    if (resource === 'nodes' && type === 'DELETED' && obj.metadata.labels?.['shepherd.io/pool'] === buffer) deleted.set(obj.metadata.name, sim.clock.now());
  });
  const t0 = sim.clock.now();
  world.setProviderDark(provider, true);
  lines.push({ at: t0, text: `${provider} goes dark: ${darkNodes.join(', ')} unreachable, ${lost} pod(s) of ${WORKLOAD.name} on them` });
  const added = () => bufferNodes().filter((n) => !before.includes(n));
  const absorbed = () =>
    added().some(ready) && pods().length === WORKLOAD.replicas && pods().every((p) => p.status?.phase === 'Running' && !darkNodes.includes(p.spec.nodeName));
  try {
    await sim.clock.until(absorbed, ABSORB_CAP_MS, `${buffer} grown and the pods Running again`);
  } catch {
    world.setProviderDark(provider, false);
    narrate(local, lines, t0, out);
    const grew = added().length > 0;
    return {
      ok: false,
      why: grew ? `the pods of ${provider} did not all run again within ${seconds(ABSORB_CAP_MS)}` : `${buffer} did not grow within ${seconds(ABSORB_CAP_MS)}`,
    };
  }
  const grown = added();
  const peak = bufferNodes().length;
  const onBuffer = pods().filter((p) => grown.includes(p.spec.nodeName)).length;
  for (const n of grown) {
    const at = world.timeline.find((e) => e.type === 'node.ready' && e.subject === n)?.at;
    if (at !== undefined) lines.push({ at, text: `${buffer}: Node ${n} Ready` });
  }
  const evictions = world.timeline.filter((e) => e.type === 'pod.evicted' && e.at >= t0);
  if (evictions.length > 0)
    lines.push({ at: evictions[0].at, text: `${evictions.length} pod(s) evicted from the unreachable nodes (taint manager, 300 s after Unknown)` });
  const unknownAt = world.timeline.find((e) => e.type === 'node.unknown' && e.at >= t0 && darkNodes.includes(e.subject ?? ''))?.at;
  if (unknownAt !== undefined) lines.push({ at: unknownAt, text: `${provider} Nodes Unknown (kubelets stopped posting status)` });
  const t1 = sim.clock.now();
  lines.push({ at: t1, text: `every ${WORKLOAD.name} pod Running again, ${onBuffer} on the new ${buffer} node(s); ${buffer} has ${peak} node(s)` });

  world.setProviderDark(provider, false);
  const t2 = sim.clock.now();
  lines.push({ at: t2, text: `${provider} power back` });
  try {
    await sim.clock.until(() => bufferNodes().length < peak, SHRINK_CAP_MS, `${buffer} shrunk`);
    // The drain's pods: Running again before the act ends.
    await sim.clock.until(() => pods().length === WORKLOAD.replicas && pods().every((p) => p.status?.phase === 'Running'), 120_000, 'the workload Running');
  } catch {
    narrate(local, lines, t0, out);
    return {
      ok: false,
      why: `${buffer} still has ${bufferNodes().length} node(s) ${seconds(sim.clock.now() - t2)} after ${provider}'s power returned (peak ${peak})`,
    };
  }
  for (const [n, at] of deleted)
    lines.push({ at, text: `${buffer}: Node ${n} removed (${before.includes(n) ? 'there before the outage' : 'added for the outage'})` });
  lines.push({ at: sim.clock.now(), text: `${buffer} has ${bufferNodes().length} node(s); every ${WORKLOAD.name} pod Running` });
  narrate(local, lines, t0, out);
  return {
    ok: true,
    summary: `${buffer} grew ${before.length} -> ${peak} for ${provider}'s outage (${onBuffer} evicted pod(s) ran there) and shrank to ${bufferNodes().length} ${minutes(sim.clock.now() - t2)} after the power returned`,
  };
}

/** The act's lines and every ScaleBuffer run since `t0`, in simulated seconds since `t0`. */
function narrate(local: ShepherdLocal, lines: ActLine[], t0: number, out: (line: string) => void): void {
  const arn = local.stateMachineArn('scaleBuffer');
  for (const e of local.controlPlane.stepFunctions.listExecutions(arn).filter((x) => x.startDate >= t0)) {
    const what = describeRun(e);
    if (what) lines.push({ at: e.startDate, text: `ScaleBuffer ${e.name}: ${what}` });
  }
  printLines(lines, t0, out);
}

/** One run in a phrase; undefined for a run that decided nothing (a reconcile with nothing to do). */
function describeRun(e: ExecutionView): string | undefined {
  if (e.status !== 'SUCCEEDED') return `${e.status}${e.error ? ` (${e.error})` : ''}`;
  const o = JSON.parse(e.output ?? '{}') as {
    status?: string;
    trigger?: string;
    added?: { pool: string; count?: number; ok: boolean }[];
    removed?: { nodeName: string; ok: boolean }[];
  };
  if (o.status !== 'done') return undefined;
  const parts = [
    ...(o.added ?? []).map((a) => `${a.ok ? 'added' : 'failed to add'} ${a.count ?? 1} node(s) to ${a.pool}`),
    ...(o.removed ?? []).map((r) => `${r.ok ? 'removed' : 'failed to remove'} ${r.nodeName}`),
  ];
  return parts.length > 0 ? `${o.trigger}: ${parts.join(', ')}` : undefined;
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}
