import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DNS_FAILOVER } from '../../config/defaults.js';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate raw JSON freely
type Raw = any;

const EXAMPLE_FILE = new URL('../../shepherd.config.json', import.meta.url).pathname;
const example = (): Raw => JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8'));

function problems(raw: Raw) {
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function problemAt(raw: Raw, path: string) {
  const err = problems(raw);
  const problem = err.problems.find((p) => p.path === path);
  expect(problem, `no problem at ${path}; got:\n${err.message}`).toBeDefined();
  return problem!;
}

describe('Function: parseConfig (dns.entrypoints)', () => {
  it('defaults the address source, hysteresis and change cap, and leaves the active check off', () => {
    const entry = parseConfig(example()).dns?.entrypoints[0];
    expect(entry).toMatchObject({
      addressSource: { from: 'external-ip' },
      fall: DEFAULT_DNS_FAILOVER.fall,
      rise: DEFAULT_DNS_FAILOVER.rise,
      maxChangesPerRun: 10,
    });
    expect(entry?.check).toBeUndefined();
  });

  it('defaults the fast re-check interval to 2 s and refuses one out of range or longer than the check interval', () => {
    expect(parseConfig(example()).dns?.fastCheckIntervalSeconds).toBe(DEFAULT_DNS_FAILOVER.fastCheckIntervalSeconds);
    const raw = example();
    raw.dns.fastCheckIntervalSeconds = 5;
    expect(parseConfig(raw).dns?.fastCheckIntervalSeconds).toBe(5);
    raw.dns.fastCheckIntervalSeconds = 0;
    expect(problemAt(raw, 'dns.fastCheckIntervalSeconds').allowed).toBe('>= 1');
    raw.dns.fastCheckIntervalSeconds = 1.5;
    expect(problemAt(raw, 'dns.fastCheckIntervalSeconds')).toBeDefined();
    raw.dns.checkIntervalSeconds = 10;
    raw.dns.fastCheckIntervalSeconds = 11;
    expect(problemAt(raw, 'dns.fastCheckIntervalSeconds')).toMatchObject({
      problem: 'got 11, more than checkIntervalSeconds (10)',
      allowed: '<= 10 (checkIntervalSeconds)',
    });
  });

  it('accepts a zone by name alone: the id is looked up through the API', () => {
    const raw = example();
    delete raw.dns.entrypoints[0].zoneId;
    expect(parseConfig(raw).dns?.entrypoints[0].zoneId).toBeUndefined();
  });

  it('defaults an HTTP check to port 80, path / and a 2 s timeout; HTTPS to 443', () => {
    const raw = example();
    raw.dns.entrypoints[0].check = { protocol: 'http' };
    expect(parseConfig(raw).dns?.entrypoints[0].check).toEqual({ protocol: 'http', port: 80, path: '/', timeoutMs: 2000 });
    raw.dns.entrypoints[0].check = { protocol: 'https', path: '/healthz', timeoutMs: 500 };
    expect(parseConfig(raw).dns?.entrypoints[0].check).toEqual({ protocol: 'https', port: 443, path: '/healthz', timeoutMs: 500 });
  });

  it('a TCP check needs its port; a timeout out of range and an unknown protocol are refused', () => {
    const raw = example();
    raw.dns.entrypoints[0].check = { protocol: 'tcp' };
    expect(problemAt(raw, 'dns.entrypoints[0].check.port').problem).toBe('missing');
    raw.dns.entrypoints[0].check = { protocol: 'tcp', port: 443, timeoutMs: 60_000 };
    expect(problemAt(raw, 'dns.entrypoints[0].check.timeoutMs').allowed).toBe('<= 10000');
    raw.dns.entrypoints[0].check = { protocol: 'icmp' };
    expect(problemAt(raw, 'dns.entrypoints[0].check.protocol')).toMatchObject({ problem: 'got "icmp"', allowed: '"tcp" | "http" | "https"' });
  });

  it('refuses a TTL out of range (under 60 other than automatic 1, over a day)', () => {
    for (const ttl of [30, 86_401]) {
      const raw = example();
      raw.dns.entrypoints[0].ttl = ttl;
      expect(problemAt(raw, 'dns.entrypoints[0].ttl')).toBeDefined();
    }
    const automatic = example();
    automatic.dns.entrypoints[0].ttl = 1;
    expect(parseConfig(automatic, 'test.json').dns?.entrypoints[0].ttl).toBe(1);
  });

  it('an annotation address source needs a valid annotation key', () => {
    const raw = example();
    raw.dns.entrypoints[0].addressSource = { from: 'annotation', key: 'shepherd.io/public-ip' };
    expect(parseConfig(raw).dns?.entrypoints[0].addressSource).toEqual({ from: 'annotation', key: 'shepherd.io/public-ip' });
    raw.dns.entrypoints[0].addressSource = { from: 'annotation', key: 'not a key' };
    expect(problemAt(raw, 'dns.entrypoints[0].addressSource.key').problem).toBe('got "not a key"');
    raw.dns.entrypoints[0].addressSource = { from: 'internal-ip' };
    expect(problemAt(raw, 'dns.entrypoints[0].addressSource.from').allowed).toBe('"external-ip" | "annotation"');
  });

  it('fall, rise and the change cap are bounded', () => {
    const raw = example();
    raw.dns.entrypoints[0].fall = 0;
    raw.dns.entrypoints[0].rise = 21;
    raw.dns.entrypoints[0].maxChangesPerRun = 201;
    const err = problems(raw);
    expect(err.problems.map((p) => `${p.path}: ${p.allowed}`)).toEqual([
      'dns.entrypoints[0].fall: >= 1',
      'dns.entrypoints[0].rise: <= 20',
      'dns.entrypoints[0].maxChangesPerRun: <= 200',
    ]);
  });

  it('needs eligiblePools or a selector', () => {
    const raw = example();
    delete raw.dns.entrypoints[0].eligiblePools;
    expect(problemAt(raw, 'dns.entrypoints[0]')).toMatchObject({ problem: 'neither eligiblePools nor selector is given' });
  });

  it('accepts a selector that matches a pool by its labels or the labels shepherd puts', () => {
    const raw = example();
    delete raw.dns.entrypoints[0].eligiblePools;
    raw.dns.entrypoints[0].selector = { matchLabels: { 'shepherd.io/site': 'home' } };
    expect(parseConfig(raw).dns?.entrypoints[0].selector).toEqual({ matchLabels: { 'shepherd.io/site': 'home' } });
    raw.dns.entrypoints[0].selector = { matchLabels: { 'shepherd.io/provider': 'aws' } };
    expect(parseConfig(raw).dns?.entrypoints[0].selector?.matchLabels).toEqual({ 'shepherd.io/provider': 'aws' });
  });

  it('refuses a selector that matches no pool, naming the pools it was tried on', () => {
    const raw = example();
    raw.dns.entrypoints[0].selector = { matchLabels: { 'shepherd.io/site': 'gcp' } };
    expect(problemAt(raw, 'dns.entrypoints[0].selector.matchLabels')).toMatchObject({
      problem: 'matches no pool of eligiblePools',
      allowed: expect.stringContaining('(aws-amd64, aws-arm64, home)'),
    });
  });

  it('refuses a record another entrypoint already owns (same name and type)', () => {
    const raw = example();
    raw.dns.entrypoints.push({ ...raw.dns.entrypoints[0], name: 'api', records: ['api.example.com', 'app.example.com'] });
    expect(problemAt(raw, 'dns.entrypoints[1].records[1]')).toMatchObject({
      problem: 'got "app.example.com" (A), already an entrypoint record of "app"',
    });
    raw.dns.entrypoints[1].type = 'AAAA';
    expect(parseConfig(raw).dns?.entrypoints[1].records).toEqual(['api.example.com', 'app.example.com']);
  });

  it('refuses a zone id that is not 32 hex digits and a record outside the zone', () => {
    const raw = example();
    raw.dns.entrypoints[0].zoneId = 'example.com';
    raw.dns.entrypoints[0].records = ['app.example.org'];
    const err = problems(raw);
    expect(err.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['dns.entrypoints[0].zoneId', 'dns.entrypoints[0].records[0]']));
  });
});
