import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: one on CI's 2 cores, which left the second core idle while a
    // file spent its time in one thread (a Lambda cold start, a fork importing its modules). Files that run at once
    // share nothing but the synthesis cache (local/cloudformation/build-once.ts) and the bundle cache, both built aside
    // and renamed into place.
    maxWorkers: 2,
    // Every test file runs in a fresh fork that loads aws-cdk-lib and the SDKs again: Node keeps their compiled code on
    // disk for the next fork (NODE_COMPILE_CACHE is read as a fork starts; `env` is the forks' environment).
    env: { NODE_COMPILE_CACHE: resolve('node_modules/.cache/node-compile') },
  },
});
