import type { TimelineEntry } from '../sim/index.js';
import { startShepherdLocal } from './shepherd-local.js';

/** What `runDemo` receives (from `shepherd demo`). Absent fields: its own defaults. */
export interface RunDemoOptions {
  seed?: number;
  configFile?: string;
}

/** The pools the demo provisions: one per provider, amd64 and arm64 on AWS. */
const DEMO_POOLS = ['aws-amd64', 'aws-arm64', 'gcp-amd64', 'scw-buffer'];

/**
 * `npm run demo`: runs the real stack locally on a virtual clock, provisions one node in each demo
 * pool through ProvisionNode, and prints what happened with simulated times. Exits 0 when every
 * node is Ready and labelled.
 */
export async function runDemo(options: RunDemoOptions = {}, out: (line: string) => void = console.log): Promise<number> {
  const lambdaLog: string[] = [];
  const local = await startShepherdLocal({
    configFile: options.configFile,
    seed: options.seed ?? 1,
    clock: { mode: 'virtual' },
    onLambdaLog: (fn, line) => lambdaLog.push(`${fn} ${line}`),
    onPhase: out,
  });
  try {
    const { sim, controlPlane } = local;
    const pools = DEMO_POOLS.filter((p) => local.config.pools.some((c) => c.name === p));
    const t0 = sim.clock.now();
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
    const lines: Array<{ at: number; text: string }> = [];
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
    out('');
    out('Timeline (simulated time since the executions started):');
    for (const l of lines.sort((a, b) => a.at - b.at)) out(`  ${rel(l.at)}  ${l.text}`);
    out('');
    out('Nodes provisioned by shepherd:');
    for (const n of nodes) {
      const l = n.metadata.labels ?? {};
      const ready = n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;
      out(
        `  ${n.metadata.name}  Ready=${ready}  pool=${l['shepherd.io/pool']} provider=${l['shepherd.io/provider']} arch=${l['kubernetes.io/arch']} zone=${l['topology.kubernetes.io/zone']} type=${l['node.kubernetes.io/instance-type']}`,
      );
    }
    const failed = results.filter((r) => r.status !== 'SUCCEEDED');
    const orphans = sim.world.listVms().filter((v) => v.provider !== 'home' && v.state !== 'terminated' && !v.nodeName);
    out('');
    if (failed.length > 0 || nodes.length < pools.length) {
      out(`Demo FAILED: ${failed.length} execution(s) failed, ${nodes.length}/${pools.length} nodes provisioned.`);
      for (const line of lambdaLog.slice(-20)) out(`  ${line}`);
      return 1;
    }
    out(
      `Demo OK: ${nodes.length} nodes on ${new Set(nodes.map((n) => n.metadata.labels?.['shepherd.io/provider'])).size} providers Ready and labelled; ${orphans.length} VMs without a node.`,
    );
    return 0;
  } finally {
    await local.stop();
  }
}
