import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_CREDENTIALS } from '../../cli/aws-clients.js';
import { main } from '../../cli/main.js';
import { captureContext } from './capture.js';

/*
 * `shepherd secrets check` against AWS (no --local) on a machine with no AWS credentials: the SDK's default chain
 * finds none (no variables, no files, instance metadata off so nothing leaves the machine), and the command says so
 * once instead of calling every secret invalid.
 */

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  const none = join(import.meta.dirname, 'no-such-aws-file');
  const set = { AWS_SHARED_CREDENTIALS_FILE: none, AWS_CONFIG_FILE: none, AWS_EC2_METADATA_DISABLED: 'true' };
  for (const name of [...CREDENTIAL_VARIABLES, ...Object.keys(set)]) saved[name] = process.env[name];
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  Object.assign(process.env, set);
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('shepherd secrets check without AWS credentials', () => {
  it('prints one line saying so and how to fix it, calls no secret invalid, and exits non-zero', async () => {
    const ctx = captureContext();
    const code = await main(['secrets', 'check', '--config', 'shepherd.config.json'], ctx);
    expect(code).not.toBe(0);
    expect(ctx.out()).toBe('');
    expect(ctx.err().trimEnd().split('\n')).toEqual([expect.stringContaining(NO_CREDENTIALS)]);
    expect(ctx.err()).toMatch(/AWS_PROFILE.*--local/);
    expect(ctx.err()).not.toMatch(/INVALID|CredentialsProviderError/);
  });
});
