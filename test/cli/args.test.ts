import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../cli/commands/demo.js';
import { DEFAULT_LOCAL_SPEED, parseLocalArgs } from '../../cli/commands/local.js';
import { CommandError, UsageError } from '../../cli/errors.js';
import { readJsonArgument } from '../../cli/json-input.js';
import { readLocalEndpoints } from '../../cli/local-endpoints.js';
import { main } from '../../cli/main.js';
import { importOptional } from '../../cli/optional-module.js';
import { matchStateMachine } from '../../cli/workflow-match.js';
import { captureContext } from './capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'shepherd-cli-args-'));

describe('shepherd command line', () => {
  it('prints the usage for --help and exits 0', async () => {
    const ctx = captureContext();
    expect(await main(['--help'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(/usage: shepherd <command>/);
    for (const name of ['start', 'status', 'local', 'demo']) expect(ctx.out()).toContain(`  ${name}`);
  });

  it('rejects an unknown command with exit 2 and the usage', async () => {
    const ctx = captureContext();
    expect(await main(['deploy'], ctx)).toBe(2);
    expect(ctx.err()).toContain('unknown command "deploy"');
    expect(ctx.err()).toMatch(/usage: shepherd <command>/);
  });

  it('prints its version and the Node it runs on for --version', async () => {
    const ctx = captureContext();
    expect(await main(['--version'], ctx)).toBe(0);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(ctx.out()).toBe(`shepherd ${version} on Node ${process.version}\n`);
  });

  it('exits 2 with no command at all', async () => {
    const ctx = captureContext();
    expect(await main([], ctx)).toBe(2);
    expect(ctx.err()).toMatch(/usage: shepherd <command>/);
  });

  it('shows a command usage for <cmd> --help', async () => {
    const ctx = captureContext();
    expect(await main(['start', '--help'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(/^usage: shepherd start <workflow> --input/);
    const status = captureContext();
    expect(await main(['status', '-h'], status)).toBe(0);
    expect(status.out()).toMatch(/^usage: shepherd status/);
  });

  it('rejects unknown options, missing arguments and extra positionals with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['start', 'provision-node', '--input', '{}', '--bogus=secret-value'], /Unknown option '--bogus'/],
      [['start', '--input', '{}'], /missing <workflow>/],
      [['start', 'provision-node'], /missing --input/],
      [['start', 'provision-node', 'extra', '--input', '{}'], /unexpected argument "extra"/],
      [['status', '--claims', 'many'], /--claims must be an integer >= 1/],
      [['local', '--speed', '10', '--virtual'], /exclude each other/],
      [['local', '--speed=0'], /--speed must be a positive number/],
      [['demo', '--seed', '1.5'], /--seed must be an integer/],
    ];
    for (const [argv, message] of cases) {
      const ctx = captureContext();
      expect(await main(argv, ctx), argv.join(' ')).toBe(2);
      expect(ctx.err()).toMatch(message);
      expect(ctx.err()).toContain(`usage: shepherd ${argv[0]}`);
      expect(ctx.err()).not.toContain('secret-value');
    }
  });

  it('parses the local and demo options, env defaults included', () => {
    expect(parseLocalArgs(['--endpoints', 'x.json', '--seed', '7', '--speed', '20', '--config', 'c.json'], {})).toEqual({
      endpointsFile: 'x.json',
      configFile: 'c.json',
      seed: 7,
      clock: { mode: 'scaled', factor: 20 },
      allLogs: false,
    });
    expect(parseLocalArgs(['--virtual'], { SHEPHERD_LOCAL_ENDPOINTS: 'env.json' })).toEqual({
      endpointsFile: 'env.json',
      configFile: undefined,
      seed: undefined,
      clock: { mode: 'virtual' },
      allLogs: false,
    });
    expect(parseLocalArgs(['--all-logs'], {})).toMatchObject({ allLogs: true });
    expect(parseLocalArgs([], {})).toMatchObject({ endpointsFile: '.shepherd/local.json', clock: { mode: 'scaled', factor: DEFAULT_LOCAL_SPEED } });
    expect(parseDemoArgs(['--seed', '3'], { SHEPHERD_CONFIG_FILE: 'cfg.json' })).toEqual({ seed: 3, configFile: 'cfg.json' });
    expect(parseDemoArgs(['--help'], {})).toBe('help');
    expect(() => parseDemoArgs(['--speed', '2'], {})).toThrow(UsageError);
  });

  it('says the default --speed of `shepherd local` in its help', async () => {
    const ctx = captureContext();
    expect(await main(['local', '--help'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(new RegExp(`--speed FACTOR +simulated seconds per real second \\(default: ${DEFAULT_LOCAL_SPEED}\\)`));
  });

  it('turns only the absence of an optional module into "not available"', async () => {
    await expect(importOptional('./no-such-module.js', import.meta.url, 'the widget')).rejects.toThrow(
      new CommandError(`the widget is not available in this installation (${join(import.meta.dirname, 'no-such-module')}.ts is missing)`),
    );
    // A module that exists but whose own import is missing is a broken install, not an absent feature.
    const broken = join(tmp, 'broken.mjs');
    writeFileSync(broken, "import './missing-dependency.mjs';\n");
    const err = await importOptional(pathToFileURL(broken).href, import.meta.url, 'the broken one').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(CommandError);
    expect((err as Error).message).toContain('missing-dependency.mjs');
  });
});

describe('--input', () => {
  it('takes inline JSON and JSON files, normalized', () => {
    expect(readJsonArgument('--input', ' {"pool": "aws-amd64"} ').json).toBe('{"pool":"aws-amd64"}');
    const file = join(tmp, 'input.json');
    writeFileSync(file, '\uFEFF{\n  "pool": "gcp-amd64",\n  "count": 1\n}\n');
    expect(readJsonArgument('--input', file)).toEqual({ json: '{"pool":"gcp-amd64","count":1}', source: file });
  });

  it('names the reason and the position of a syntax error without quoting the text', () => {
    const value = 'expected a value (a string in double quotes, a number, true, false, null, { or [)';
    const cases: [string, string][] = [
      ['{"joinToken": hunter2-secret}', `${value} at line 1, column 15`],
      ['{"a": 1,\n "token": "abc",\n}', 'a trailing comma before "}" at line 3, column 1'],
      ['[1, 2', 'unexpected end of the text (something left unclosed or a value missing) at line 1, column 6'],
      ['{"a": "x\ny"}', 'a line break or control character inside a string (write it as \\n) at line 1, column 9'],
      ['{"a": 1} trailing-secret', 'more text after the JSON value at line 1, column 10'],
      ['{"a": -}', `${value} at line 1, column 7`],
      ["{'token': 'x'}", 'a property name needs double quotes at line 1, column 2'],
      ['{"a" 1}', 'expected ":" after a property name at line 1, column 6'],
      ['{"a": 1 "b": 2}', 'expected "," or "}" at line 1, column 9'],
    ];
    for (const [text, where] of cases) {
      let message = '';
      try {
        readJsonArgument('--input', text);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, text).toBe(`--input (inline JSON): not valid JSON: ${where}`);
    }
  });

  it('reports a file that cannot be read and one that is not JSON, by path', () => {
    expect(() => readJsonArgument('--input', join(tmp, 'absent.json'))).toThrow(/cannot read file .*absent\.json \(ENOENT\)/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, 'pool: aws # a-secret\n');
    expect(() => readJsonArgument('--input', bad)).toThrow(new RegExp(`--input file ${bad}: not valid JSON: expected a value \\(.*\\) at line 1, column 1$`));
  });
});

describe('workflow names', () => {
  const machines = [
    {
      name: 'ShepherdStack-ProvisionNodeStateMachine2E01A3A5-AbCd',
      stateMachineArn: 'arn:aws:states:eu-west-3:1:stateMachine:ShepherdStack-ProvisionNodeStateMachine2E01A3A5-AbCd',
    },
    { name: 'HealNode', stateMachineArn: 'arn:aws:states:eu-west-3:1:stateMachine:HealNode' },
    { name: 'heal-node-v2', stateMachineArn: 'arn:aws:states:eu-west-3:1:stateMachine:heal-node-v2' },
  ];

  it('matches ignoring case, dashes and underscores; an exact match wins over a containing one', () => {
    expect(matchStateMachine('provision-node', machines).name).toBe(machines[0].name);
    expect(matchStateMachine('PROVISION_NODE', machines).name).toBe(machines[0].name);
    expect(matchStateMachine('heal-node', machines).name).toBe('HealNode');
  });

  it('lists the available workflows, by the names users know them, when none matches', () => {
    expect(() => matchStateMachine('drain-node', machines)).toThrow(
      'no state machine matches workflow "drain-node" (available: provision-node (ShepherdStack-ProvisionNodeStateMachine2E01A3A5-AbCd), heal-node (HealNode), heal-node (heal-node-v2))',
    );
    expect(() => matchStateMachine('drain-node', [])).toThrow(/none of shepherd's state machines exist there; is the stack deployed in this region\?/);
  });

  it('names the config section a missing optional workflow needs (buffers for scale-buffer, dns for dns-failover)', () => {
    expect(() => matchStateMachine('scale-buffer', machines)).toThrow(
      /no state machine matches workflow "scale-buffer" \(available: .*\); the stack creates scale-buffer only when the config has a `buffers` section: add one and deploy again$/,
    );
    expect(() => matchStateMachine('DnsFailover', machines)).toThrow(/only when the config has a `dns` section/);
    expect(() => matchStateMachine('drain-node', machines)).not.toThrow(/section/);
  });

  it('refuses an ambiguous name', () => {
    expect(() => matchStateMachine('node', machines)).toThrow(/matches several state machines .*pass the full name or the ARN/);
  });
});

describe('local endpoints file', () => {
  it('refuses a file that is not ready or misses endpoints, and resolves relative paths against the file', () => {
    const notReady = join(tmp, 'starting.json');
    writeFileSync(notReady, JSON.stringify({ ready: false }));
    expect(() => readLocalEndpoints(notReady)).toThrow(/not ready yet/);
    const partial = join(tmp, 'partial.json');
    writeFileSync(
      partial,
      JSON.stringify({
        ready: true,
        endpoints: { stepfunctions: 'http://127.0.0.1:1' },
        region: 'eu-west-3',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
    );
    expect(() => readLocalEndpoints(partial)).toThrow(/endpoints\.dynamodb/);
    const good = join(tmp, 'good.json');
    const endpoints = {
      stepfunctions: 'http://127.0.0.1:1',
      dynamodb: 'http://127.0.0.1:2',
      eventbridge: 'http://127.0.0.1:3',
      secretsmanager: 'http://127.0.0.1:4',
    };
    writeFileSync(
      good,
      JSON.stringify({ ready: true, endpoints, region: 'eu-west-3', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, kubeconfig: 'sim.kubeconfig' }),
    );
    expect(readLocalEndpoints(good).kubeconfig).toBe(join(tmp, 'sim.kubeconfig'));
    expect(() => readLocalEndpoints(join(tmp, 'absent.json'))).toThrow(/start the local control plane with `shepherd local --endpoints/);
  });
});

describe('bin/shepherd.mjs', () => {
  const run = promisify(execFile);

  it('runs the TypeScript CLI through tsx from any directory', async () => {
    const bin = join(import.meta.dirname, '../../bin/shepherd.mjs');
    const unknown = await run(process.execPath, [bin, 'frobnicate'], { cwd: tmp }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toMatch(/usage: shepherd <command>/);
  });
});
