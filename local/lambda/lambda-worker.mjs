/**
 * One warm Lambda execution environment, run in its own worker thread so that it has its own
 * process.env and module state. Plain JavaScript so that it starts without a TypeScript loader.
 *
 * Protocol with local/lambda/lambda-runner.ts:
 *   worker -> parent  { type: 'ready' } | { type: 'init-error', error }            after loading the handler (Lambda's init phase)
 *   parent -> worker  { type: 'invoke', id, event (JSON text), context (with `now`, the simulated time), outOfMemory }
 *   worker -> parent  { type: 'result', id, ok, payload (JSON text) | error }
 */
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { handlerFile, handlerExport, handlerSpec, compileCacheDir } = workerData;

// Node's on-disk cache of compiled code (Node >= 22.1): the next cold start of the same staged handler skips compiling
// it (the GCE provider's bundle is 29 MB). It changes no behaviour: a stale or broken entry is recompiled.
if (compileCacheDir) module.enableCompileCache?.(compileCacheDir);

// The function sees the simulator's time, as a deployed function sees the real one: the parent sends its
// clock's time with each invocation. A Proxy keeps every date a real Date (instanceof, subclasses).
const RealDate = Date;
let offsetMs = 0;
const simulatedNow = () => RealDate.now() + offsetMs;
globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [simulatedNow()] : args, newTarget),
  apply: () => new RealDate(simulatedNow()).toString(),
  get: (target, prop, receiver) => (prop === 'now' ? simulatedNow : Reflect.get(target, prop, receiver)),
});

function lambdaError(err, fallbackType = 'Error') {
  if (err instanceof Error) {
    return { errorType: err.name || fallbackType, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  }
  return { errorType: fallbackType, errorMessage: String(err), trace: [] };
}

async function loadHandler() {
  let mod;
  try {
    mod = await import(pathToFileURL(handlerFile).href);
  } catch (err) {
    const e = lambdaError(err);
    return { error: { ...e, errorType: 'Runtime.ImportModuleError', errorMessage: `${e.errorType}: ${e.errorMessage}` } };
  }
  // Written now, not when the worker ends: stopping a stack terminates its workers.
  module.flushCompileCache?.();
  const fn = mod[handlerExport] ?? mod.default?.[handlerExport];
  if (typeof fn !== 'function') {
    return { error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerSpec} is undefined or not exported`, trace: [] } };
  }
  return { fn };
}

function callHandler(fn, event, context) {
  if (fn.length < 3) return Promise.resolve().then(() => fn(event, context));
  // Callback-style handler (nodejs22.x still supports it).
  return new Promise((resolve, reject) => {
    const returned = fn(event, context, (err, value) => (err ? reject(err) : resolve(value)));
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

const loaded = await loadHandler();
if (loaded.error) parentPort.postMessage({ type: 'init-error', error: loaded.error });
else parentPort.postMessage({ type: 'ready' });

/** An injected fault: fills the heap until the worker's memory limit ends it, as a leak would. */
function exhaustMemory() {
  const hog = [];
  for (;;) hog.push(new Array(1 << 20).fill(hog.length + 0.5));
}

parentPort.on('message', async (msg) => {
  if (msg.type !== 'invoke' || !loaded.fn) return;
  if (msg.outOfMemory) exhaustMemory();
  const { id, event, context: c } = msg;
  offsetMs = c.now - RealDate.now();
  const context = {
    functionName: c.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: c.memoryLimitInMB,
    awsRequestId: c.awsRequestId,
    logGroupName: c.logGroupName,
    logStreamName: c.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, c.deadline - Date.now()),
  };
  try {
    const result = await callHandler(loaded.fn, JSON.parse(event), context);
    parentPort.postMessage({ type: 'result', id, ok: true, payload: result === undefined ? 'null' : JSON.stringify(result) });
  } catch (err) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: lambdaError(err) });
  }
});
