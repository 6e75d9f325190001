import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runLocal } from '../../local/run-local.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Function: runLocal', () => {
  it('refuses an invalid config before printing the Lambda log path or touching the last run’s log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shepherd-run-local-'));
    const configFile = join(dir, 'shepherd.config.json');
    writeFileSync(configFile, JSON.stringify({ cluster: { name: 'x' } }));
    const logFile = join(dir, 'local.log');
    writeFileSync(logFile, 'the last run\n');
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await expect(runLocal({ endpointsFile: join(dir, 'local.json'), configFile, clock: { mode: 'virtual' } })).rejects.toThrow(/shepherd\.config\.json/);
    expect(written.join('')).not.toContain('Lambda logs');
    expect(readFileSync(logFile, 'utf8')).toBe('the last run\n');
    expect(existsSync(join(dir, 'local.json'))).toBe(false);
  });
});
