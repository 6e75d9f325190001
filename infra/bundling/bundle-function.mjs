/**
 * Bundles one function with esbuild: reads esbuild's build options as JSON on stdin, adds the plugins, builds. Plain
 * JavaScript run by `node` from function-bundling.ts, because CDK bundles synchronously and esbuild runs plugins only
 * in its asynchronous API.
 */
import { text } from 'node:stream/consumers';
import { build } from 'esbuild';
import { literalSchemaKeysPlugin } from './literal-schema-keys.mjs';

const options = JSON.parse(await text(process.stdin));
await build({ ...options, plugins: [literalSchemaKeysPlugin] });
