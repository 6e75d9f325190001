import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HEALING, DEFAULT_PROVISIONING, DEFAULT_SCALING } from '../../config/defaults.js';
import { ConfigError } from '../../config/errors.js';
import { loadConfigFile, parseConfig } from '../../config/load.js';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate raw JSON freely
type Raw = any;

const EXAMPLE_FILE = new URL('../../shepherd.config.json', import.meta.url).pathname;
const MINIMAL_FILE = new URL('../../config/examples/minimal.json', import.meta.url).pathname;
const example = (): Raw => JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8'));
const minimal = (): Raw => JSON.parse(readFileSync(MINIMAL_FILE, 'utf8'));

/** Parses a mutated copy and returns the ConfigError it must raise. */
function failure(raw: Raw): ConfigError {
  try {
    parseConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function problemAt(raw: Raw, path: string) {
  const err = failure(raw);
  const problem = err.problems.find((p) => p.path === path);
  expect(problem, `no problem at ${path}; got:\n${err.message}`).toBeDefined();
  return problem!;
}

describe('Function: parseConfig', () => {
  it('parses the example config with its five pools and the Cloudflare entrypoint', () => {
    const config = parseConfig(example());
    expect(config.cluster.name).toBe('kosmos-demo');
    expect(config.pools.map((p) => `${p.name}:${p.provider}:${p.join.method}`)).toEqual([
      'aws-amd64:aws:kosmos',
      'aws-arm64:aws:kosmos',
      'gcp-amd64:gcp:kosmos',
      'home:home:none',
      'scw-buffer:scaleway:scaleway-pool',
    ]);
    expect(config.providers.aws?.amis).toEqual({ amd64: 'ami-0aa00000000000001', arm64: 'ami-0aa00000000000002' });
    expect(config.dns?.entrypoints[0].eligiblePools).toEqual(['home', 'aws-amd64', 'aws-arm64']);
  });

  it('parses the minimal config and applies every default', () => {
    const config = parseConfig(minimal());
    const [pool] = config.pools;
    expect(pool).toMatchObject({ role: 'worker', spot: false, min: 0, labels: {}, taints: [] });
    expect(pool.zones).toBeUndefined();
    expect(config.provisioning).toEqual(DEFAULT_PROVISIONING);
    expect(config.healing).toEqual(DEFAULT_HEALING);
    expect(config.scaling).toEqual(DEFAULT_SCALING);
    expect(config.dns).toBeUndefined();
  });

  it('fills the documented defaults: registration 900 s, NHC 300 s, CA 45 %, MCM 30 s / 15 min, CA 10 min / 50 %, backoff 5 -> 30 min, ICE 3 min', () => {
    const { provisioning, healing, scaling } = parseConfig(minimal());
    expect(provisioning.registrationTimeoutSeconds).toBe(900);
    expect(healing).toMatchObject({ unhealthyAfterSeconds: 300, maxUnhealthyPercent: 45, apiUnreachableFreezeSeconds: 30, orphanSweepMinutes: 15 });
    expect(scaling).toMatchObject({
      scaleDownUnneededSeconds: 600,
      scaleDownUtilizationThreshold: 0.5,
      scaleDownDelayAfterScaleUpSeconds: 600,
      backoffSeconds: 300,
      maxBackoffSeconds: 1800,
      insufficientCapacityCacheSeconds: 180,
    });
  });

  it('keeps given policy numbers and defaults the rest of the block', () => {
    const raw = minimal();
    raw.healing = { unhealthyAfterSeconds: 120 };
    const { healing } = parseConfig(raw);
    expect(healing.unhealthyAfterSeconds).toBe(120);
    expect(healing.maxUnhealthyPercent).toBe(45);
  });

  it('defaults the GCE network and the entrypoint type, TTL and proxying', () => {
    const raw = example();
    delete raw.providers.gcp.network;
    const entry = raw.dns.entrypoints[0];
    delete entry.type;
    delete entry.ttl;
    delete entry.proxied;
    const config = parseConfig(raw);
    expect(config.providers.gcp?.network).toBe('global/networks/default');
    expect(config.dns?.entrypoints[0]).toMatchObject({ type: 'A', ttl: 60, proxied: false });
  });

  it('names the field and the allowed values for a bad enum: pools[2].arch', () => {
    const raw = example();
    raw.pools[2].arch = 'x86';
    const err = failure(raw);
    expect(err.message).toContain(`test.json: pools[2].arch (pool "${raw.pools[2].name}"): got "x86"; allowed: "amd64" | "arm64"`);
  });

  it('lists every problem at once, one line each', () => {
    const raw = example();
    raw.pools[0].provider = 'azure';
    raw.pools[1].max = 2000;
    raw.pools[3].role = 'gateway';
    const err = failure(raw);
    expect(err.problems.map((p) => p.path)).toEqual(['pools[0].provider', 'pools[1].max', 'pools[3].role']);
    expect(err.message.split('\n')).toEqual([
      'invalid shepherd config (3 problems):',
      `test.json: pools[0].provider (pool "${raw.pools[0].name}"): got "azure"; allowed: "aws" | "gcp" | "scaleway" | "home" | "fake"`,
      `test.json: pools[1].max (pool "${raw.pools[1].name}"): got 2000; allowed: <= 1000`,
      `test.json: pools[3].role (pool "${raw.pools[3].name}"): got "gateway"; allowed: "worker" | "entrypoint" | "buffer"`,
    ]);
  });

  it.each([
    ['a missing field', (r: Raw) => delete r.providers.aws.region, 'providers.aws.region', 'missing', 'an AWS region'],
    ['a misspelt key', (r: Raw) => (r.pools[0].mxa = 3), 'pools[0]', 'unknown key "mxa"', '"max"'],
    [
      'an unknown join method',
      (r: Raw) => (r.pools[0].join.method = 'kubeadm'),
      'pools[0].join.method',
      'got "kubeadm"',
      '"kosmos" | "script" | "scaleway-pool" | "none"',
    ],
    ['a fractional size', (r: Raw) => (r.pools[0].max = 2.5), 'pools[0].max', 'got 2.5', 'an integer'],
    ['no instance types', (r: Raw) => (r.pools[0].instanceTypes = []), 'pools[0].instanceTypes', 'got an array of 0 items', 'at least 1 item'],
    ['a bad subnet id', (r: Raw) => (r.providers.aws.subnets[0].id = 'subnet-xyz'), 'providers.aws.subnets[0].id', 'got "subnet-xyz"', '8 or 17 hex digits'],
    ['a bad label key', (r: Raw) => (r.pools[0].labels = { 'bad key': 'v' }), 'pools[0].labels["bad key"]', 'is not a label key', 'Kubernetes label key'],
    ['a bad label value', (r: Raw) => (r.pools[0].labels = { site: 'not ok' }), 'pools[0].labels.site', 'got "not ok"', 'Kubernetes label value'],
    ['a bad taint effect', (r: Raw) => (r.pools[0].taints = [{ key: 'k', effect: 'NoRun' }]), 'pools[0].taints[0].effect', 'got "NoRun"', '"NoSchedule"'],
    ['a non-UUID pool id', (r: Raw) => (r.pools[0].join.poolId = 'pool-1'), 'pools[0].join.poolId', 'got "pool-1"', 'a UUID'],
    ['an AMI map with no arch', (r: Raw) => (r.providers.aws.amis = {}), 'providers.aws.amis', 'got an object', 'at least one of "amd64", "arm64"'],
    [
      'a plain-http API endpoint',
      (r: Raw) => (r.cluster.apiServerEndpoint = 'http://10.0.0.1:6443'),
      'cluster.apiServerEndpoint',
      'got "http://10.0.0.1:6443"',
      'https://',
    ],
  ])('reports %s with its path and what is allowed', (_name, mutate, path, wrong, allowed) => {
    const raw = minimal();
    mutate(raw);
    const problem = problemAt(raw, path);
    expect(problem.problem).toContain(wrong);
    expect(problem.allowed).toContain(allowed);
  });

  describe('cross-field rules', () => {
    it('a pool whose provider has no providers entry', () => {
      const raw = example();
      delete raw.providers.scaleway;
      const p = problemAt(raw, 'pools[4].provider');
      expect(p.problem).toBe('got "scaleway" but providers.scaleway is not configured');
      expect(p.allowed).toBe('"home" | "aws" | "gcp"');
    });

    it('an aws or gcp pool whose arch has no AMI / image', () => {
      const raw = example();
      delete raw.providers.aws.amis.arm64;
      raw.pools[2].arch = 'arm64';
      delete raw.providers.gcp.images.arm64;
      expect(problemAt(raw, 'pools[1].arch')).toMatchObject({ problem: 'got "arm64" but providers.aws.amis has no arm64 image', allowed: '"amd64"' });
      expect(problemAt(raw, 'pools[2].arch').problem).toContain('providers.gcp.images has no arm64 image');
    });

    it('pool zones outside the provider: aws subnets, gcp zones, scaleway region', () => {
      const raw = example();
      raw.pools[0].zones = ['eu-west-3a', 'eu-west-3c'];
      raw.pools[2].zones = ['europe-west1-d'];
      raw.pools[4].zones = ['nl-ams-1'];
      expect(problemAt(raw, 'pools[0].zones[1]')).toMatchObject({ problem: 'got "eu-west-3c"', allowed: '"eu-west-3a" | "eu-west-3b"' });
      expect(problemAt(raw, 'pools[2].zones[0]').allowed).toBe('"europe-west1-b" | "europe-west1-c"');
      expect(problemAt(raw, 'pools[4].zones[0]').allowed).toBe('"fr-par-1" | "fr-par-2" | "fr-par-3"');
    });

    it('a subnet zone outside the AWS region', () => {
      const raw = minimal();
      raw.providers.aws.subnets[0].zone = 'us-east-1a';
      expect(problemAt(raw, 'providers.aws.subnets[0].zone').allowed).toContain('a zone of providers.aws.region "eu-west-3"');
    });

    it('join methods per provider: scaleway -> scaleway-pool, aws/gcp -> kosmos | script, home -> none', () => {
      const raw = example();
      const kosmos = raw.pools[0].join;
      raw.pools[0].join = { method: 'none' };
      raw.pools[3].join = kosmos;
      raw.pools[4].join = kosmos;
      expect(problemAt(raw, 'pools[0].join.method')).toMatchObject({ problem: 'got "none" for provider "aws"', allowed: '"kosmos" | "script"' });
      expect(problemAt(raw, 'pools[3].join.method').allowed).toBe('"none"');
      expect(problemAt(raw, 'pools[4].join.method').allowed).toBe('"scaleway-pool"');
    });

    it('a script template using {{apiServerEndpoint}} needs cluster.apiServerEndpoint', () => {
      const raw = minimal();
      raw.pools[0].join = {
        method: 'script',
        template: '#!/bin/bash\nkubeadm join {{apiServerEndpoint}} --token {{joinToken}}\n',
        joinTokenSecretArn: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/join-token',
      };
      const p = problemAt(raw, 'cluster.apiServerEndpoint');
      expect(p.problem).toBe('missing, but pools[0].join.template uses {{apiServerEndpoint}}');
      raw.cluster.apiServerEndpoint = 'https://203.0.113.10:6443';
      expect(parseConfig(raw).pools[0].join.method).toBe('script');
    });

    it('a script template with an unknown placeholder or no "#!"', () => {
      const raw = minimal();
      raw.pools[0].join = {
        method: 'script',
        template: 'kubeadm join --token {{token}}',
        joinTokenSecretArn: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/join-token',
      };
      const err = failure(raw);
      const lines = err.problems.filter((p) => p.path === 'pools[0].join.template').map((p) => p.problem);
      expect(lines).toEqual(['does not start with "#!"', 'unknown placeholder {{token}}']);
    });

    it('entrypoint eligiblePools must name pools', () => {
      const raw = example();
      raw.dns.entrypoints[0].eligiblePools = ['home', 'aws-arm'];
      expect(problemAt(raw, 'dns.entrypoints[0].eligiblePools[1]')).toMatchObject({
        problem: 'got "aws-arm", which is not a pool',
        allowed: '"aws-amd64" | "aws-arm64" | "gcp-amd64" | "home" | "scw-buffer"',
      });
    });

    it('entrypoint records must lie in the zone', () => {
      const raw = example();
      raw.dns.entrypoints[0].records = ['app.example.org'];
      expect(problemAt(raw, 'dns.entrypoints[0].records[0]').allowed).toBe('"example.com" or a name ending in ".example.com"');
    });

    it('kosmos join region must be a Scaleway region', () => {
      const raw = minimal();
      raw.pools[0].join.region = 'eu-west-3';
      expect(problemAt(raw, 'pools[0].join.region')).toMatchObject({ problem: 'got "eu-west-3"', allowed: '"fr-par" | "nl-ams" | "pl-waw"' });
    });

    it('TTL is 1 or 60..86400, and proxied records use 1', () => {
      const raw = example();
      raw.dns.entrypoints[0].ttl = 30;
      expect(problemAt(raw, 'dns.entrypoints[0].ttl').allowed).toBe('1 (automatic) or 60 to 86400 seconds');
      raw.dns.entrypoints[0].ttl = 60;
      raw.dns.entrypoints[0].proxied = true;
      expect(problemAt(raw, 'dns.entrypoints[0].ttl').problem).toBe('got 60 with proxied: true');
      raw.dns.entrypoints[0].ttl = 1;
      expect(parseConfig(raw).dns?.entrypoints[0].ttl).toBe(1);
    });

    it('accepts secrets as Secrets Manager ARNs or SSM parameter ARNs, plain or hierarchical', () => {
      const raw = minimal();
      raw.cluster.kubeconfigSecretArn = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/minimal/kubeconfig-AbC123';
      raw.pools[0].join.secretKeySecretArn = 'arn:aws:ssm:eu-west-3:123456789012:parameter/kosmos-key';
      let config = parseConfig(raw);
      expect(config.cluster.kubeconfigSecretArn).toBe(raw.cluster.kubeconfigSecretArn);
      expect(config.pools[0].join).toMatchObject({ secretKeySecretArn: 'arn:aws:ssm:eu-west-3:123456789012:parameter/kosmos-key' });
      raw.cluster.kubeconfigSecretArn = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/minimal/kubeconfig';
      config = parseConfig(raw);
      expect(config.cluster.kubeconfigSecretArn).toBe('arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/minimal/kubeconfig');
    });

    it.each([
      ['an SSM ARN of another resource type', 'arn:aws:ssm:eu-west-3:123456789012:document/kosmos-key'],
      ['an SSM ARN with an empty path segment', 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd//key'],
      ['an SSM ARN without an account', 'arn:aws:ssm:eu-west-3::parameter/kosmos-key'],
      ['a parameter name instead of its ARN', '/shepherd/minimal/kosmos-key'],
      ['an S3 ARN', 'arn:aws:s3:::bucket/key'],
    ])('rejects %s, naming the field and both allowed forms', (_what, value) => {
      const raw = minimal();
      raw.pools[0].join.secretKeySecretArn = value;
      const p = problemAt(raw, 'pools[0].join.secretKeySecretArn');
      expect(p.problem).toBe(value.startsWith('arn:') ? `got ${JSON.stringify(value)}` : `got a string of ${value.length} characters (not shown)`);
      expect(p.allowed).toContain('arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>');
      expect(p.allowed).toContain('arn:aws:ssm:<region>:<12-digit account>:parameter/<name>');
      expect(failure(raw).message).toContain('pools[0].join.secretKeySecretArn');
    });

    it('unique pool names, min <= max, poll interval below the registration timeout, backoff below its maximum', () => {
      const raw = example();
      raw.pools[2].name = 'aws-amd64';
      raw.pools[1].min = 4;
      raw.pools[1].max = 3;
      raw.provisioning.pollIntervalSeconds = 900;
      raw.scaling.backoffSeconds = 3600;
      const err = failure(raw);
      expect(err.problems.map((p) => p.path).sort()).toEqual(['pools[1].min', 'pools[2].name', 'provisioning.pollIntervalSeconds', 'scaling.backoffSeconds']);
      expect(problemAt(raw, 'pools[2].name').problem).toBe('got "aws-amd64", already used by pools[0]');
    });
  });

  describe('secrets in errors', () => {
    it('describes, without quoting, a secret pasted where an ARN belongs', () => {
      const raw = minimal();
      raw.cluster.kubeconfigSecretArn = 'apiVersion: v1 token: hunter2-very-secret';
      raw.pools[0].join.secretKeySecretArn = 'a7c1f3e2-0000-4000-8000-secretvalue';
      const err = failure(raw);
      expect(err.message).not.toContain('hunter2');
      expect(err.message).not.toContain('secretvalue');
      expect(problemAt(raw, 'cluster.kubeconfigSecretArn').problem).toBe('got a string of 41 characters (not shown)');
    });

    it('never quotes a join template (it may embed a token)', () => {
      const raw = minimal();
      raw.pools[0].join = {
        method: 'script',
        template: 'kubeadm join x --token abcdef.0123456789abcdef',
        joinTokenSecretArn: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:t',
      };
      expect(failure(raw).message).not.toContain('0123456789abcdef');
    });
  });
});

describe('Function: loadConfigFile', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the file named by SHEPHERD_CONFIG_FILE, and an explicit path wins over it', () => {
    vi.stubEnv('SHEPHERD_CONFIG_FILE', MINIMAL_FILE);
    expect(loadConfigFile().cluster.name).toBe('minimal');
    expect(loadConfigFile(EXAMPLE_FILE).cluster.name).toBe('kosmos-demo');
  });

  it('names the file in every problem line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shepherd-config-'));
    const file = join(dir, 'bad.json');
    const raw = minimal();
    raw.pools[0].arch = 'x86';
    writeFileSync(file, JSON.stringify(raw));
    expect(() => loadConfigFile(file)).toThrow(`${file}: pools[0].arch (pool "${raw.pools[0].name}"): got "x86"; allowed: "amd64" | "arm64"`);
  });

  it('reports a missing file as a ConfigError', () => {
    const missing = join(tmpdir(), 'no-such-shepherd.config.json');
    expect(() => loadConfigFile(missing)).toThrow(ConfigError);
    expect(() => loadConfigFile(missing)).toThrow(`${missing}: (file): cannot be read (ENOENT)`);
  });

  it('reports invalid JSON by line and column without quoting the text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shepherd-config-'));
    const trailingComma = join(dir, 'trailing-comma.json');
    writeFileSync(trailingComma, '{\n  "cluster": { "name": "x" },\n}\n');
    expect(() => loadConfigFile(trailingComma)).toThrow(`${trailingComma}: (root): not valid JSON: Expected double-quoted property name at line 3, column 1`);
    const unquoted = join(dir, 'unquoted.json');
    writeFileSync(unquoted, '{\n  "cluster": { "kubeconfigSecretArn": hunter2 }\n}\n');
    let message = '';
    try {
      loadConfigFile(unquoted);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${unquoted}: (root): not valid JSON; allowed: a JSON object`);
    expect(message).not.toContain('hunter2');
  });
});
