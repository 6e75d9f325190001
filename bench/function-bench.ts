/**
 * Benchmark: every bundled function of the synthesized stack. Prints bundle size, cold import time (median of
 * fresh Node processes), memory after import, configured memory, and peak memory while the bundle handles the
 * real events of local ProvisionNode runs against the simulator; then checks issue 6's goals (PASS/FAIL) and
 * prints one JSON line with every figure. Exit code 1 when a goal fails.
 *
 *   npm run bench:functions [-- --runs 5 --pools aws-amd64,gcp-amd64 --config shepherd.config.json]
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { textTable } from '../cli/text-table.js';
import { loadConfigFile } from '../config/load.js';
import { synthesizeStack } from '../local/cloudformation/synth.js';
import { readStack } from '../local/cloudformation/template.js';
import { lambdaEnvironment } from '../local/lambda/lambda-runner.js';
import { bundledFunctions } from './functions/bundled-functions.js';
import { checkGoals, type FunctionFigures } from './functions/goals.js';
import { type ImportFigures, probeCalls, probeImport } from './functions/probe.js';
import { lambdaNode } from './node-line.js';
import { recordProvisionRuns } from './provision-runs/recorder.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, pools: { type: 'string' }, config: { type: 'string' } } });
const importRuns = Number(values.runs);
if (!Number.isInteger(importRuns) || importRuns < 1) throw new Error('--runs must be a positive integer');

const MIB = 1024 * 1024;
const node = lambdaNode();
const config = loadConfigFile(values.config);
console.log(`Synthesizing the stack (bundled; cached in .shepherd/cdk-cache)...`);
const cdkOut = await synthesizeStack(config);
const region = config.providers.aws?.region ?? 'eu-west-3';
const functions = bundledFunctions(readStack({ cdkOut, region, accountId: '123456789012' }).functions);
type Figures = FunctionFigures & { logicalId: string; importCpuMs: number; rssAfterImportBytes: number; importRunsMs: number[]; callErrors: string[] };
const figures: Figures[] = [];

// Imports first, while no simulator runs in this process to compete for the CPU.
console.log(`Importing each bundle ${importRuns} times, each in a fresh Node ${node.version} (${node.source}; the Lambdas run nodejs22.x)...`);
const loadBefore = loadavg()[0];
for (const fn of functions) {
  const imports: ImportFigures[] = [];
  for (let i = 0; i < importRuns; i++) {
    imports.push(await probeImport({ node: node.path, file: fn.file, exportName: fn.exportName, env: lambdaEnvironment(fn.spec, region) }));
  }
  figures.push({
    name: fn.spec.name,
    logicalId: fn.spec.logicalId,
    apis: fn.apis,
    bundleBytes: fn.bundleBytes,
    importMs: median(imports.map((i) => i.importMs)),
    importRunsMs: imports.map((i) => Math.round(i.importMs)),
    importCpuMs: median(imports.map((i) => i.importCpuMs)),
    rssAfterImportBytes: median(imports.map((i) => i.rssBytes)),
    memoryMb: fn.spec.memoryMb,
    callErrors: [],
  });
}
const loadAfter = loadavg()[0];

console.log("Running ProvisionNode locally against the simulator, then replaying each function's real events in a fresh process...");
const runs = await recordProvisionRuns({ config, cdkOut, pools: values.pools?.split(',').map((p) => p.trim()) });
try {
  for (const e of runs.executions) console.log(`  ${e.pool}: ProvisionNode ${e.status}${e.error ? ` (${e.error})` : ''}, ${e.invocations.length} invocations`);
  const succeeded = runs.executions.filter((e) => e.status === 'SUCCEEDED');
  for (const [i, fn] of functions.entries()) {
    const spec = runs.functions.find((f) => f.logicalId === fn.spec.logicalId) ?? fn.spec;
    const events = succeeded.flatMap((e) => e.invocations.filter((inv) => inv.functionName === spec.name).map((inv) => inv.event));
    if (events.length === 0) continue;
    const target = { node: node.path, file: fn.file, exportName: fn.exportName, env: runs.functionEnv(spec) };
    const realCall = await probeCalls(target, events, { functionName: spec.name, memoryMb: spec.memoryMb, timeoutSeconds: spec.timeoutSeconds });
    const okCalls = realCall.calls.filter((c) => c.ok).length;
    figures[i].realCall = { peakRssBytes: realCall.peakRssBytes, okCalls, calls: realCall.calls.length };
    figures[i].callErrors = realCall.calls.filter((c) => !c.ok).map((c) => c.errorType ?? 'Error');
  }
} finally {
  await runs.stop();
}

const goals = checkGoals(figures);
console.log('');
console.log(
  textTable(
    ['FUNCTION', 'TALKS TO', 'BUNDLE MB', 'IMPORT MS', 'IMPORT CPU MS', 'RSS AFTER IMPORT MiB', 'MEMORY MiB', 'REAL CALL PEAK MiB', 'CALLS OK'],
    figures.map((f) => [
      f.name,
      f.apis.join(', '),
      (f.bundleBytes / 1e6).toFixed(2),
      Math.round(f.importMs),
      Math.round(f.importCpuMs),
      Math.round(f.rssAfterImportBytes / MIB),
      f.memoryMb,
      f.realCall ? `${Math.round(f.realCall.peakRssBytes / MIB)} (${Math.round((100 * f.realCall.peakRssBytes) / MIB / f.memoryMb)} %)` : undefined,
      f.realCall ? `${f.realCall.okCalls}/${f.realCall.calls}` : undefined,
    ]),
  ),
);
const cores = availableParallelism();
console.log(`IMPORT MS: median wall time of ${importRuns} cold imports; the goal is checked on it. IMPORT CPU MS: the CPU time they took.`);
console.log(`${cores} cores, 1-minute load average ${loadBefore.toFixed(2)} before the imports, ${loadAfter.toFixed(2)} after.`);
if (Math.max(loadBefore, loadAfter) > cores)
  console.log('The machine was busy with other work: the wall times include waiting for a CPU; the CPU times do not.');
console.log('');
for (const g of goals) console.log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.detail}`);
for (const f of figures.filter((x) => x.callErrors.length > 0)) console.log(`note: ${f.name} real-call errors: ${f.callErrors.join(', ')}`);
console.log(
  JSON.stringify({
    benchmark: 'functions',
    node: { version: node.version, source: node.source },
    loadAverage1m: { beforeImports: Number(loadBefore.toFixed(2)), afterImports: Number(loadAfter.toFixed(2)) },
    importRuns,
    executions: runs.executions.map((e) => ({ pool: e.pool, status: e.status, invocations: e.invocations.length })),
    functions: figures.map((f) => ({
      name: f.name,
      talksTo: f.apis,
      bundleBytes: f.bundleBytes,
      importMsMedian: Math.round(f.importMs),
      importMsRuns: f.importRunsMs,
      importCpuMsMedian: Math.round(f.importCpuMs),
      rssAfterImportMiB: Math.round(f.rssAfterImportBytes / MIB),
      memoryMiB: f.memoryMb,
      realCall: f.realCall
        ? { peakRssMiB: Math.round(f.realCall.peakRssBytes / MIB), calls: f.realCall.calls, ok: f.realCall.okCalls, errors: f.callErrors }
        : null,
    })),
    goals: goals.map((g) => ({ goal: g.goal, pass: g.pass })),
  }),
);
process.exitCode = goals.every((g) => g.pass) ? 0 : 1;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
