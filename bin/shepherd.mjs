#!/usr/bin/env node
// The CLI runs its Lambdas in worker threads of this process, so it must run on the Node line the Lambdas run
// (the `node` package that `npm install` puts in node_modules), not on whatever `node` the shell found first.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));

if (existsSync(projectNode) && realpathSync(projectNode) !== realpathSync(process.execPath)) {
  const child = spawn(projectNode, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches both processes (same process group): the child decides when to stop, this one waits for it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
} else {
  // The CLI is TypeScript; tsx's ESM loader (resolved from this package) compiles it on the fly.
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
