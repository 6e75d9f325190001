import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate raw JSON freely
type Raw = any;

const sample = (): Raw => JSON.parse(readFileSync(new URL('../../shepherd.config.json', import.meta.url), 'utf8'));

function withBuffers(buffers: Raw): Raw {
  const raw = sample();
  raw.buffers = buffers;
  return raw;
}

const scw = { pool: 'scw-buffer', allocatable: { cpu: '2900m', memory: '3840Mi' }, hourlyCost: 0.03 };
const gcp = { pool: 'gcp-amd64', maxNodes: 2, allocatable: { cpu: '1930m', memory: '6Gi', pods: 64 }, hourlyCost: 0.07 };

function messageOf(raw: Raw): string {
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: parseConfig (buffers)', () => {
  it('has no buffer pools unless configured', () => {
    expect(parseConfig(sample()).buffers).toBeUndefined();
  });

  it('keeps the priority order and fills the defaults: 110 pods a node (kubelet), recovery 600 s, Karpenter batch 1 s idle / 10 s max', () => {
    const config = parseConfig(withBuffers({ pools: [scw, gcp], maxHourlyCost: 0.2 }));
    expect(config.buffers?.pools.map((p) => p.pool)).toEqual(['scw-buffer', 'gcp-amd64']);
    expect(config.buffers?.pools[0].allocatable).toEqual({ cpu: '2900m', memory: '3840Mi', pods: 110 });
    expect(config.buffers?.pools[1].allocatable.pods).toBe(64);
    expect(config.buffers).toMatchObject({ maxHourlyCost: 0.2, recoveryPeriodSeconds: 600, batchIdleSeconds: 1, batchMaxSeconds: 10 });
    // Scale-down timing and backoff are the scaling section's, Cluster Autoscaler's defaults.
    expect(config.scaling).toMatchObject({
      scaleDownUnneededSeconds: 600,
      scaleDownDelayAfterScaleUpSeconds: 600,
      backoffSeconds: 300,
      maxBackoffSeconds: 1800,
    });
  });

  it("accepts the README's example", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```json\n"buffers": (\{[\s\S]*?\n\})\n```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const config = parseConfig(withBuffers(JSON.parse(example as string)));
    expect(config.buffers?.pools.map((p) => p.pool)).toEqual(['scw-buffer', 'gcp-amd64']);
  });

  it('refuses a pool that does not exist, naming the ones that could be', () => {
    const message = messageOf(withBuffers({ pools: [{ ...scw, pool: 'scw-bufer' }] }));
    expect(message).toContain('buffers.pools[0].pool: got "scw-bufer", which is not a pool; allowed: "aws-amd64" | "aws-arm64" | "gcp-amd64" | "scw-buffer"');
  });

  it('refuses a home-lab pool: shepherd cannot create its machines', () => {
    const message = messageOf(withBuffers({ pools: [{ ...scw, pool: 'home' }] }));
    expect(message).toContain('buffers.pools[0].pool: got "home", a home pool: shepherd cannot create its machines');
  });

  it('refuses a pool listed twice', () => {
    const message = messageOf(withBuffers({ pools: [scw, gcp, { ...scw }] }));
    expect(message).toContain('buffers.pools[2].pool: got "scw-buffer", already listed as buffers.pools[0]');
  });

  it("refuses a maxNodes above the pool's max", () => {
    const message = messageOf(withBuffers({ pools: [{ ...gcp, maxNodes: 4 }] }));
    expect(message).toContain(`buffers.pools[0].maxNodes: got 4, outside pool "gcp-amd64"'s min 0 and max 3; allowed: 0 to 3`);
  });

  it('refuses allocatable that is not a Kubernetes quantity, or zero', () => {
    const message = messageOf(withBuffers({ pools: [{ ...scw, allocatable: { cpu: '2 cores', memory: '0Gi' } }] }));
    expect(message).toContain('buffers.pools[0].allocatable.cpu');
    expect(message).toContain('a Kubernetes CPU quantity above 0');
    expect(message).toContain('buffers.pools[0].allocatable.memory');
    expect(message).toContain('a Kubernetes memory quantity above 0');
  });

  it('refuses a cost cap below one node of the cheapest pool', () => {
    const message = messageOf(withBuffers({ pools: [scw, gcp], maxHourlyCost: 0.01 }));
    expect(message).toContain('buffers.maxHourlyCost: got 0.01, less than one node of the cheapest buffer pool (0.03 an hour)');
  });

  it('refuses a batch idle time longer than its maximum, and misspelt keys', () => {
    const message = messageOf(withBuffers({ pools: [scw], batchIdleSeconds: 20, maxNodes: 3 }));
    expect(message).toContain('buffers.batchIdleSeconds');
    expect(message).toContain('at most batchMaxSeconds (10)');
    expect(message).toMatch(/buffers.*maxNodes/);
  });
});
