#!/usr/bin/env node
// The CLI is TypeScript; tsx's ESM loader (resolved from this package) compiles it on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
