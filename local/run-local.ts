import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import type { ClockOptions } from '../sim/index.js';
import type { LocalEndpointsFile } from './endpoints-file.js';
import { LambdaLogSink } from './lambda/lambda-log-sink.js';
import { startShepherdLocal } from './shepherd-local.js';

/** What `runLocal` receives (from `shepherd local`). Absent fields: its own defaults. */
export interface RunLocalOptions {
  endpointsFile: string;
  configFile?: string;
  seed?: number;
  clock: Pick<ClockOptions, 'mode' | 'factor'>;
  /** Print every Lambda log line on the terminal, not only warnings and errors. */
  allLogs?: boolean;
}

/**
 * `shepherd local`: the simulator and the synthesized stack, until interrupted. Writes the endpoints
 * file that `shepherd start|status --local` read and prints one JSON line with "ready": true.
 */
export async function runLocal(options: RunLocalOptions): Promise<number> {
  const endpointsFile = resolve(options.endpointsFile);
  // The config first: an invalid one is refused before anything is printed or the last run's log is truncated.
  const config = loadConfigFile(options.configFile);
  // The cluster watcher alone logs a pass a minute of simulated time: thousands of lines an hour with --virtual.
  const logFile = resolve(dirname(endpointsFile), 'local.log');
  const logs = new LambdaLogSink({ file: logFile, all: options.allLogs, terminal: (text) => process.stderr.write(text) });
  process.stderr.write(`Lambda logs: ${logFile}${options.allLogs ? ' (and here)' : ' (warnings and errors also here; --all-logs prints every line)'}\n`);
  const local = await startShepherdLocal({
    config,
    seed: options.seed,
    // Starting at the real time makes the ages kubectl prints agree with its timestamps.
    clock: { ...options.clock, startTime: Date.now() },
    onLambdaLog: logs.write,
    onPhase: (phase) => process.stderr.write(`${phase}\n`),
  });
  const kubeconfig = resolve(dirname(endpointsFile), 'kubeconfig');
  await mkdir(dirname(endpointsFile), { recursive: true });
  await local.sim.writeKubeconfig(kubeconfig);
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints, chaos: local.chaos.url },
    region: local.config.providers.aws?.region ?? local.sim.credentials.aws.region,
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    tableName: local.tableName,
    chaosToken: local.chaos.token,
    kubeconfig,
    ...(options.configFile ? { configFile: resolve(options.configFile) } : {}),
    pid: process.pid,
  };
  await writeEndpointsFile(endpointsFile, file);
  console.log(
    JSON.stringify({ ready: true, endpointsFile, stateMachines: local.controlPlane.stateMachines, endpoints: file.endpoints, clock: local.sim.clock.mode }),
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Once stopped, the endpoints lead nowhere: a file left behind would only mislead the next `start --local`.
  await rm(endpointsFile, { force: true });
  await local.stop();
  await logs.close();
  return 0;
}

/**
 * Writes the endpoints file readable by this user alone, since it carries the chaos token: always a new file, as the
 * mode applies only to a file being created (one left behind by an earlier run keeps its own otherwise).
 */
export async function writeEndpointsFile(path: string, file: LocalEndpointsFile): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
