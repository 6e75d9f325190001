import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const RULE = 'lint/style/noRestrictedImports';

interface Probe {
  file: string;
  source: string;
  /** Part of the message the rule must give; undefined: the import is allowed. */
  violation?: string;
}

const PROBES: Probe[] = [
  {
    file: 'functions/handlers/probe-local.ts',
    source: "export { startShepherdLocal } from '../../local/shepherd-local.js';",
    violation: 'functions/ never imports',
  },
  { file: 'functions/probe-sim.ts', source: "import '../sim/index.js';", violation: 'functions/ never imports' },
  { file: 'functions/adapters/kube/probe-cli.ts', source: "export const main = () => import('../../../cli/main.js');", violation: 'functions/ never imports' },
  { file: 'functions/handlers/probe-config.ts', source: "export type { ShepherdConfig } from '../../config/types.js';" },
  { file: 'sim/probe-config.ts', source: "export { loadConfigFile } from '../config/load.js';", violation: 'sim/ imports nothing of the project' },
  {
    file: 'sim/world/probe-functions.ts',
    source: "export type { TransientError } from '../../functions/runtime/errors.js';",
    violation: 'sim/ imports nothing',
  },
  {
    file: 'sim/servers/ec2/actions/probe-local.ts',
    source: "export type { LocalStack } from '../../../../local/types.js';",
    violation: 'sim/ imports nothing',
  },
  { file: 'sim/servers/ec2/actions/probe-world.ts', source: "export type { Vm } from '../../../world/types.js';" },
  { file: 'sim/world/probe-clock.ts', source: "export type { Clock } from '../clock.js';" },
  { file: 'local/stepfunctions/probe-clock.ts', source: "export type { Clock } from '../../sim/clock.js';", violation: 'only through its index' },
  { file: 'local/probe-world.ts', source: "export { World } from '../sim/world/world.js';", violation: 'only through its index' },
  {
    file: 'local/probe-cli.ts',
    source: "export type { LocalEndpoints } from '../cli/local-endpoints.js';",
    violation: 'cli/ depends on local/, never the reverse',
  },
  { file: 'local/lambda/probe-index.ts', source: "export type { Clock } from '../../sim/index.js';" },
  { file: 'cli/commands/probe-local.ts', source: "export type { RunDemoOptions } from '../../local/demo.js';" },
];

/** Biome's diagnostics headers: `path:line:column rule`, one per finding. */
function findings(output: string): Array<{ file: string; rule: string; message: string }> {
  const lines = output.split('\n');
  const out: Array<{ file: string; rule: string; message: string }> = [];
  lines.forEach((line, i) => {
    const m = /^(\S+):\d+:\d+ (lint\/\S+)/.exec(line);
    if (!m) return;
    const message = lines.slice(i + 1, i + 4).find((l) => l.includes('×')) ?? '';
    out.push({ file: m[1], rule: m[2], message });
  });
  return out;
}

async function biomeLint(cwd: string, paths: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(BIOME, ['lint', '--colors=off', '--max-diagnostics=200', ...paths], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Rule: import boundaries (biome noRestrictedImports, per-folder overrides in biome.json)', () => {
  // A scratch copy: the project's biome.json (without the git integration) and probe files laid out like the
  // project, so a wrong import never lands in the real tree.
  let scratch: string;
  let result: { code: number; output: string };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'shepherd-boundaries-'));
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
    delete config.$schema;
    delete config.vcs;
    writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
    for (const probe of PROBES) {
      mkdirSync(join(scratch, dirname(probe.file)), { recursive: true });
      writeFileSync(join(scratch, probe.file), `${probe.source}\n`);
    }
    result = await biomeLint(scratch, ['.']);
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('fails on each wrong import, naming the file, the rule and the boundary', () => {
    expect(result.code).not.toBe(0);
    const found = findings(result.output);
    for (const probe of PROBES.filter((p) => p.violation)) {
      const hit = found.find((f) => f.file === probe.file);
      expect(hit, `${probe.file} (${probe.source}) should break the rule`).toBeDefined();
      expect(hit?.rule).toBe(RULE);
      expect(hit?.message).toContain(probe.violation);
    }
  });

  it('lets the allowed imports through (inside the folder, through sim/index.ts, cli to local, anything to config)', () => {
    const flagged = new Set(findings(result.output).map((f) => f.file));
    for (const probe of PROBES.filter((p) => !p.violation)) expect(flagged.has(probe.file), `${probe.file}: ${probe.source}`).toBe(false);
    expect(findings(result.output)).toHaveLength(PROBES.filter((p) => p.violation).length);
  });

  it('passes on the real tree', async () => {
    const real = await biomeLint(ROOT, ['functions', 'sim', 'local', 'cli']);
    expect(findings(real.output).filter((f) => f.rule === RULE)).toEqual([]);
    expect(real.code).toBe(0);
  });
});
