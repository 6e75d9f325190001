import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Clock, Timer } from '../../sim/index.js';
import { LambdaFunctionError, LambdaServiceError } from '../errors.js';
import { IdSource } from '../ids.js';
import type { InvocationContext, LambdaFunctionSpec, LambdaInvoker } from '../types.js';
import { InvocationHold } from './invocation-hold.js';
import { type LambdaFault, LambdaFaults } from './lambda-faults.js';
import { COMPILE_CACHE_DIR, stageCode, stagingRoot } from './lambda-staging.js';

export interface LambdaRunnerOptions {
  functions: LambdaFunctionSpec[];
  clock: Clock;
  region: string;
  /** Merged over each function's template env: region, credentials, endpoint overrides. */
  environment: Record<string, string>;
  /** Merged last, over everything. */
  extraEnv?: Record<string, string>;
  /** Folder whose modules play the Lambda runtime's (the AWS SDK v3); default: this project's node_modules. */
  runtimeModules?: string;
  /** Warm environments per function, at most (more are started only while all are busy). Default 4. */
  maxWorkersPerFunction?: number;
  /** Each line a function writes to stdout/stderr. */
  onLog?: (functionName: string, line: string) => void;
  /** Faults armed on invocations (default: a registry of its own, reachable as `faults`). */
  faults?: LambdaFaults;
}

const WORKER_FILE = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));
const DEFAULT_RUNTIME_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** In virtual time, a handler stuck on something that is not I/O would hold the clock forever: stop it after this much real time at least. */
const MIN_REAL_TIME_LIMIT_MS = 30_000;

/**
 * Runs the stack's Lambda functions: each warm environment is a worker thread with its own
 * process.env and module state, loading the bundled handler from a staged copy of its asset.
 */
export class LambdaRunner implements LambdaInvoker {
  private readonly functions = new Map<string, LambdaFunctionSpec>();
  private readonly pools = new Map<string, FunctionPool>();
  private readonly requestIds = new IdSource('lambda-request');
  private stagingRoot?: Promise<string>;
  private stopped = false;
  readonly faults: LambdaFaults;

  constructor(private readonly options: LambdaRunnerOptions) {
    for (const fn of options.functions) this.functions.set(fn.name, fn);
    this.faults = options.faults ?? new LambdaFaults();
  }

  has(functionNameOrArn: string): boolean {
    return this.find(functionNameOrArn) !== undefined;
  }

  /**
   * Invokes a function synchronously (RequestResponse). Resolves with the handler's result (JSON
   * round-tripped, as Lambda returns it); rejects with LambdaFunctionError (the handler failed or
   * timed out) or LambdaServiceError (Lambda refused the call).
   */
  async invoke(functionNameOrArn: string, event: unknown, context: InvocationContext = {}): Promise<unknown> {
    const fn = this.find(functionNameOrArn);
    if (!fn) throw new LambdaServiceError('ResourceNotFoundException', `Function not found: ${functionNameOrArn}`);
    if (this.stopped) throw new LambdaServiceError('ServiceException', 'the local control plane is stopped');
    // Taken synchronously, so that a caller releasing its own hold right after calling leaves no gap.
    const hold = new InvocationHold(this.options.clock);
    try {
      const fault = this.faults.take({ functionName: fn.name, functionArn: fn.arn, state: context.state });
      if (fault?.kind === 'error') throw new LambdaFunctionError(fault.errorType, fault.errorMessage ?? `${fault.errorType} (injected fault)`);
      const pool = this.pool(fn);
      const env = await pool.acquire();
      try {
        return await env.run(event, hold, this.requestIds.uuid(), fault);
      } finally {
        pool.release(env);
      }
    } finally {
      hold.end();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }

  /** By name, ARN (with or without a version/alias qualifier) or partial ARN. */
  private find(ref: string): LambdaFunctionSpec | undefined {
    const m = /(?:^|:)function:([^:]+)(?::[^:]+)?$/.exec(ref);
    return this.functions.get(m ? m[1] : ref);
  }

  private pool(fn: LambdaFunctionSpec): FunctionPool {
    let pool = this.pools.get(fn.name);
    if (!pool) {
      pool = new FunctionPool(fn, this.options, () => this.stage(fn));
      this.pools.set(fn.name, pool);
    }
    return pool;
  }

  /**
   * Stages the function's code next to a `node_modules` link to the runtime modules, the way Lambda puts /var/task
   * next to the runtime's SDK: bundles that leave `@aws-sdk/*` external resolve it there, and `.js` files are
   * CommonJS unless the asset has its own package.json saying otherwise (lambda-staging.ts).
   */
  private async stage(fn: LambdaFunctionSpec): Promise<StagedHandler> {
    if (!fn.runtime.startsWith('nodejs')) throw new LambdaServiceError('InvalidRuntimeException', `runtime ${fn.runtime} is not run locally`);
    if (fn.code.kind === 'unsupported') throw new LambdaServiceError('InvalidParameterValueException', fn.code.reason);
    this.stagingRoot ??= stagingRoot(this.options.runtimeModules ?? DEFAULT_RUNTIME_MODULES);
    const root = await this.stagingRoot;
    const dir = await stageCode(root, { ...fn, code: fn.code });
    const dot = fn.handler.lastIndexOf('.');
    const modulePath = fn.handler.slice(0, dot);
    const file = ['.js', '.mjs', '.cjs'].map((ext) => join(dir, modulePath + ext)).find((f) => existsSync(f));
    if (dot <= 0 || !file) {
      throw new LambdaFunctionError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}' for handler ${fn.handler}`);
    }
    return { file, exportName: fn.handler.slice(dot + 1), compileCacheDir: join(root, COMPILE_CACHE_DIR) };
  }
}

interface StagedHandler {
  file: string;
  exportName: string;
  /** Node's compile cache for the handler's modules: the next cold start of the same code skips compiling them. */
  compileCacheDir: string;
}

/** The warm environments of one function. */
class FunctionPool {
  private readonly idle: WarmEnvironment[] = [];
  private readonly all = new Set<WarmEnvironment>();
  private readonly waiting: Array<(env: WarmEnvironment) => void> = [];
  private staged?: Promise<StagedHandler>;

  constructor(
    private readonly fn: LambdaFunctionSpec,
    private readonly options: LambdaRunnerOptions,
    private readonly stage: () => Promise<StagedHandler>,
  ) {}

  async acquire(): Promise<WarmEnvironment> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.size >= (this.options.maxWorkersPerFunction ?? 4)) {
      // Waiting for a busy environment is no work: the invocations holding them may wait on a server parked on the
      // clock, and a queued one that kept its hold would freeze time for all of them.
      const giveBack = this.options.clock.lend();
      try {
        return await new Promise((resolve) => this.waiting.push(resolve));
      } finally {
        giveBack();
      }
    }
    // A cold start (staging the asset, importing the bundle) is Lambda's init phase, which does not count against the
    // function's timeout (AWS, "Lambda execution environment lifecycle": Init is limited to 10 s on its own, the
    // timeout applies to Invoke). Here it costs real time that a scaled clock would multiply: simulated time stands
    // still meanwhile, in every clock mode, so no timeout (the function's, the Task's) sees it.
    const resume = this.options.clock.pause();
    try {
      this.staged ??= this.stage();
      const staged = await this.staged;
      const env = new WarmEnvironment(this.fn, staged, this.environment(), this.options);
      this.all.add(env);
      try {
        await env.ready;
      } catch (err) {
        // Init failed: the next invocation starts a fresh environment, as Lambda does.
        this.discard(env);
        throw err;
      }
      return env;
    } finally {
      resume();
    }
  }

  release(env: WarmEnvironment): void {
    if (env.dead) {
      this.discard(env);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(env);
    else this.idle.push(env);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all].map((env) => env.terminate()));
  }

  private discard(env: WarmEnvironment): void {
    this.all.delete(env);
    void env.terminate();
    // Someone waiting for a free environment gets a new one instead.
    const next = this.waiting.shift();
    if (next) this.acquire().then(next, () => this.waiting.unshift(next));
  }

  /** Lambda's own variables, then the template's, then the control plane's, then the caller's extras. */
  private environment(): Record<string, string> {
    const { fn, options } = this;
    return lambdaEnvironment(fn, options.region, { ...options.environment, ...options.extraEnv });
  }
}

interface Running {
  id: string;
  hold: InvocationHold;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timers: { sim?: Timer; real?: NodeJS.Timeout; delay?: Timer };
  fault?: LambdaFault;
  /** Returns the clock lent while a fault holds the invocation back. */
  giveBack?: () => void;
}

/** One worker thread: one invocation at a time, like a Lambda execution environment. */
class WarmEnvironment {
  readonly ready: Promise<void>;
  dead = false;
  private readonly worker: Worker;
  private current?: Running;

  constructor(
    private readonly fn: LambdaFunctionSpec,
    staged: StagedHandler,
    env: Record<string, string>,
    private readonly options: LambdaRunnerOptions,
  ) {
    this.worker = new Worker(WORKER_FILE, {
      env,
      execArgv: [],
      // Lambda counts the whole process against MemorySize; a worker can only bound its heap, so this is looser
      // than Lambda, never stricter: a function that runs out of memory here would on Lambda too.
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
      workerData: { handlerFile: staged.file, handlerExport: staged.exportName, handlerSpec: fn.handler, compileCacheDir: staged.compileCacheDir },
      stdout: true,
      stderr: true,
    });
    this.pipeLogs(this.worker.stdout);
    this.pipeLogs(this.worker.stderr);
    this.ready = new Promise((resolve, reject) => {
      const onInit = (msg: { type: string; error?: LambdaErrorPayload }) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'init-error' && msg.error) reject(toError(msg.error));
        else return;
        this.worker.off('message', onInit);
      };
      this.worker.on('message', onInit);
      this.worker.once('error', (err) => reject(isOutOfMemory(err) ? outOfMemory(fn) : err));
      this.worker.once('exit', (code) => reject(new LambdaFunctionError('Runtime.ExitError', `Runtime exited during init: exit status ${code}`)));
    });
    this.worker.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    this.worker.on('error', (err) =>
      this.fail(isOutOfMemory(err) ? outOfMemory(fn, this.current?.id) : new LambdaFunctionError(err.name || 'Runtime.UnhandledPromiseRejection', err.message)),
    );
    this.worker.on('exit', (code) => this.fail(new LambdaFunctionError('Runtime.ExitError', `Runtime exited with error: exit status ${code}`)));
  }

  run(event: unknown, hold: InvocationHold, requestId: string, fault?: LambdaFault): Promise<unknown> {
    const { fn, options } = this;
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const running: Running = { id: requestId, hold, resolve, reject, timers: {}, fault };
      this.current = running;
      const onTimeout = () => {
        if (this.current !== running) return;
        this.fail(new LambdaFunctionError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
      };
      // The function's timeout runs on the simulated clock; in virtual time that clock stands
      // still while the function computes, so a real-time limit backs it up.
      running.timers.sim = options.clock.setTimer(timeoutMs, onTimeout, `lambda timeout ${fn.name}`);
      if (options.clock.mode === 'virtual') running.timers.real = setTimeout(onTimeout, Math.max(timeoutMs, MIN_REAL_TIME_LIMIT_MS));
      const deadline = options.clock.now() + timeoutMs;
      const send = () =>
        this.worker.postMessage({
          type: 'invoke',
          id: requestId,
          outOfMemory: fault?.kind === 'out-of-memory',
          event: JSON.stringify(event === undefined ? {} : event),
          context: {
            functionName: fn.name,
            invokedFunctionArn: fn.arn,
            memoryLimitInMB: String(fn.memoryMb),
            awsRequestId: requestId,
            logGroupName: `/aws/lambda/${fn.name}`,
            logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
            now: options.clock.now(),
            deadline,
          },
        });
      this.startAfterFault(running, fault, send);
    });
  }

  /**
   * Sends the invocation, or not (timeout), or later (delay). While a faulted invocation waits on the simulated clock,
   * the clock is lent, as a server that parks a request lends it, so that time can reach the timeout.
   */
  private startAfterFault(running: Running, fault: LambdaFault | undefined, send: () => void): void {
    if ((fault?.kind !== 'timeout' || fault.afterHandler) && fault?.kind !== 'delay') {
      send();
      return;
    }
    running.giveBack = this.options.clock.lend();
    if (fault.kind === 'timeout') return;
    running.timers.delay = this.options.clock.setTimer(
      fault.ms,
      () => {
        if (this.current !== running) return;
        running.giveBack?.();
        send();
      },
      `lambda fault delay ${this.fn.name}`,
    );
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private onMessage(msg: WorkerMessage): void {
    const running = this.current;
    if (!running) return;
    else if (msg.type === 'result' && msg.id === running.id) {
      if (running.fault?.kind === 'timeout') {
        // The answer is lost: wait, with the clock lent, for the function's timeout.
        running.giveBack = this.options.clock.lend();
        return;
      }
      this.finish(running);
      if (msg.ok) running.resolve(JSON.parse(msg.payload));
      else running.reject(toError(msg.error));
    }
  }

  /** The environment is lost (timeout, crash, exit): the invocation fails and the worker goes. */
  private fail(err: LambdaFunctionError): void {
    const running = this.current;
    if (!this.dead) {
      this.dead = true;
      void this.worker.terminate();
    }
    if (!running) return;
    this.finish(running);
    running.reject(err);
  }

  private finish(running: Running): void {
    running.giveBack?.();
    this.options.clock.cancel(running.timers.delay);
    this.options.clock.cancel(running.timers.sim);
    clearTimeout(running.timers.real);
    this.current = undefined;
  }

  private pipeLogs(stream: Readable): void {
    const onLog = this.options.onLog;
    const lines = createInterface({ input: stream });
    lines.on('line', (line) => onLog?.(this.fn.name, line));
  }
}

interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorPayload }
  | { type: 'result'; id: string; ok: true; payload: string }
  | { type: 'result'; id: string; ok: false; error: LambdaErrorPayload };

function isOutOfMemory(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * A function killed for using more than its memory. Step Functions reports this as `Lambda.Unknown` (AWS: "Unhandled
 * errors in Lambda are reported as Lambda.Unknown ... These include out-of-memory errors and function timeouts");
 * the message is the one Lambda logs for a runtime killed by the kernel.
 */
function outOfMemory(fn: LambdaFunctionSpec, requestId?: string): LambdaFunctionError {
  const request = requestId ? `RequestId: ${requestId} ` : '';
  return new LambdaFunctionError(
    'Lambda.Unknown',
    `${request}Error: Runtime exited with error: signal: killed (Runtime.OutOfMemory: the function used more than its ${fn.memoryMb} MB)`,
  );
}

function toError(e: LambdaErrorPayload): LambdaFunctionError {
  return new LambdaFunctionError(e.errorType, e.errorMessage, e.trace ?? []);
}

/** The environment Lambda gives a function: its own variables, then the template's, then `environment`. */
export function lambdaEnvironment(fn: LambdaFunctionSpec, region: string, environment: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    ...fn.env,
    ...environment,
  };
}
