import type { BundleApi } from './bundle-apis.js';

/** Issue 6's goals for the functions. */
export const IMPORT_LIMIT_MS = 300;
/** 1 MB as 10^6 bytes (the stricter reading). */
export const SMALL_BUNDLE_LIMIT_BYTES = 1_000_000;
export const GCE_MEMORY_SHARE_LIMIT = 0.6;

/** What the goals are checked against, per function. */
export interface FunctionFigures {
  name: string;
  apis: BundleApi[];
  bundleBytes: number;
  /** Median cold import time. */
  importMs: number;
  /** Configured memory, MiB. */
  memoryMb: number;
  /** Peak RSS while handling real events; absent when the function got none. */
  realCall?: { peakRssBytes: number; okCalls: number; calls: number };
}

export interface GoalResult {
  goal: string;
  pass: boolean;
  detail: string;
}

const MIB = 1024 * 1024;

export function checkGoals(functions: readonly FunctionFigures[]): GoalResult[] {
  return [importGoal(functions), smallBundleGoal(functions), gceMemoryGoal(functions)];
}

function importGoal(functions: readonly FunctionFigures[]): GoalResult {
  const checked = functions.filter((f) => !f.apis.includes('gce'));
  const over = checked.filter((f) => f.importMs > IMPORT_LIMIT_MS);
  return {
    goal: `every function that does not talk to GCE imports in <= ${IMPORT_LIMIT_MS} ms`,
    pass: over.length === 0,
    detail: detail(checked, over, (f) => `${f.name} ${Math.round(f.importMs)} ms`),
  };
}

function smallBundleGoal(functions: readonly FunctionFigures[]): GoalResult {
  const checked = functions.filter((f) => !f.apis.includes('gce') && !f.apis.includes('kubernetes'));
  const over = checked.filter((f) => f.bundleBytes > SMALL_BUNDLE_LIMIT_BYTES);
  return {
    goal: `every function that talks to neither GCE nor Kubernetes is <= ${SMALL_BUNDLE_LIMIT_BYTES / 1e6} MB`,
    pass: over.length === 0,
    detail: detail(checked, over, (f) => `${f.name} ${(f.bundleBytes / 1e6).toFixed(2)} MB`),
  };
}

function gceMemoryGoal(functions: readonly FunctionFigures[]): GoalResult {
  const goal = `every function that talks to GCE uses <= ${GCE_MEMORY_SHARE_LIMIT * 100} % of its memory on a real call`;
  const checked = functions.filter((f) => f.apis.includes('gce'));
  if (checked.length === 0) return { goal, pass: true, detail: 'no function talks to GCE' };
  const share = (f: FunctionFigures) => (f.realCall?.okCalls ? f.realCall.peakRssBytes / MIB / f.memoryMb : undefined);
  const bad = checked.filter((f) => {
    const s = share(f);
    return s === undefined || s > GCE_MEMORY_SHARE_LIMIT;
  });
  const describe = (f: FunctionFigures) => {
    const s = share(f);
    if (s === undefined) return `${f.name}: no successful real call`;
    return `${f.name} ${Math.round(f.realCall!.peakRssBytes / MIB)} of ${f.memoryMb} MiB (${Math.round(s * 100)} %)`;
  };
  return { goal, pass: bad.length === 0, detail: detail(checked, bad, describe) };
}

function detail(checked: readonly FunctionFigures[], failed: readonly FunctionFigures[], describe: (f: FunctionFigures) => string): string {
  if (checked.length === 0) return 'no such function';
  return failed.length > 0 ? `over: ${failed.map(describe).join(', ')}` : `all ${checked.length} within: ${checked.map(describe).join(', ')}`;
}
