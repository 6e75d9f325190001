import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { ShepherdFunction } from '../../infra/constructs/shepherd-function.js';
import { ShepherdStack } from '../../infra/shepherd-stack.js';
import { LambdaRunner } from '../../local/lambda/lambda-runner.js';
import { Clock } from '../../sim/clock.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const major = (version: string) => Number(/\d+/.exec(version)?.[0]);

/** The Node major of every function the stack deploys (nodejs22.x -> 22). */
function deployedMajors(): number[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ShepherdStack(app, 'node-line', { config: loadConfigFile(root('shepherd.config.json')), env: { region: 'eu-west-1' } });
  const functions = stack.node.findAll().filter((c): c is ShepherdFunction => c instanceof ShepherdFunction);
  expect(functions.length).toBeGreaterThan(0);
  return [...new Set(functions.map((f) => major(/^nodejs(\d+)\.x$/.exec(f.fn.runtime.name)?.[1] ?? 'none')))];
}

/** The first `node` on PATH outside any node_modules/.bin: what a shell finds, the machine's own Node. */
function machineNode(): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !d.includes('node_modules'));
  return dirs
    .map((d) => join(d, 'node'))
    .find((p) => {
      try {
        return readFileSync(p).length > 0;
      } catch {
        return false;
      }
    }) as string;
}

describe('Node line', () => {
  let lambdaMajor: number;
  beforeAll(() => {
    const majors = deployedMajors();
    expect(majors).toHaveLength(1);
    lambdaMajor = majors[0];
  });

  it('tests run on the Node major the stack deploys its Lambdas on', () => {
    expect(Number.isInteger(lambdaMajor)).toBe(true);
    expect(major(process.versions.node)).toBe(lambdaMajor);
  });

  it('package.json installs that Node and asks users for it', () => {
    const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8'));
    expect(major(pkg.devDependencies.node)).toBe(lambdaMajor);
    expect(major(pkg.engines.node)).toBe(lambdaMajor);
  });

  it('npm, run by the machine’s own Node, accepts that Node (devEngines, which npm checks instead of engines)', async () => {
    const node = machineNode();
    const npm = join(node, '..', 'npm');
    // `npm run` checks devEngines before it lists the scripts; a runtime it does not accept is EBADDEVENGINES, exit 1.
    const pathOfMachine = [join(node, '..'), ...(process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules'))].join(delimiter);
    const { stdout, stderr } = await promisify(execFile)(npm, ['run'], { cwd: root(''), env: { ...process.env, PATH: pathOfMachine } });
    expect(stderr).not.toMatch(/EBADDEVENGINES|EBADENGINE/);
    expect(stdout).toMatch(/^ {2}demo$/m);
  });

  describe('a local Lambda', () => {
    let clock: Clock;
    let runner: LambdaRunner;
    afterAll(async () => {
      await runner?.stop();
      clock?.stop();
    });

    it('runs on that major in its worker thread', async () => {
      clock = new Clock({ mode: 'virtual' });
      runner = new LambdaRunner({
        functions: [
          {
            logicalId: 'Version',
            name: 'version',
            arn: 'arn:aws:lambda:eu-west-3:123456789012:function:version',
            handler: 'index.handler',
            runtime: `nodejs${lambdaMajor}.x`,
            env: {},
            timeoutSeconds: 10,
            memoryMb: 128,
            code: { kind: 'inline', source: 'exports.handler = async () => process.versions.node;' },
          },
        ],
        clock,
        region: 'eu-west-3',
        environment: {},
        onLog: () => undefined,
      });
      const version = await runner.invoke('version', {});
      expect(major(String(version))).toBe(lambdaMajor);
    });
  });

  it('the shepherd launcher runs the CLI on that major even when the machine’s own Node started it', async () => {
    const node = machineNode();
    expect(node, 'a node on PATH outside node_modules').toBeTruthy();
    const { stdout } = await promisify(execFile)(node, [root('bin/shepherd.mjs'), '--version'], { cwd: '/' });
    expect(stdout).toMatch(/^shepherd \S+ on Node v\d+/);
    expect(major(stdout.replace(/^shepherd \S+ on Node v/, ''))).toBe(lambdaMajor);
  });
});
