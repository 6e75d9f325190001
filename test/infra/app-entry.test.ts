import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('infra/app.ts (what `cdk synth` runs)', () => {
  it('prints a bad config as its problem lines, naming the pool, without a stack trace, and exits 1', () => {
    const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
    raw.pools[2].arch = 'x86';
    const file = join(mkdtempSync(join(tmpdir(), 'shepherd-app-')), 'bad.json');
    writeFileSync(file, JSON.stringify(raw));
    const run = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      encoding: 'utf8',
      env: { ...process.env, SHEPHERD_CONFIG_FILE: file, CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'shepherd-out-')) },
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'invalid shepherd config (1 problem):',
      `${file}: pools[2].arch (pool "${raw.pools[2].name}"): got "x86"; allowed: "amd64" | "arm64"`,
    ]);
  }, 150_000);
});
