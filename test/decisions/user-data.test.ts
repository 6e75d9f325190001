import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import type { PoolConfig } from '../../config/types.js';
import { renderUserData, shellQuote, UserDataError } from '../../functions/decisions/user-data.js';
import { decodeUserData, parseJoinScript } from '../../sim/world/join.js';

const config = parseConfig(JSON.parse(readFileSync(new URL('../../shepherd.config.json', import.meta.url), 'utf8')));
const poolNamed = (name: string): PoolConfig => {
  const pool = config.pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name}`);
  return pool;
};

const SECRET_KEY = '6f1b2c3d-0000-4000-8000-00000000beef';

/** A script pool built directly, so the renderer's own checks run (the config schema would stop a bad template first). */
function scriptPool(template: string, overrides: Partial<PoolConfig> = {}): PoolConfig {
  return {
    ...poolNamed('aws-arm64'),
    labels: { 'shepherd.io/site': 'aws', tier: 'web' },
    join: { method: 'script', template, joinTokenSecretArn: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/join-token' },
    ...overrides,
  };
}

function bashSyntaxOk(script: string): boolean {
  return spawnSync('bash', ['-n'], { input: script }).status === 0;
}

describe('Function: renderUserData', () => {
  describe('kosmos join', () => {
    it.each(['aws-amd64', 'aws-arm64'])('renders a node-agent script for %s with the pool id, region and run-time arch detection', (name) => {
      const pool = poolNamed(name);
      const script = renderUserData(pool, { scalewaySecretKey: SECRET_KEY });
      const join = pool.join.method === 'kosmos' ? pool.join : undefined;
      expect(script.startsWith('#!/bin/bash\n')).toBe(true);
      expect(script).toContain(`POOL_ID=${join?.poolId}`);
      expect(script).toContain('POOL_REGION=fr-par');
      expect(script).toContain('dpkg --print-architecture');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, expected verbatim in the script
      expect(script).toContain('https://scwcontainermulticloud.s3.fr-par.scw.cloud/node-agent_linux_${agent_arch}');
      expect(script).not.toMatch(/node-agent_linux_(amd64|arm64)/);
      expect(bashSyntaxOk(script)).toBe(true);
    });

    it('is recognised by the simulator as a kosmos join with arch "auto", also when EC2 carries it base64-encoded', () => {
      const pool = poolNamed('aws-arm64');
      const script = renderUserData(pool, { scalewaySecretKey: SECRET_KEY });
      const expected = { method: 'kosmos', poolId: '00000000-0000-4000-8000-000000000012', region: 'fr-par', secretKey: SECRET_KEY, arch: 'auto' };
      expect(parseJoinScript(script)).toEqual(expected);
      expect(parseJoinScript(decodeUserData(Buffer.from(script).toString('base64')))).toEqual(expected);
    });

    it('maps both spellings of each arch (dpkg and uname) to the agent build', () => {
      const script = renderUserData(poolNamed('gcp-amd64'), { scalewaySecretKey: SECRET_KEY });
      const detection = script.slice(script.indexOf('case '), script.indexOf('esac') + 4);
      const archFor = (machine: string) =>
        spawnSync('bash', ['-c', `dpkg() { return 1; }; uname() { echo ${machine}; }; ${detection}\necho "$agent_arch"`], { encoding: 'utf8' }).stdout.trim();
      expect(archFor('x86_64')).toBe('amd64');
      expect(archFor('aarch64')).toBe('arm64');
      expect(spawnSync('bash', ['-c', `dpkg() { echo arm64; }; ${detection}\necho "$agent_arch"`], { encoding: 'utf8' }).stdout.trim()).toBe('arm64');
      expect(spawnSync('bash', ['-c', `dpkg() { return 1; }; uname() { echo riscv64; }; ${detection}`]).status).toBe(1);
    });

    it('needs the Scaleway secret key', () => {
      expect(() => renderUserData(poolNamed('aws-amd64'), {})).toThrow(UserDataError);
      expect(() => renderUserData(poolNamed('aws-amd64'), {})).toThrow('pool aws-amd64 (join method kosmos) needs scalewaySecretKey');
    });
  });

  describe('script join', () => {
    const ctx = { apiServerEndpoint: 'https://203.0.113.10:6443', joinToken: 'abcdef.0123456789abcdef', nodeName: 'aws-arm64-1' };

    it('substitutes every placeholder', () => {
      const script = renderUserData(
        scriptPool('#!/bin/bash\nARCH={{arch}}\nkubeadm join {{ apiServerEndpoint }} --token {{joinToken}} --node-name {{nodeName}}\n# {{pool}} {{labels}}\n'),
        ctx,
      );
      expect(script).toBe(
        '#!/bin/bash\nARCH=arm64\nkubeadm join https://203.0.113.10:6443 --token abcdef.0123456789abcdef --node-name aws-arm64-1\n# aws-arm64 shepherd.io/site=aws,tier=web\n',
      );
    });

    it('is recognised by the simulator as a kubeadm join for the pool arch', () => {
      const script = renderUserData(scriptPool('#!/bin/bash\nARCH={{arch}}\nkubeadm join {{apiServerEndpoint}} --token {{joinToken}}\n'), ctx);
      expect(parseJoinScript(script)).toEqual({ method: 'kubeadm', endpoint: 'https://203.0.113.10:6443', token: ctx.joinToken, arch: 'arm64' });
    });

    it('uses the hostname at boot when no node name is given', () => {
      const script = renderUserData(scriptPool('#!/bin/bash\necho {{nodeName}}\n'), { joinToken: 't' });
      expect(script).toBe('#!/bin/bash\necho "$(hostname)"\n');
    });

    it('rejects unknown placeholders, naming them', () => {
      const pool = scriptPool('#!/bin/bash\nkubeadm join {{apiServerEndpoint}} --token {{token}} --cri {{ criSocket }}\n');
      expect(() => renderUserData(pool, ctx)).toThrow(UserDataError);
      expect(() => renderUserData(pool, ctx)).toThrow('pool aws-arm64: join template uses unknown placeholder(s) {{token}}, {{criSocket}}');
    });

    it('needs the join token and API endpoint only when the template uses them', () => {
      const pool = scriptPool('#!/bin/bash\nkubeadm join {{apiServerEndpoint}} --token {{joinToken}}\n');
      expect(() => renderUserData(pool, { joinToken: 't' })).toThrow('needs apiServerEndpoint (cluster.apiServerEndpoint)');
      expect(() => renderUserData(pool, { apiServerEndpoint: 'https://h:6443' })).toThrow('needs joinToken');
      expect(renderUserData(scriptPool('#!/bin/bash\necho {{pool}}\n'), {})).toBe('#!/bin/bash\necho aws-arm64\n');
    });

    it('shell-quotes substituted values so each stays one literal word', () => {
      const hostile = 'x\'; rm -rf / #$(id) `id` "q"';
      const script = renderUserData(scriptPool('#!/bin/bash\nprintf "%s|" {{joinToken}} {{labels}}\n', { labels: { note: 'a b' } }), { joinToken: hostile });
      const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      expect(out.stdout).toBe(`${hostile}|note=a b|`);
    });
  });

  it('refuses pools whose VMs shepherd never launches', () => {
    expect(() => renderUserData(poolNamed('home'), {})).toThrow('pool home joins with method "none"');
    expect(() => renderUserData(poolNamed('scw-buffer'), {})).toThrow(UserDataError);
  });
});

describe('Function: shellQuote', () => {
  it('leaves words of plain characters alone and single-quotes the rest', () => {
    expect(shellQuote('https://203.0.113.10:6443')).toBe('https://203.0.113.10:6443');
    expect(shellQuote('k8s.io/site=home,tier=web')).toBe('k8s.io/site=home,tier=web');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it.each(['plain', 'two words', "quote'd", '$HOME', '$(id)', '`id`', 'back\\slash', 'new\nline', '*', '!'])('round-trips %j through bash', (value) => {
    const out = spawnSync('bash', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
    expect(out.stdout).toBe(value);
  });
});
