import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, redact } from '../../../functions/runtime/logger.js';

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

/** What the logger wrote to stdout and stderr meanwhile, one parsed JSON entry per line. */
function captureLines() {
  const written = { stdout: [] as string[], stderr: [] as string[] };
  for (const name of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      written[name].push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stdout: () => parse(written.stdout), stderr: () => parse(written.stderr), text: () => [...written.stdout, ...written.stderr].join('\n') };
}

describe('Function: log', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('writes one Powertools JSON line with the fields redacted: info to stdout, warn and error to stderr', () => {
    const lines = captureLines();
    log('info', 'launched', { pool: 'aws-amd64', spec: { userData: SECRET } });
    log('warn', 'no capacity', { joinToken: SECRET });
    log('error', 'failed', { error: Object.assign(new Error('boom'), { name: 'LaunchError', kubeconfig: SECRET }) });
    expect(lines.stdout()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'launched', service: 'shepherd', pool: 'aws-amd64', spec: { userData: '[redacted]' } }),
    ]);
    expect(lines.stderr()).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'no capacity', joinToken: '[redacted]' }),
      expect.objectContaining({ level: 'ERROR', message: 'failed', error: { name: 'LaunchError', message: 'boom' } }),
    ]);
    expect(lines.stdout()[0].timestamp).toEqual(expect.any(String));
    expect(lines.text()).not.toContain(SECRET);
  });

  it('writes debug lines only when POWERTOOLS_LOG_LEVEL is DEBUG at cold start', async () => {
    const lines = captureLines();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', '');
    (await import('../../../functions/runtime/logger.js')).log('debug', 'hidden');
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    (await import('../../../functions/runtime/logger.js')).log('debug', 'shown');
    expect(lines.stdout().map((l) => l.message)).toEqual(['shown']);
  });

  it('names the service after the function it runs in', async () => {
    const lines = captureLines();
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'shepherd-claims');
    (await import('../../../functions/runtime/logger.js')).log('info', 'claim');
    expect(lines.stdout()).toEqual([expect.objectContaining({ service: 'shepherd-claims', message: 'claim' })]);
  });
});
