import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every test file runs in a fresh fork that loads aws-cdk-lib and the SDKs again: Node keeps their compiled code on
    // disk for the next fork (NODE_COMPILE_CACHE is read as a fork starts; `env` is the forks' environment).
    env: { NODE_COMPILE_CACHE: resolve('node_modules/.cache/node-compile') },
  },
});
