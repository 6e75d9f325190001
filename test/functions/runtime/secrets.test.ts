import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);

const PARAMETER_ARN = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/demo/kubeconfig';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/demo/kubeconfig-AbC123';
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: hunter2-kube-token\n';

/** Fresh modules per test: the cache and clients start empty, as in a new Lambda execution environment. */
let secrets: typeof import('../../../functions/runtime/secrets.js');
let isSecretValueError: (err: unknown) => boolean;

async function freshModules() {
  vi.resetModules();
  secrets = await import('../../../functions/runtime/secrets.js');
  ({ isSecretValueError } = await import('../../../functions/runtime/errors.js'));
}

beforeEach(async () => {
  ssm.reset();
  secretsManager.reset();
  await freshModules();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  ssm.restore();
  secretsManager.restore();
});

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('Function: getSecret', () => {
  it('reads an SSM parameter ARN with GetParameter by ARN, WithDecryption, in the region of the ARN', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/shepherd/demo/kubeconfig', Type: 'SecureString', Value: KUBECONFIG, Version: 1 } });
    const arn = 'arn:aws:ssm:us-east-2:123456789012:parameter/shepherd/demo/kubeconfig';
    expect(await secrets.getSecret(arn)).toBe(KUBECONFIG);
    const calls = ssm.commandCalls(GetParameterCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ Name: arn, WithDecryption: true }]);
    expect(await (calls[0].thisValue as SSMClient).config.region()).toBe('us-east-2');
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('reads a Secrets Manager ARN with GetSecretValue and never asks SSM', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: KUBECONFIG });
    expect(await secrets.getSecret(SECRET_ARN)).toBe(KUBECONFIG);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('caches each value for 5 minutes, then reads it again', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), toFake: ['Date'] });
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Type: 'SecureString', Value: 'v1' } })
      .resolves({ Parameter: { Type: 'SecureString', Value: 'v2' } });
    expect(await secrets.getSecret(PARAMETER_ARN)).toBe('v1');
    vi.setSystemTime(new Date('2026-01-01T00:04:59Z'));
    expect(await secrets.getSecret(PARAMETER_ARN)).toBe('v1');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    vi.setSystemTime(new Date('2026-01-01T00:05:01Z'));
    expect(await secrets.getSecret(PARAMETER_ARN)).toBe('v2');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('refuses a plain String parameter, naming the parameter and not its value', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/shepherd/demo/kubeconfig', Type: 'String', Value: KUBECONFIG } });
    const err = await caught(secrets.getSecret(PARAMETER_ARN));
    expect(isSecretValueError(err)).toBe(true);
    expect(err.message).toBe('parameter /shepherd/demo/kubeconfig is of type String; store secrets as SecureString');
    expect(err.message).not.toContain('hunter2');
  });

  it('passes on a missing parameter as the SDK reports it (ParameterNotFound), without caching it', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('ParameterNotFound'), { name: 'ParameterNotFound' }))
      .resolves({
        Parameter: { Type: 'SecureString', Value: 'created-later' },
      });
    expect((await caught(secrets.getSecret(PARAMETER_ARN))).name).toBe('ParameterNotFound');
    expect(await secrets.getSecret(PARAMETER_ARN)).toBe('created-later');
  });

  it('rejects a reference that is neither form before calling AWS', async () => {
    const err = await caught(secrets.getSecret('arn:aws:s3:::bucket/kubeconfig'));
    expect(isSecretValueError(err)).toBe(true);
    expect(err.message).toContain('arn:aws:ssm:<region>:<12-digit account>:parameter/<name>');
    expect(ssm.calls().length + secretsManager.calls().length).toBe(0);
  });
});

describe('Function: getJsonSecret', () => {
  it('returns the fields of a JSON SecureString parameter', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: '{"accessKey":"SCWX","secretKey":"s3cr3t-value","projectId":"p"}' } });
    expect(await secrets.getJsonSecret(PARAMETER_ARN, ['accessKey', 'secretKey', 'projectId'])).toEqual({
      accessKey: 'SCWX',
      secretKey: 's3cr3t-value',
      projectId: 'p',
    });
  });

  it('names the parameter and the missing field, never the content', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: '{"accessKey":"SCWX","secretKey":"s3cr3t-value"}' } });
    const missing = await caught(secrets.getJsonSecret(PARAMETER_ARN, ['accessKey', 'secretKey', 'projectId']));
    expect(missing.message).toBe(`secret ${PARAMETER_ARN} lacks the string field "projectId"`);
    ssm.reset();
    await freshModules();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Type: 'SecureString', Value: 's3cr3t-value not json' } });
    const notJson = await caught(secrets.getJsonSecret(PARAMETER_ARN, ['token']));
    expect(isSecretValueError(notJson)).toBe(true);
    expect(notJson.message).not.toContain('s3cr3t');
  });
});
