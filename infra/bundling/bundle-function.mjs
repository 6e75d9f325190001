/**
 * Bundles one function with esbuild: reads esbuild's build options as JSON on stdin, adds the plugins, builds, and
 * writes the metafile to `metafileOut` when asked. Plain JavaScript run by `node` from function-bundling.ts, because
 * CDK bundles synchronously and esbuild runs plugins only in its asynchronous API.
 */
import { writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { build } from 'esbuild';
import { literalSchemaKeysPlugin } from './literal-schema-keys.mjs';

const { metafileOut, ...options } = JSON.parse(await text(process.stdin));
const result = await build({ ...options, plugins: [literalSchemaKeysPlugin] });
if (metafileOut) await writeFile(metafileOut, JSON.stringify(result.metafile));
