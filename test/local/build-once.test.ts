import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOnce } from '../../local/cloudformation/build-once.js';

const cacheDir = () => mkdtempSync(join(tmpdir(), 'shepherd-build-once-'));

/** A build that writes its name in a file over a few turns of the event loop, as a synth writes its files. */
const slowBuild = (name: string, calls: string[]) => async (scratch: string) => {
  calls.push(name);
  for (const part of ['a', 'b', 'c']) {
    writeFileSync(join(scratch, part), name);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Function: buildOnce', () => {
  it('builds once and reuses the finished directory afterwards', async () => {
    const dir = join(cacheDir(), 'k');
    const calls: string[] = [];
    expect(await buildOnce(dir, slowBuild('first', calls))).toBe(dir);
    expect(await buildOnce(dir, slowBuild('second', calls))).toBe(dir);
    expect(calls).toEqual(['first']);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('first');
  });

  it('two builds of one directory at once (parallel test files): one whole build is kept, no scratch left behind', async () => {
    const root = cacheDir();
    const dir = join(root, 'k');
    const calls: string[] = [];
    const [a, b] = await Promise.all([buildOnce(dir, slowBuild('one', calls)), buildOnce(dir, slowBuild('two', calls))]);
    expect([a, b]).toEqual([dir, dir]);
    expect(calls.sort()).toEqual(['one', 'two']);
    const winner = readFileSync(join(dir, 'a'), 'utf8');
    expect(['one', 'two']).toContain(winner);
    // Every file comes from the same build: neither wrote into the other's.
    expect(['a', 'b', 'c'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual([winner, winner, winner]);
    expect(readdirSync(root)).toEqual(['k']);
  });

  it('replaces a directory a build cut short (no completion marker) and keeps nothing of it', async () => {
    const dir = join(cacheDir(), 'k');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), 'half');
    writeFileSync(join(dir, 'stale'), 'half');
    await buildOnce(dir, slowBuild('whole', []));
    expect(readdirSync(dir).sort()).toEqual(['.complete', 'a', 'b', 'c']);
  });

  it('a failed build leaves neither the directory nor its scratch, and the next call builds again', async () => {
    const root = cacheDir();
    const dir = join(root, 'k');
    await expect(
      buildOnce(dir, () => {
        throw new Error('synth failed');
      }),
    ).rejects.toThrow('synth failed');
    expect(readdirSync(root)).toEqual([]);
    const calls: string[] = [];
    await buildOnce(dir, slowBuild('retry', calls));
    expect(calls).toEqual(['retry']);
  });
});
