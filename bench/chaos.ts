/**
 * Chaos benchmark: concurrent ProvisionNode and RemoveNode executions in the local control plane against simulated clouds that
 * fail (5xx, throttling, rate limits, latency, eventual consistency, lost Lambda responses, a pool that never joins,
 * repeated requestIds, aborts, a short deadline). For each seed it prints the invariants, computed from the clouds,
 * the cluster and the claims table once the run has settled. Exit code 1 when any invariant is violated.
 *
 *   npm run bench:chaos [-- --seeds 1,2,3 --executions 8 --deadline 16 --config shepherd.config.json]
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { synthesizeStack } from '../local/cloudformation/synth.js';
import { formatSeedRun, formatSummary } from './chaos/report.js';
import { runSeed, type SeedRun } from './chaos/run-seed.js';
import { parseSeeds } from './chaos/seeds.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    executions: { type: 'string', default: '8' },
    deadline: { type: 'string', default: '16' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const seeds = parseSeeds(values.seeds);
const executions = Number(values.executions);
const deadlineMinutes = Number(values.deadline);
if (!Number.isInteger(executions) || executions < 1) throw new Error('--executions must be a positive integer');
if (!(deadlineMinutes > 0)) throw new Error('--deadline must be a positive number of minutes');

// The config as it is, the cluster watcher's schedule included: its passes (each invoking the provider functions through
// Lambda's Invoke API) run beside the executions, under the same faults.
const config = loadConfigFile(values.config);
const wallStart = performance.now();
console.log('Synthesizing the stack (bundled; cached in .shepherd/cdk-cache)...');
await synthesizeStack(config);
console.log(
  `Running ${executions} ProvisionNode executions per seed (and RemoveNode executions for about a third of their nodes), deadline ${deadlineMinutes} min, seeds ${seeds.join(', ')}\n`,
);

const runs: SeedRun[] = [];
for (const seed of seeds) {
  const run = await runSeed({ config, seed, executions, deadlineMinutes });
  runs.push(run);
  for (const line of formatSeedRun(run)) console.log(line);
  if (values.json) console.log(JSON.stringify({ seed, statuses: run.statuses, errors: run.errors, invariants: run.results }));
  console.log('');
}
for (const line of formatSummary(runs)) console.log(line);
const cpu = runs.reduce((s, r) => s + r.cpuSeconds, 0);
console.log(
  `${seeds.length} seeds in ${((performance.now() - wallStart) / 1000).toFixed(1)} s of wall time (runs: ${cpu.toFixed(1)} s CPU; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs)`,
);
process.exitCode = runs.some((r) => r.results.some((i) => i.violations > 0)) ? 1 : 0;
