import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Runs `npx tsx infra/app.ts` as the CDK CLI does, asynchronously: a synchronous spawn of a minute or more blocks the
 * test worker, which then misses vitest's RPC deadline ("Timeout calling onTaskUpdate") and fails the run.
 */
function runApp(env: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'infra/app.ts'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
  });
}

describe('infra/app.ts (what `cdk synth` runs)', () => {
  it('prints a bad config as its problem lines, naming the pool, without a stack trace, and exits 1', async () => {
    const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
    raw.pools[2].arch = 'x86';
    const file = join(mkdtempSync(join(tmpdir(), 'shepherd-app-')), 'bad.json');
    writeFileSync(file, JSON.stringify(raw));
    const run = await runApp({ SHEPHERD_CONFIG_FILE: file, CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'shepherd-out-')) });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'invalid shepherd config (1 problem):',
      `${file}: pools[2].arch (pool "${raw.pools[2].name}"): got "x86"; allowed: "amd64" | "arm64"`,
    ]);
  }, 150_000);

  it('leaves cdk.out with the shepherd stack alone in its manifest, so that `cdk deploy` deploys it', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'shepherd-out-'));
    // As the CDK CLI runs the app; bundling off, which changes no stack's presence.
    const run = await runApp({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) });
    expect(run.status, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([id]) => id);
    const cluster = JSON.parse(readFileSync('shepherd.config.json', 'utf8')).cluster.name;
    expect(stacks).toEqual([`shepherd-${cluster}`]);
  }, 150_000);
});
