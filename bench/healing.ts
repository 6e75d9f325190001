/**
 * Healing benchmark: the issue's scenarios in the local control plane against the simulated clouds, measured on the
 * simulated clock from what the simulated API server saw (not from shepherd's own reports), with the anchors'
 * modelled figures beside them. Exit code 1 when a goal is missed.
 *
 *   spot warning (EC2, a spot pool): warning -> Node cordoned (goal <= 10 s), -> replacement started (<= 10 s)
 *   VM deleted out of band, on each cloud provider: VM gone -> stale Node deleted (goal <= 90 s)
 *
 *   npm run bench:healing [-- --seed 1 --config shepherd.config.json --json]
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { synthesizeStack } from '../local/cloudformation/synth.js';
import { HealingObserver } from '../local/healing-observer.js';
import { LambdaLogSink } from '../local/lambda/lambda-log-sink.js';
import { startShepherdLocal } from '../local/shepherd-local.js';
import { formatChecks, formatScenario, goalChecks } from './healing/report.js';
import { provision, type ScenarioFigures, spotWarning, vmDeleted } from './healing/scenarios.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be an integer >= 0');

const config = loadConfigFile(values.config);
const wallStart = performance.now();
console.log('Synthesizing the stack (bundled; cached in .shepherd/cdk-cache)...');
await synthesizeStack(config);
// Every function's log goes to a file, for finding why a heal failed (the heals' causes are printed below).
const logFile = resolve('.shepherd', 'bench-healing.log');
const logs = new LambdaLogSink({ file: logFile, terminal: () => {} });
const local = await startShepherdLocal({ config, seed, clock: { mode: 'virtual' }, onLambdaLog: logs.write });
const figures: ScenarioFigures[] = [];
try {
  const observer = new HealingObserver(local);
  if (!observer.healNodeArn) console.log('warning: the stack has no heal-node state machine; nothing will heal');
  const spotPool = config.pools.find((p) => p.provider === 'aws' && p.spot);
  // One pool per cloud provider; the home lab has no API to delete a VM through, nor to confirm one gone.
  const vmPools = ['aws', 'gcp', 'scaleway'].flatMap((provider) => {
    const pool = config.pools.find((p) => p.provider === provider && p.name !== spotPool?.name) ?? config.pools.find((p) => p.provider === provider);
    return pool ? [pool.name] : [];
  });
  console.log(`Seed ${seed}. Provisioning one node in ${[spotPool?.name, ...vmPools].filter(Boolean).join(', ')}...`);
  const spotNode = spotPool ? await provision(local, spotPool.name) : undefined;
  const vmNodes = await Promise.all(vmPools.map((pool) => provision(local, pool)));
  console.log(`Provisioned at ${local.sim.clock.iso(local.sim.clock.now())} (simulated); each scenario runs alone, one after the other.\n`);

  if (spotPool && spotNode) figures.push(await spotWarning(local, observer, spotPool.name, spotNode));
  for (const [i, pool] of vmPools.entries()) figures.push(await vmDeleted(local, observer, pool, vmNodes[i]));
} finally {
  await local.stop();
  await logs.close();
}

for (const f of figures) for (const line of formatScenario(f)) console.log(line);
console.log(`\nLambda logs: ${logFile}`);
console.log('');
const checks = goalChecks(figures);
for (const line of formatChecks(checks)) console.log(line);
if (values.json) console.log(JSON.stringify({ seed, figures, checks }));
console.log(
  `\n${((performance.now() - wallStart) / 1000).toFixed(1)} s of wall time (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs); times above are simulated seconds from each event`,
);
process.exitCode = checks.every((c) => c.met) ? 0 : 1;
