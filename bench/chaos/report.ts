import { describePlan } from './plan.js';
import type { SeedRun } from './run-seed.js';

const STATUS_ORDER = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING'];

/** One seed's result as text: what ran, what went wrong on purpose, and each invariant with its violations. */
export function formatSeedRun(run: SeedRun): string[] {
  const statuses = STATUS_ORDER.filter((s) => run.statuses[s])
    .map((s) => `${run.statuses[s]} ${s}`)
    .join(', ');
  const errors = Object.entries(run.errors)
    .map(([e, n]) => `${e} ${n}`)
    .join(', ');
  const lines = [
    `seed ${run.seed}: ${statuses}${errors ? ` (failed: ${errors})` : ''}; ${run.simulatedMinutes} min simulated in ${run.wallSeconds.toFixed(1)} s of wall time (${run.cpuSeconds.toFixed(1)} s CPU)`,
    ...describePlan(run.plan).map((l) => `  ${l}`),
    `  Lambda fault rules that hit: ${run.lambdaFaultHits} of ${run.plan.lambdaFaults.length}`,
  ];
  const width = Math.max(...run.results.map((r) => r.title.length));
  for (const r of run.results) {
    lines.push(`  ${r.title.padEnd(width)}  ${String(r.violations).padStart(3)}  ${r.violations === 0 ? 'ok  ' : 'FAIL'}  (${r.context})`);
    for (const d of r.details) lines.push(`      ${d}`);
  }
  return lines;
}

/** The last lines: violations per invariant over all seeds, and the verdict. */
export function formatSummary(runs: SeedRun[]): string[] {
  const titles = runs[0]?.results.map((r) => r.title) ?? [];
  const total = (title: string) => runs.reduce((n, run) => n + (run.results.find((r) => r.title === title)?.violations ?? 0), 0);
  const failing = titles.filter((t) => total(t) > 0);
  const seeds = runs.map((r) => r.seed).join(', ');
  return [
    `summary over seeds ${seeds}: ${titles.map((t) => `${t} ${total(t)}`).join(', ')}`,
    failing.length === 0 ? 'PASS  every invariant holds on every seed' : `FAIL  violated: ${failing.join(', ')}`,
  ];
}
