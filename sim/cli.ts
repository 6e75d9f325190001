/**
 * Runs the simulated multi-cloud on loopback until interrupted:
 *   npm run sim -- --kubeconfig .shepherd/sim.kubeconfig [--seed 1] [--speed 10] [--endpoints .shepherd/sim.json]
 * Prints one JSON line with "ready": true and every endpoint once the sample world's nodes are Ready.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startSim } from './index.js';
import { buildSampleWorld } from './sample.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    endpoints: { type: 'string' },
    seed: { type: 'string', default: '1' },
    speed: { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run sim -- [--kubeconfig PATH] [--endpoints PATH] [--seed N] [--speed FACTOR]');
  process.exit(0);
}
const speed = Number(values.speed);
if (!(speed > 0)) {
  console.error(`--speed must be a positive number (simulated seconds per real second), got "${values.speed}"`);
  process.exit(2);
}
// Interactive runs start at the real time, so the ages kubectl prints agree with the timestamps it shows; tests and
// benchmarks keep the fixed default start for repeatable runs.
const sim = await startSim({ seed: Number(values.seed), clock: { mode: 'scaled', factor: speed, startTime: Date.now() } });
const sample = buildSampleWorld(sim);
if (values.kubeconfig) await sim.writeKubeconfig(values.kubeconfig);
await sample.ready;
const line = {
  ready: true,
  simulatedTime: sim.clock.iso(),
  speed,
  endpoints: sim.endpoints,
  kubeconfig: values.kubeconfig ?? null,
  nodes: sim.world.snapshot().nodes.map((n) => n.name),
};
if (values.endpoints) {
  await mkdir(dirname(values.endpoints), { recursive: true });
  await writeFile(values.endpoints, `${JSON.stringify({ ...line, credentials: sim.credentials, caCert: sim.caCert }, null, 2)}\n`, { mode: 0o600 });
}
console.log(JSON.stringify(line));
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
