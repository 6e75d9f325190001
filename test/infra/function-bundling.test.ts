import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { BUNDLE_FILE } from '../../infra/bundling/function-bundling.js';
import { literalSchemaKeys } from '../../infra/bundling/literal-schema-keys.mjs';
import { ShepherdFunction } from '../../infra/constructs/shepherd-function.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Evaluates a module body without its import/export keywords and returns the named top-level bindings. */
function evaluate(source: string, names: string[]): unknown[] {
  return new Function(`${source.replace(/^export /gm, '')}; return [${names.join(', ')}];`)() as unknown[];
}

describe('Function: literalSchemaKeys', () => {
  const schema = [
    'const _xN = "xmlName";',
    'const _eQN = "ec2QueryName";',
    'const _it = "item";',
    'const _unknown = 7;',
    'export var List = [1, "n", _it, 0, [0, { [_xN]: _it }]];',
    'export var Shape$ = [3, "n", _it, 0, [_xN, _it], [[0, { [_eQN]: `DryRun`,',
    '        [_xN]: _it }], [2, {[_unknown]: 1}]]];',
  ].join('\n');

  it('writes each computed key that names a string constant as that string, and the schema stays the same value', () => {
    const { contents, replaced } = literalSchemaKeys(schema);
    expect(replaced).toBe(3);
    expect(contents).toContain('{ "xmlName": _it }');
    expect(contents).toContain('{ "ec2QueryName": `DryRun`,\n        "xmlName": _it }');
    expect(evaluate(contents, ['List', 'Shape$'])).toEqual(evaluate(schema, ['List', 'Shape$']));
  });

  it('leaves member lists and keys naming anything but a string constant as they are', () => {
    const { contents } = literalSchemaKeys(schema);
    expect(contents).toContain('[_xN, _it]');
    expect(contents).toContain('{[_unknown]: 1}');
  });

  it('leaves no computed key in the EC2 client’s schema module', () => {
    const source = readFileSync(root('node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js'), 'utf8');
    const { contents, replaced } = literalSchemaKeys(source);
    expect(replaced).toBeGreaterThan(1000);
    expect(contents).not.toMatch(/[{,]\s*\[_[A-Za-z0-9_]+\]\s*:/);
  });
});

describe('Class: ShepherdFunction bundling', () => {
  const config = loadConfigFile(root('shepherd.config.json'));
  const stackWith = (app: App) => {
    const stack = new Stack(app, 'bundles', { env: { region: 'eu-west-3' } });
    const fn = (id: string, entry: string) =>
      new ShepherdFunction(stack, id, {
        name: id.toLowerCase(),
        entry: root(entry),
        projectRoot: root(''),
        description: id,
        config,
        permissions: [],
        timeout: Duration.seconds(5),
      });
    fn('Validate', 'functions/handlers/validate-input.ts');
    fn('Claims', 'functions/handlers/claims.ts');
    return stack;
  };
  const codeOf = (stack: Stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((r) => r.Properties as { Code: { S3Key: string }; Handler: string });

  it('gives each function its own code asset even when bundling is skipped (CDK caches one asset per bundling options)', () => {
    const code = codeOf(stackWith(new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false })));
    expect(code.map((c) => c.Handler)).toEqual(['index.handler', 'index.handler']);
    expect(new Set(code.map((c) => c.Code.S3Key)).size).toBe(2);
  });

  it('bundles each handler into its own ES module that exports `handler`', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'shepherd-bundles-'));
    outdirs.push(outdir);
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = stackWith(app);
    app.synth();
    const files = codeOf(stack).map((c) => join(outdir, `asset.${c.Code.S3Key.replace(/\.zip$/, '')}`, BUNDLE_FILE));
    expect(new Set(files.map((f) => readFileSync(f, 'utf8'))).size).toBe(2);
    for (const file of files) expect(typeof (await import(file)).handler).toBe('function');
  }, 240_000);
});
