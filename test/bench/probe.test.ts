import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProbeError, probeCalls, probeImport } from '../../bench/functions/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'shepherd-probe-'));
const handlerFile = join(dir, 'index.mjs');
// Each call keeps `mb` MiB alive, so the peak grows with the calls; `fail` throws a named error.
writeFileSync(
  handlerFile,
  `const kept = [];
export const handler = async (event, context) => {
  if (event.fail) { const e = new Error('no'); e.name = 'CapacityError'; throw e; }
  kept.push(Buffer.alloc(event.mb * 1024 * 1024, 1));
  return { name: context.functionName, env: process.env.PROBE_MARK };
};`,
);
const target = { node: process.execPath, file: handlerFile, exportName: 'handler', env: { PROBE_MARK: 'x', PATH: process.env.PATH ?? '' } };
const context = { functionName: 'probe', memoryMb: 256, timeoutSeconds: 10 };

describe('Function: probeImport', () => {
  it('measures an import in a fresh process', async () => {
    const figures = await probeImport(target);
    expect(figures.importMs).toBeGreaterThan(0);
    expect(figures.importCpuMs).toBeGreaterThanOrEqual(0);
    expect(figures.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('fails with a ProbeError when the export is missing', async () => {
    const err = await probeImport({ ...target, exportName: 'nope' }).catch((e: unknown) => e);
    expect(isProbeError(err)).toBe(true);
    expect(String(err)).toContain('exports no function nope');
  });
});

describe('Function: probeCalls', () => {
  it('reports each call and the peak resident set over them', async () => {
    const small = await probeCalls(target, [{ mb: 1 }], context);
    const large = await probeCalls(target, [{ mb: 1 }, { mb: 96 }, { fail: true }], context);
    expect(small.calls).toEqual([{ ok: true, ms: expect.any(Number) }]);
    expect(large.calls.map((c) => [c.ok, c.errorType])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'CapacityError'],
    ]);
    expect(large.peakRssBytes - small.peakRssBytes).toBeGreaterThan(80 * 1024 * 1024);
    expect(large.peakRssBytes).toBeGreaterThanOrEqual(large.rssBytes);
  });
});
