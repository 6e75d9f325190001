import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, redact } from '../../functions/runtime/logger.js';

const SECRET = 'super-secret-value-7f3a';

/** An object with `leaf` nested `depth` levels down, each level under a harmless key. */
function nested(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> = leaf;
  for (let i = 0; i < depth; i++) out = { level: out };
  return out;
}

describe('Function: redact', () => {
  it.each([
    'token',
    'joinToken',
    'NextToken',
    'secret',
    'secretKey',
    'SCW_SECRET_KEY',
    'password',
    'kubeconfig',
    'kubeConfig',
    'userData',
    'UserData',
    'user_data',
    'user-data',
    'authorization',
    'credentials',
    'private_key',
  ])('hides the value of a "%s" key', (key) => {
    expect(redact({ [key]: SECRET, pool: 'aws-amd64' })).toEqual({ [key]: '[redacted]', pool: 'aws-amd64' });
  });

  it('hides secret keys at any depth, inside objects and arrays', () => {
    const input = {
      pool: 'aws-amd64',
      spec: { offering: { type: 't3.medium' }, userData: SECRET },
      launches: [{ id: 'i-1', secretKey: SECRET }, [{ kubeconfig: SECRET }]],
      deep: nested(7, { token: SECRET, keep: 'yes' }),
    };
    const out = redact(input);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toMatchObject({
      pool: 'aws-amd64',
      spec: { offering: { type: 't3.medium' }, userData: '[redacted]' },
      launches: [{ id: 'i-1', secretKey: '[redacted]' }, [{ kubeconfig: '[redacted]' }]],
    });
    expect(JSON.stringify(out)).toContain('"keep":"yes"');
  });

  it('hides a whole secret-named object, not only strings', () => {
    expect(redact({ credentials: { accessKey: 'SCWXXX', secretKey: SECRET } })).toEqual({ credentials: '[redacted]' });
  });

  it('drops what lies deeper than it walks instead of passing it through unredacted', () => {
    const out = JSON.stringify(redact(nested(20, { token: SECRET })));
    expect(out).not.toContain(SECRET);
    expect(out).toContain('[too deep]');
  });

  it('keeps only the name and message of errors, and leaves scalars and null as they are', () => {
    const err = Object.assign(new Error('EC2 InsufficientInstanceCapacity: none'), { name: 'InsufficientCapacityError', userData: SECRET });
    expect(redact({ error: err })).toEqual({ error: { name: 'InsufficientCapacityError', message: 'EC2 InsufficientInstanceCapacity: none' } });
    expect(redact('text')).toBe('text');
    expect(redact(3)).toBe(3);
    expect(redact(null)).toBeNull();
    expect(redact({ count: 0, ok: false, none: null })).toEqual({ count: 0, ok: false, none: null });
  });
});

describe('Function: log', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('writes one JSON line with the fields redacted: info to stdout, warn and error to stderr', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    log('info', 'launched', { pool: 'aws-amd64', spec: { userData: SECRET } });
    log('warn', 'no capacity', { joinToken: SECRET });
    expect(out.mock.calls.map((c) => JSON.parse(String(c[0])))).toEqual([
      { level: 'info', message: 'launched', pool: 'aws-amd64', spec: { userData: '[redacted]' } },
    ]);
    expect(err.mock.calls.map((c) => JSON.parse(String(c[0])))).toEqual([{ level: 'warn', message: 'no capacity', joinToken: '[redacted]' }]);
  });

  it('writes debug lines only when SHEPHERD_LOG_LEVEL is debug', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('SHEPHERD_LOG_LEVEL', '');
    log('debug', 'hidden');
    vi.stubEnv('SHEPHERD_LOG_LEVEL', 'debug');
    log('debug', 'shown');
    expect(out.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toEqual(['shown']);
  });
});
