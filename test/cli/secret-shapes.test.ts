import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { configuredSecrets } from '../../cli/secrets/secret-inventory.js';
import { SECRET_SHAPES } from '../../cli/secrets/secret-shapes.js';
import { loadConfigFile } from '../../config/load.js';
import { captureContext } from './capture.js';

const ARN = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/x';

describe('Object: SECRET_SHAPES', () => {
  it('checks a kubeconfig with the functions’ parser and reports the problem without the secret’s name or content', () => {
    const fileUser =
      'apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://k:6443"}}]\nusers: [{name: u, user: {tokenFile: /var/run/token-s3cr3t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n';
    const problem = SECRET_SHAPES.kubeconfig.check(fileUser, ARN);
    expect(problem).toBe('the current user reads its token from a file; use a token or client-certificate-data and client-key-data');
    expect(SECRET_SHAPES.kubeconfig.check(fileUser.replace('tokenFile: /var/run/token-s3cr3t', 'token: abc'), ARN)).toBeUndefined();
  });

  it('wants Scaleway credentials as a JSON object of three non-empty strings', () => {
    expect(SECRET_SHAPES.scalewayCredentials.check('{"accessKey":"SCWX","secretKey":"s","projectId":"p"}', ARN)).toBeUndefined();
    expect(SECRET_SHAPES.scalewayCredentials.check('{"accessKey":"SCWX","secretKey":""}', ARN)).toBe('lacks the string fields "secretKey", "projectId"');
    expect(SECRET_SHAPES.scalewayCredentials.check('accessKey=SCWX secretKey=hunter2', ARN)).toBe(
      'is not JSON; expected an object with accessKey, secretKey, projectId',
    );
  });

  it('takes GCP credentials as an access token or a service-account key with a PEM private key', () => {
    expect(SECRET_SHAPES.gcpCredentials.check('{"access_token":"t"}', ARN)).toBeUndefined();
    const key = {
      type: 'service_account',
      client_email: 'a@p.iam.gserviceaccount.com',
      private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n',
    };
    expect(SECRET_SHAPES.gcpCredentials.check(JSON.stringify(key), ARN)).toBeUndefined();
    expect(SECRET_SHAPES.gcpCredentials.check(JSON.stringify({ ...key, private_key: 'hunter2' }), ARN)).toBe('private_key is not a PEM private key');
    expect(SECRET_SHAPES.gcpCredentials.check(JSON.stringify({ client_email: 'a@p' }), ARN)).toBe(
      'is neither a service-account key (lacks private_key) nor {"access_token": ...}',
    );
    expect(SECRET_SHAPES.gcpCredentials.check('[1]', ARN)).toBe('is JSON but not an object');
  });

  it('wants plain-text secrets non-empty once trimmed, as the functions trim them', () => {
    expect(SECRET_SHAPES.joinToken.check(' \n', ARN)).toBe('is empty (only whitespace)');
    expect(SECRET_SHAPES.joinToken.check('abc\n', ARN)).toBeUndefined();
  });
});

describe('Function: configuredSecrets', () => {
  it('lists each secret of the shipped config once, with its fields and the functions the stack lets read it', () => {
    const secrets = configuredSecrets(loadConfigFile('shepherd.config.json'));
    expect(secrets.map((s) => s.arn.replace(/^.*parameter\/shepherd\/kosmos-demo\//, ''))).toEqual([
      'kubeconfig',
      'gcp-service-account',
      'scaleway-credentials',
      'kosmos-secret-key',
      'cloudflare-api-token',
    ]);
    const kosmos = secrets[3];
    expect(kosmos.fields.every((f) => /^pools\[\d+\]\.join\.secretKeySecretArn \(pool "[\w-]+"\)$/.test(f))).toBe(true);
    expect(kosmos.readBy).toEqual(['provider-aws', 'provider-gcp']);
    expect(secrets[0].readBy).toEqual(['cluster-nodes', 'cluster-watcher', 'heal-intake', 'orphan-collector']);
    expect(secrets[4].readBy).toEqual([]);
  });
});

describe('shepherd secrets check (AWS, SDK mocked)', () => {
  const ssm = mockClient(SSMClient);
  const secretsManager = mockClient(SecretsManagerClient);
  // The command resolves credentials before reading anything (the mock replaces only `send`).
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example-secret-access-key');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    ssm.reset();
    secretsManager.reset();
  });

  function minimalConfigWith(kubeconfigArn: string): string {
    const raw = JSON.parse(readFileSync('config/examples/minimal.json', 'utf8'));
    raw.cluster.kubeconfigSecretArn = kubeconfigArn;
    raw.pools[0].join.secretKeySecretArn = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/kosmos-key';
    const file = join(mkdtempSync(join(tmpdir(), 'shepherd-secrets-unit-')), 'config.json');
    writeFileSync(file, JSON.stringify(raw));
    return file;
  }

  it('refuses a parameter that is not a SecureString, as the functions do, and says how to re-create it', async () => {
    const file = minimalConfigWith(ARN);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/shepherd/x', Type: 'String', Value: 'plain-secret-value' } });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'kosmos-key-value' });
    const ctx = captureContext();
    expect(await main(['secrets', 'check', '--config', file], ctx)).toBe(1);
    expect(ctx.out()).toContain(
      'is a String; shepherd reads only SecureString parameters; delete it (aws ssm delete-parameter --region eu-west-3 --name /shepherd/x) and create it again with --type SecureString',
    );
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: ARN, WithDecryption: true });
    expect(ctx.out()).toMatch(/^OK +secret arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd\/kosmos-key: /m);
    expect(ctx.out()).not.toMatch(/plain-secret-value|kosmos-key-value/);
  });

  it('names the permission it lacks when a read is denied', async () => {
    const file = minimalConfigWith(ARN);
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' }));
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    const ctx = captureContext();
    expect(await main(['secrets', 'check', '--config', file], ctx)).toBe(1);
    expect(ctx.out()).toMatch(
      /\/shepherd\/x: .*: cannot be read with these credentials \(AccessDeniedException\); run this with credentials allowed ssm:GetParameter on it/,
    );
    expect(ctx.out()).toMatch(/has no string value \(binary\); store it as text/);
  });
});
