import { availableParallelism, loadavg } from 'node:os';
import type { ShepherdConfig } from '../../config/types.js';
import type { LambdaLogSink } from '../../local/lambda/lambda-log-sink.js';
import { startShepherdLocal } from '../../local/shepherd-local.js';
import { addWorkload } from '../../sim/scenarios.js';
import { bufferDay } from './day.js';
import { dayChecks, formatDay } from './day-figures.js';
import { provision } from './scenarios.js';

/**
 * bench:buffers' third scenario, the simulated day (bench/buffers/day.ts), in its own local control plane; prints the
 * node changes, per need added/needed/overshoot, and the flapping check. Returns whether every check passed.
 * `only`: 'day' runs it alone (the other two are skipped by the caller); any other value is refused.
 */
export async function runDay(opts: {
  config: ShepherdConfig;
  seed: number;
  logs: LambdaLogSink;
  dark?: { name: string; provider: string };
  only?: string;
}): Promise<boolean> {
  if (opts.only !== undefined && opts.only !== 'day') throw new Error(`--only takes "day", not "${opts.only}"`);
  const { config, dark } = opts;
  console.log('Day: 3 bursts (3 waves each) and 1 outage; overshoot per need and flapping...');
  const wall = performance.now();
  const local = await startShepherdLocal({ config, seed: opts.seed, clock: { mode: 'virtual' }, onLambdaLog: opts.logs.write });
  try {
    const day = await bufferDay(local, config, {
      ...(dark
        ? {
            darkProvider: dark.provider,
            outageApp: 'day-app',
            prepareOutage: async () => {
              await provision(local, dark.name, Math.max(config.watcher.degradedMinNodes, 1));
              addWorkload(local.sim.world, 'day-app', 8, { cpu: '250m', memory: '256Mi' });
            },
          }
        : {}),
    });
    console.log('');
    for (const line of formatDay(day)) console.log(line);
    const checks = dayChecks(day);
    for (const c of checks) console.log(c.line);
    console.log(
      `  (${((performance.now() - wall) / 1000).toFixed(1)} s of wall time; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs)`,
    );
    return checks.every((c) => c.met);
  } finally {
    await local.stop();
  }
}
