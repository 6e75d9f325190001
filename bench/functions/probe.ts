import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROBE_FILE = fileURLToPath(new URL('./function-probe.mjs', import.meta.url));
/** A probe that neither loads nor answers within this is stuck (a real call may wait on the simulator for a while). */
const PROBE_LIMIT_MS = 300_000;

/** A bundled handler and how to start its process. */
export interface ProbeTarget {
  /** The Node binary to run it with. */
  node: string;
  file: string;
  exportName: string;
  env: Record<string, string>;
}

export interface ImportFigures {
  /** Wall time of the import. */
  importMs: number;
  /** CPU time (user + system) the process spent on it: what the import costs without other processes competing. */
  importCpuMs: number;
  /** Resident set right after the import. */
  rssBytes: number;
}

export interface CallFigures extends ImportFigures {
  calls: Array<{ ok: boolean; errorType?: string; ms: number }>;
  /** Peak resident set of the process over the import and every call. */
  peakRssBytes: number;
}

export interface CallContext {
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
}

/** A bundle's load failed or its process died. */
export class ProbeError extends Error {
  override name = 'ProbeError';
}

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof ProbeError;
}

/** Imports the handler in a fresh Node process and measures the import. */
export function probeImport(target: ProbeTarget): Promise<ImportFigures> {
  return runProbe(target);
}

/** Imports the handler in a fresh Node process, then has it handle `events` in order, as one cold then warm environment. */
export function probeCalls(target: ProbeTarget, events: unknown[], context: CallContext): Promise<CallFigures> {
  return runProbe(target, { events, context }) as Promise<CallFigures>;
}

function runProbe(target: ProbeTarget, invoke?: { events: unknown[]; context: CallContext }): Promise<ImportFigures | CallFigures> {
  const child = fork(PROBE_FILE, [], { execPath: target.node, execArgv: [], env: target.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    let loaded: ImportFigures | undefined;
    let done = false;
    const fail = (message: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new ProbeError(`${target.file}: ${message}\n${output.join('').slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${PROBE_LIMIT_MS} ms`), PROBE_LIMIT_MS);
    child.on('exit', (code, signal) => fail(`exited (${signal ?? code}) before reporting`));
    child.on('message', (msg: { type: string; message?: string } & Partial<CallFigures>) => {
      if (msg.type === 'error') fail(msg.message ?? 'load failed');
      else if (msg.type === 'loaded') {
        loaded = { importMs: msg.importMs ?? 0, importCpuMs: msg.importCpuMs ?? 0, rssBytes: msg.rssBytes ?? 0 };
        if (invoke) child.send({ type: 'invoke', ...invoke });
        else finish(loaded);
      } else if (msg.type === 'invoked' && loaded) finish({ ...loaded, calls: msg.calls ?? [], peakRssBytes: msg.peakRssBytes ?? 0 });
    });
    const finish = (figures: ImportFigures | CallFigures) => {
      done = true;
      clearTimeout(timer);
      child.send({ type: 'exit' });
      resolve(figures);
    };
    child.send({ type: 'load', file: target.file, exportName: target.exportName });
  });
}
