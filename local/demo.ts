import { loadConfigFile } from '../config/load.js';
import { addDaemonSet, type TimelineEntry, WEB_HOST_PORTS } from '../sim/index.js';
import type { ActOutcome } from './demo/act.js';
import { bufferAct } from './demo/buffer-act.js';
import { demoConfig } from './demo/config.js';
import { dnsAct } from './demo/dns-act.js';
import { HealingObserver } from './healing-observer.js';
import { type ShepherdLocal, startShepherdLocal } from './shepherd-local.js';

/** What `runDemo` receives (from `shepherd demo`). Absent fields: its own defaults. */
export interface RunDemoOptions {
  seed?: number;
  configFile?: string;
}

/** The pools the demo provisions: one per provider, amd64 and arm64 on AWS. */
const DEMO_POOLS = ['aws-amd64', 'aws-arm64', 'gcp-amd64', 'scw-buffer'];

/** The second act: EC2 reclaims the spot node of this pool, and the VM of this pool's node is deleted out of band. */
const SPOT_POOL = 'aws-arm64';
const DELETED_POOL = 'gcp-amd64';
/** How long (simulated) the second act may take. */
const HEAL_CAP_MS = 20 * 60_000;

type Line = { at: number; text: string };

/** The fourth act: this pool's provider goes dark. */
const DARK_POOL = 'gcp-amd64';

/**
 * `npm run demo`: runs the real stack locally on a virtual clock, provisions one node in each demo
 * pool through ProvisionNode, then heals two of them (a spot reclaim on AWS, a VM deleted out of band on GCE), and
 * prints what happened on one timeline with simulated times. Then the home lab loses power and the DNS entrypoint
 * moves onto the cloud nodes (third act), and a provider goes dark and the buffer pool stands in for it until it is
 * back (fourth act). Exits 0 when every node is Ready and labelled, both were healed (the dead Node deleted and a
 * replacement Ready), the records moved without ever being empty, and the buffer grew, ran the pods and shrank.
 */
export async function runDemo(options: RunDemoOptions = {}, out: (line: string) => void = console.log): Promise<number> {
  const lambdaLog: string[] = [];
  const { config, added } = demoConfig(loadConfigFile(options.configFile));
  if (added.length > 0) out(`The demo adds to the config: ${added.join(', ')}.`);
  const local = await startShepherdLocal({
    config,
    seed: options.seed ?? 1,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => lambdaLog.push(`${fn} ${line}`),
    onPhase: out,
  });
  try {
    const { sim, controlPlane } = local;
    const observer = new HealingObserver(local);
    // An ingress controller on every node: what the entrypoint's check probes (ports 80 and 443).
    addDaemonSet(sim.world, 'ingress', WEB_HOST_PORTS);
    const pools = DEMO_POOLS.filter((p) => local.config.pools.some((c) => c.name === p));
    const t0 = sim.clock.now();
    const wallStart = performance.now();
    const runs = pools.map((pool) => ({
      pool,
      ...controlPlane.startExecution(local.stateMachineArn('provisionNode'), { pool, count: 1, reason: 'demo' }, `demo-${pool}`),
    }));
    out(`Started ProvisionNode for ${pools.join(', ')} at ${sim.clock.iso(t0)} (simulated).`);
    // One line as each ends: the runs take real minutes on a busy machine.
    const results = await Promise.all(
      runs.map(async (r) => {
        const done = await controlPlane.waitForExecution(r.executionArn);
        out(`  ${r.pool}: ProvisionNode ${done.status} (${Math.round(((done.stopDate ?? sim.clock.now()) - t0) / 1000)} s simulated)`);
        return done;
      }),
    );

    const nodes = sim.world.kube.list('nodes').filter((n) => n.metadata.labels?.['shepherd.io/pool']);
    const lines: Line[] = [];
    const rel = (at: number) => {
      const s = Math.round((at - t0) / 1000);
      return `+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    };
    for (const node of nodes) {
      const pool = node.metadata.labels?.['shepherd.io/pool'] ?? '?';
      const vm = sim.world.vmOfNode(node.metadata.name);
      const of = (type: string, subject: string | undefined): TimelineEntry | undefined =>
        sim.world.timeline.find((e) => e.type === type && e.subject === subject);
      const launched = of('vm.launched', vm?.id);
      const running = of('vm.running', vm?.id);
      const registered = of('node.registered', node.metadata.name);
      const ready = of('node.ready', node.metadata.name);
      if (launched) lines.push({ at: launched.at, text: `${pool}: launched ${vm?.provider} ${vm?.type} (${vm?.arch}) in ${vm?.zone}` });
      if (running) lines.push({ at: running.at, text: `${pool}: VM running` });
      if (registered) lines.push({ at: registered.at, text: `${pool}: Node ${node.metadata.name} registered` });
      if (ready) lines.push({ at: ready.at, text: `${pool}: Node Ready` });
    }
    for (const [i, r] of results.entries()) {
      const labelled = controlPlane.stepFunctions
        .history(r.executionArn)
        .find((e) => e.type === 'TaskStateExited' && String((e.stateExitedEventDetails as { name?: string })?.name ?? '').startsWith('Label and taint node'));
      if (labelled) lines.push({ at: labelled.timestamp, text: `${pools[i]}: labelled and tainted by shepherd` });
      lines.push({
        at: r.stopDate ?? sim.clock.now(),
        text: `${pools[i]}: ProvisionNode ${r.status}${r.error ? ` (${r.error}: ${r.cause?.slice(0, 300)})` : ''}`,
      });
    }
    const healed = act1Failed(results, nodes.length, pools.length) ? [] : await secondAct(local, observer, lines, out);
    out('');
    out('Timeline (simulated time since the executions started):');
    for (const l of lines.sort((a, b) => a.at - b.at)) out(`  ${rel(l.at)}  ${l.text}`);
    out('');
    out('Nodes provisioned by shepherd, after the second act:');
    for (const n of sim.world.kube.list('nodes').filter((node) => node.metadata.labels?.['shepherd.io/pool'])) {
      const l = n.metadata.labels ?? {};
      const ready = n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;
      out(
        `  ${n.metadata.name}  Ready=${ready}  pool=${l['shepherd.io/pool']} provider=${l['shepherd.io/provider']} arch=${l['kubernetes.io/arch']} zone=${l['topology.kubernetes.io/zone']} type=${l['node.kubernetes.io/instance-type']}`,
      );
    }
    const failed = results.filter((r) => r.status !== 'SUCCEEDED');
    if (failed.length > 0 || nodes.length < pools.length) {
      out('');
      out(`Demo FAILED: ${failed.length} execution(s) failed, ${nodes.length}/${pools.length} nodes provisioned.`);
      for (const line of lambdaLog.slice(-20)) out(`  ${line}`);
      return 1;
    }
    const unhealed = healed.filter((h) => !h.ok);
    if (healed.length < 2 || unhealed.length > 0) {
      out('');
      out(`Demo FAILED: not healed: ${unhealed.map((h) => `${h.pool} (${h.why})`).join(', ') || 'the second act did not run'}.`);
      for (const line of lambdaLog.slice(-20)) out(`  ${line}`);
      return 1;
    }
    const acts: [string, ActOutcome][] = [];
    acts.push(['third act (DNS)', await dnsAct(local, out)]);
    acts.push(['fourth act (buffer pools)', await bufferAct(local, DARK_POOL, out)]);
    const orphans = sim.world.listVms().filter((v) => v.provider !== 'home' && v.state !== 'terminated' && !v.nodeName);
    out('');
    out(
      `${((sim.clock.now() - t0) / 60_000).toFixed(1)} simulated minutes in ${((performance.now() - wallStart) / 1000).toFixed(1)} s of wall time since the first act.`,
    );
    const actFailures = acts.flatMap(([act, o]) => (o.ok ? [] : [`${act}: ${o.why}`]));
    if (actFailures.length > 0) {
      out(`Demo FAILED: ${actFailures.join('; ')}.`);
      for (const line of lambdaLog.slice(-20)) out(`  ${line}`);
      return 1;
    }
    out(
      `Demo OK: ${nodes.length} nodes on ${new Set(nodes.map((n) => n.metadata.labels?.['shepherd.io/provider'])).size} providers Ready and labelled; ${healed.map((h) => `${h.pool} healed`).join(', ')}; ${acts.map(([, o]) => (o.ok ? o.summary : '')).join('; ')}; ${orphans.length} VMs without a node.`,
    );
    return 0;
  } finally {
    await local.stop();
  }
}

function act1Failed(results: { status: string }[], nodes: number, pools: number): boolean {
  return results.some((r) => r.status !== 'SUCCEEDED') || nodes < pools;
}

interface HealOutcome {
  pool: string;
  ok: boolean;
  why?: string;
}

/** The spot reclaim and the deleted VM at the same moment; waits for both heals and adds what happened to `lines`. */
async function secondAct(local: ShepherdLocal, observer: HealingObserver, lines: Line[], out: (line: string) => void): Promise<HealOutcome[]> {
  const { sim } = local;
  const nodeOf = (pool: string) => sim.world.kube.list('nodes').find((n) => n.metadata.labels?.['shepherd.io/pool'] === pool)?.metadata.name;
  const spotNode = nodeOf(SPOT_POOL);
  const deletedNode = nodeOf(DELETED_POOL);
  const spotVm = spotNode ? sim.world.vmOfNode(spotNode) : undefined;
  const deletedVm = deletedNode ? sim.world.vmOfNode(deletedNode) : undefined;
  if (!spotNode || !deletedNode || !spotVm || !deletedVm) return [];
  const t1 = sim.clock.now();
  out(`Second act at ${sim.clock.iso(t1)} (simulated): EC2 reclaims ${spotNode}, and the GCE VM of ${deletedNode} is deleted out of band.`);
  let reclaimAt = t1;
  const off = sim.world.on('spot-interruption', (e) => {
    if (e.vm.id === spotVm.id) reclaimAt = e.actionAt;
  });
  sim.world.reclaimSpot(spotVm.id);
  off();
  sim.world.terminateVm(deletedVm.id);
  lines.push({ at: t1, text: `${SPOT_POOL}: EC2 spot interruption notice for ${spotVm.id} (reclaimed at ${sim.clock.iso(reclaimAt)})` });
  lines.push({ at: t1, text: `${DELETED_POOL}: GCE VM ${deletedVm.name} deleted out of band (GCE publishes no event)` });
  lines.push({ at: reclaimAt, text: `${SPOT_POOL}: EC2 reclaims the spot VM` });

  const healedNode = (pool: string, node: string) =>
    observer.fate(node).deletedAt !== undefined &&
    observer.healsOf(node).length > 0 &&
    observer.healsOf(node).every((h) => h.status !== 'RUNNING') &&
    observer.readyReplacement(pool, node, t1) !== undefined;
  try {
    await sim.clock.until(() => healedNode(SPOT_POOL, spotNode) && healedNode(DELETED_POOL, deletedNode), HEAL_CAP_MS, 'both nodes healed');
  } catch {
    // Not healed within the cap: the outcome below says what is missing.
  }
  return [narrateHeal(observer, SPOT_POOL, spotNode, t1, lines), narrateHeal(observer, DELETED_POOL, deletedNode, t1, lines)];
}

function narrateHeal(observer: HealingObserver, pool: string, node: string, since: number, lines: Line[]): HealOutcome {
  const fate = observer.fate(node);
  const heals = observer.healsOf(node);
  const replacement = observer.readyReplacement(pool, node, since);
  const started = observer.provisionsSince(pool, since)[0];
  if (fate.cordonedAt !== undefined) lines.push({ at: fate.cordonedAt, text: `${pool}: Node ${node} cordoned` });
  for (const h of heals) {
    lines.push({ at: h.startDate, text: `${pool}: HealNode ${h.name} started` });
    if (h.stopDate !== undefined) lines.push({ at: h.stopDate, text: `${pool}: HealNode ${h.name} ${h.status}` });
  }
  if (fate.deletedAt !== undefined) lines.push({ at: fate.deletedAt, text: `${pool}: stale Node ${node} deleted` });
  if (started) lines.push({ at: started.startDate, text: `${pool}: replacement ProvisionNode started` });
  if (replacement) lines.push({ at: replacement.readyAt, text: `${pool}: replacement Node ${replacement.node} Ready` });
  const succeeded = heals.some((h) => h.status === 'SUCCEEDED');
  const why = !succeeded
    ? `HealNode ${heals.map((h) => h.status).join(', ') || 'never started'}`
    : fate.deletedAt === undefined
      ? 'Node not deleted'
      : !replacement
        ? 'no replacement Ready'
        : undefined;
  return { pool, ok: why === undefined, ...(why ? { why } : {}) };
}
