import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import { demoConfig } from '../../local/demo/config.js';

describe('Function: demoConfig', () => {
  it('gives the shipped config what the third and fourth acts need, and says so', () => {
    const shipped = loadConfigFile('shepherd.config.json');
    expect(shipped.buffers).toBeUndefined();
    expect(shipped.dns?.entrypoints[0].check).toBeUndefined();

    const { config, added } = demoConfig(shipped);

    expect(config.dns?.entrypoints[0].check).toMatchObject({ protocol: 'https', port: 443 });
    expect(config.buffers?.pools.map((p) => p.pool)).toEqual(['scw-buffer']);
    // Schema defaults applied: the result went through the config's own validation.
    expect(config.buffers?.pools[0].allocatable.pods).toBeGreaterThan(0);
    expect(config.buffers?.recoveryPeriodSeconds).toBeGreaterThanOrEqual(0);
    expect(config.watcher.degradedMinNodes).toBe(2);
    expect(added).toEqual(['an HTTPS check on entrypoint app', 'buffer pool scw-buffer', 'watcher.degradedMinNodes 2']);
    // The given config is left as it was.
    expect(shipped.buffers).toBeUndefined();
    expect(shipped.dns?.entrypoints[0].check).toBeUndefined();
  });

  it('keeps what a config already has', () => {
    const once = demoConfig(loadConfigFile('shepherd.config.json')).config;
    once.buffers?.pools.push({ pool: 'gcp-amd64', allocatable: { cpu: '1900m', memory: '7936Mi', pods: 110 }, hourlyCost: 0.08 });
    const again = demoConfig(once);
    expect(again.added).toEqual([]);
    expect(again.config).toBe(once);
  });
});
