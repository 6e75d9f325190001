/**
 * One warm Lambda execution environment, run in its own worker thread so that it has its own
 * process.env and module state. Plain JavaScript so that it starts without a TypeScript loader.
 *
 * Protocol with local/lambda/lambda-runner.ts:
 *   worker -> parent  { type: 'ready' } | { type: 'init-error', error }            after loading the handler (Lambda's init phase)
 *   parent -> worker  { type: 'invoke', id, event (JSON text), context (with `now`, the simulated time) }
 *   worker -> parent  { type: 'result', id, ok, payload (JSON text) | error }
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { handlerFile, handlerExport, handlerSpec } = workerData;

// Functions declare the Lambda runtime they run on (nodejs22.x...), not this machine's Node: the
// AWS SDK's warning about this machine's Node version says nothing about the function.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  if (!String(warning).startsWith('NodeVersionSupportWarning')) emitWarning(warning, ...rest);
};

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

parentPort.on('message', async (msg) => {
  if (msg.type !== 'invoke' || !loaded.fn) return;
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
