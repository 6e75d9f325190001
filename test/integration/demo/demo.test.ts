import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../local/demo.js';

/** "+01:02.5" -> 62.5 (seconds since the act began). */
function sinceStart(stamp: string | undefined): number {
  const m = /^\+(\d+):(\d\d\.\d)$/.exec(stamp ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

/**
 * `npm run demo` end to end (the shipped config, seed 1): what it prints and its exit code. Its acts run the real
 * stack against the simulator; the lines are read back here as a person would read them.
 */
describe('Function: runDemo', () => {
  it('provisions, heals, moves the entrypoint off the dark home lab, and lets the buffer pool stand in for a dark provider', async () => {
    const lines: string[] = [];
    const code = await runDemo({ seed: 1 }, (line) => lines.push(line));
    const text = lines.join('\n');

    expect(code, text).toBe(0);
    expect(lines.filter((l) => /warn/i.test(l))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^Demo OK: /);

    // Third act: the resolver's answer held the home node before the power cut, and only cloud nodes after.
    expect(text).toMatch(/Third act at .*: the home lab loses power/);
    const before = lines.filter((l) => l.includes('resolver before the power cut:'));
    const after = lines.filter((l) => l.includes('resolver after the move:'));
    expect(before.length).toBeGreaterThan(0);
    expect(after).toHaveLength(before.length);
    for (const l of before) expect(l).toMatch(/\(home\)/);
    for (const l of after) {
      expect(l).not.toMatch(/\(home\)|no address/);
      expect(l).toMatch(/\((aws-amd64|aws-arm64)\)/);
    }
    const changed = sinceStart(/(\+\d\d:\d\d\.\d) {2}records changed/.exec(text)?.[1]);
    const stale = /(\+\d\d:\d\d\.\d) {2}last moment a resolver may still answer .* TTL (\d+) s/.exec(text);
    expect(changed).toBeGreaterThan(0);
    // A resolver that asked just before the change keeps the dead address for the answer's TTL, not longer.
    expect(sinceStart(stale?.[1])).toBeCloseTo(changed + Number(stale?.[2]), 0);
    expect(text).toMatch(/entrypoint app moved off the home lab [\d.]+ s after its power cut, never empty/);

    // Fourth act: the buffer pool grew for the dark provider, the evicted pods ran on it, and it shrank afterwards.
    expect(text).toMatch(/Fourth act at .*: gcp goes dark; buffer pool scw-buffer stands in for it/);
    expect(text).toMatch(/ScaleBuffer .*: provider-degraded: added \d+ node\(s\) to scw-buffer/);
    const ranThere = Number(/every batch pod Running again, (\d+) on the new scw-buffer node/.exec(text)?.[1]);
    expect(ranThere).toBeGreaterThan(0);
    expect(text).toMatch(/scw-buffer: Node \S+ removed/);
    const grew = /scw-buffer grew (\d+) -> (\d+) for gcp's outage .* shrank to (\d+)/.exec(lines.at(-1) ?? '');
    expect(grew, lines.at(-1)).not.toBeNull();
    const [from, peak, to] = [Number(grew?.[1]), Number(grew?.[2]), Number(grew?.[3])];
    expect(peak).toBeGreaterThan(from);
    expect(to).toBeLessThan(peak);
  }, 3_600_000);
});
