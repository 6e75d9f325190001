/**
 * One cold Lambda environment in its own Node process, for bench/function-bench.ts. Plain JavaScript so that the
 * process starts with nothing loaded but Node itself. The environment variables are the function's.
 *
 * Protocol (IPC):
 *   parent -> child  { type: 'load', file, exportName }
 *   child -> parent  { type: 'loaded', importMs, importCpuMs, rssBytes } | { type: 'error', message }
 *   parent -> child  { type: 'invoke', events, context: { functionName, memoryMb, timeoutSeconds } } | { type: 'exit' }
 *   child -> parent  { type: 'invoked', calls: [{ ok, errorType?, ms }], peakRssBytes }
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

let handler;

/**
 * The process's peak resident set (what Lambda reports as Max Memory Used). Linux's VmHWM starts afresh at exec;
 * ru_maxrss does not: it keeps the forked parent's size from before the exec, so it is only the fallback.
 */
async function peakRssBytes() {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (kib) return Number(kib) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

process.on('message', async (msg) => {
  if (msg.type === 'load') {
    try {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const mod = await import(pathToFileURL(msg.file).href);
      const importMs = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      handler = mod[msg.exportName] ?? mod.default?.[msg.exportName];
      if (typeof handler !== 'function') throw new Error(`${msg.file} exports no function ${msg.exportName}`);
      process.send({ type: 'loaded', importMs, importCpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss });
    } catch (err) {
      process.send({ type: 'error', message: String(err?.stack ?? err) });
    }
  } else if (msg.type === 'invoke') {
    const calls = [];
    for (const [i, event] of msg.events.entries()) {
      const { functionName, memoryMb, timeoutSeconds } = msg.context;
      const deadline = Date.now() + timeoutSeconds * 1000;
      const context = {
        functionName,
        functionVersion: '$LATEST',
        memoryLimitInMB: String(memoryMb),
        awsRequestId: `bench-${i + 1}`,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      const start = performance.now();
      try {
        await handler(event, context);
        calls.push({ ok: true, ms: performance.now() - start });
      } catch (err) {
        calls.push({ ok: false, errorType: err?.name ?? 'Error', ms: performance.now() - start });
      }
    }
    process.send({ type: 'invoked', calls, peakRssBytes: await peakRssBytes() });
  } else if (msg.type === 'exit') {
    process.disconnect();
    process.exit(0);
  }
});
