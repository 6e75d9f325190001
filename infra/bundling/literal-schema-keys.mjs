/**
 * Makes the AWS SDK's generated schemas tree-shakeable by esbuild (plain JavaScript: bundle-function.mjs runs it in a
 * Node process of its own, see function-bundling.ts).
 *
 * Every `@aws-sdk/client-*` module `dist-es/schemas/schemas_0.js` writes the traits of its shapes with computed keys
 * (`{ [_xN]: _it }`, `_xN` being a module constant "xmlName"). esbuild cannot prove that a computed key has no side
 * effect, so it keeps every statement holding one: the schema of each of the service's shapes, used or not (EC2: 550
 * KB in the AWS provider's bundle, of which its four commands need 40 KB). Known to both projects:
 * aws/aws-sdk-js-v3#7607, evanw/esbuild#4373. Writing each such key as the string its constant holds is the same object
 * (a `const` string cannot change), and esbuild then drops the shapes no command reaches.
 */
import { readFile } from 'node:fs/promises';

/** The generated schema modules of the AWS SDK's service clients, ES module builds. */
export const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** `const _xN = "xmlName";` at the top level of a schema module. */
const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm;
/** `[_xN]:` right after `{` or `,`: only an object literal's computed key can stand there. */
const COMPUTED_KEY = /([{,]\s*)\[(_[A-Za-z0-9_]+)\](\s*:)/g;

/**
 * `source` with every computed key that names one of its top-level string constants written as that string.
 * @param {string} source
 * @returns {{ contents: string, replaced: number }}
 */
export function literalSchemaKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) strings.set(name, literal);
  let replaced = 0;
  const contents = source.replace(COMPUTED_KEY, (key, before, name, colon) => {
    const literal = strings.get(name);
    if (literal === undefined) return key;
    replaced++;
    return `${before}${literal}${colon}`;
  });
  return { contents, replaced };
}

/** The esbuild plugin that loads each schema module through literalSchemaKeys. */
export const literalSchemaKeysPlugin = {
  name: 'literal-schema-keys',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => ({ contents: literalSchemaKeys(await readFile(path, 'utf8')).contents, loader: 'js' }));
  },
};
