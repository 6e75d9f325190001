import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';

const sample = () => JSON.parse(readFileSync(new URL('../../shepherd.config.json', import.meta.url), 'utf8'));

function messageOf(hintSeconds: unknown): string {
  const raw = sample();
  raw.watcher = { hintSeconds };
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: parseConfig (watcher.hintSeconds)', () => {
  it('defaults to 10 s (Cluster Autoscaler scans every 10 s) and keeps a whole number from 5 to 30', () => {
    expect(parseConfig(sample()).watcher.hintSeconds).toBe(10);
    const raw = sample();
    raw.watcher = { hintSeconds: 5 };
    expect(parseConfig(raw).watcher.hintSeconds).toBe(5);
  });

  it('refuses an interval under 5 s, over 30 s or not whole, naming the field', () => {
    for (const bad of [4, 31, 7.5, '10']) expect(messageOf(bad)).toContain('watcher.hintSeconds');
  });
});
