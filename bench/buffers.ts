/**
 * Buffer pools benchmark: the scenarios in the local control plane against the simulated clouds, measured on
 * the simulated clock from what the simulated world saw, each in a fresh local control plane. Exit code 1 when a goal
 * is missed.
 *
 *   outage to capacity: a provider running ~30 % of the workload's pods goes dark -> buffer capacity Ready
 *     (goal: boot+join + 60 s; the lost pods run again only once Kubernetes evicts them, 300 s after NotReady, so the
 *     goal is on the capacity, which the issue wants there before they go pending), beside a modelled Scaleway
 *     autoscaler that waits for the evictions
 *   pending pods to a decision: 500 pending pods of 20 shapes -> ScaleBuffer's plan (goal 15 s; printed split at the
 *     watcher's event: a cluster hint round and the watcher pass it starts, then intake and ScaleBuffer), and that Lambda
 *     replayed in a fresh process (goal 2 s, 256 MB)
 *
 *   overshoot and no flapping: a simulated day of bursts and an outage (bench/buffers/day.ts)
 *
 *   npm run bench:buffers [-- --seed 1 --config shepherd.config.json --json] [--only day]
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesizeStack } from '../local/cloudformation/synth.js';
import { LambdaLogSink } from '../local/lambda/lambda-log-sink.js';
import { type ShepherdLocal, startShepherdLocal } from '../local/shepherd-local.js';
import { benchConfig } from './buffers/config.js';
import { runDay } from './buffers/day-run.js';
import { type BufferFigures, formatChecks, formatFigures, goalChecks } from './buffers/figures.js';
import { outageToCapacity, pendingToDecision, provision } from './buffers/scenarios.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be an integer >= 0');

const config = benchConfig(values.config);
const bufferPools = (config.buffers?.pools ?? []).map((p) => p.pool);
const wallStart = performance.now();
console.log('Synthesizing the stack (bundled; cached in .shepherd/cdk-cache)...');
await synthesizeStack(config);
const logFile = resolve('.shepherd', 'bench-buffers.log');
const logs = new LambdaLogSink({ file: logFile, terminal: () => {} });
const figures: BufferFigures[] = [];
let dayMet = true;
const loads: number[] = [];

async function withLocal(run: (local: ShepherdLocal) => Promise<BufferFigures>): Promise<void> {
  const local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: logs.write });
  try {
    figures.push(await run(local));
    loads.push(loadavg()[0]);
  } finally {
    await local.stop();
  }
}

try {
  // The dark provider needs enough nodes for the watcher to call it degraded (watcher.degradedMinNodes).
  const dark = config.pools.find((p) => p.provider === 'aws' && !bufferPools.includes(p.name));
  if (dark && values.only === undefined) {
    const { degradedMinNodes } = config.watcher;
    console.log(`Outage: ${degradedMinNodes} nodes in ${dark.name}, a workload ~30 % on them, then ${dark.provider} goes dark...`);
    await withLocal(async (local) => {
      await provision(local, dark.name, Math.max(degradedMinNodes, 1));
      return outageToCapacity(local, dark.provider, bufferPools, 'bench-app', 12, degradedMinNodes);
    });
  }
  if (values.only === undefined) {
    console.log('Decision: 500 pending pods of 20 shapes...');
    await withLocal((local) => pendingToDecision(local, 20, 25));
  }
  dayMet = await runDay({ config, seed, logs, dark, only: values.only });
} finally {
  await logs.close();
}

console.log('');
for (const [i, f] of figures.entries()) {
  for (const line of formatFigures(f)) console.log(line);
  console.log(`  (1-minute load average ${loads[i]?.toFixed(1)} on ${availableParallelism()} CPUs when it ended)`);
}
console.log(`\nLambda logs: ${logFile}\n`);
const checks = goalChecks(figures);
for (const line of formatChecks(checks)) console.log(line);
if (values.json) console.log(JSON.stringify({ seed, figures, checks, loads }));
console.log(
  `\n${((performance.now() - wallStart) / 1000).toFixed(1)} s of wall time (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs); times above are simulated seconds`,
);
process.exitCode = checks.every((c) => c.met) && dayMet ? 0 : 1;
