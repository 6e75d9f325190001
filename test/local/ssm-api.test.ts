import { GetParameterCommand, ParameterNotFound, ParameterVersionNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../local/aws-api/api-server.js';
import { ParameterStore } from '../../local/secrets/parameters.js';
import { ssmApi } from '../../local/secrets/ssm-api.js';
import { Clock } from '../../sim/index.js';

const REGION = 'eu-west-3';
const ACCOUNT = '123456789012';
const KUBECONFIG_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shepherd/demo/kubeconfig`;
const TOKEN_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cloudflare-token`;
const KUBECONFIG = 'apiVersion: v1\nkind: Config\n';
const CREDENTIALS = { accessKeyId: 'AKIALOCALTEST', secretAccessKey: 'local-test-secret' };

let server: ApiServer;
let ssm: SSMClient;

beforeAll(async () => {
  const clock = new Clock({ mode: 'virtual' });
  const parameters = new ParameterStore(clock.now());
  parameters.put(KUBECONFIG_PARAMETER, KUBECONFIG);
  parameters.put(TOKEN_PARAMETER, 'cf-token-old');
  parameters.put(TOKEN_PARAMETER, 'cf-token');
  server = await startApiServer({ clock, accessKeyId: CREDENTIALS.accessKeyId, services: [ssmApi(parameters)] });
  ssm = new SSMClient({ region: REGION, endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1 });
});

afterAll(async () => {
  await server?.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('Function: ssmApi (GetParameter through the real SSM client)', () => {
  it('returns a SecureString decrypted, by ARN or by name, with the documented fields', async () => {
    const byArn = await ssm.send(new GetParameterCommand({ Name: KUBECONFIG_PARAMETER, WithDecryption: true }));
    expect(byArn.Parameter).toMatchObject({
      ARN: KUBECONFIG_PARAMETER,
      Name: '/shepherd/demo/kubeconfig',
      Type: 'SecureString',
      DataType: 'text',
      Value: KUBECONFIG,
      Version: 1,
    });
    expect(byArn.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    const byName = await ssm.send(new GetParameterCommand({ Name: 'cloudflare-token', WithDecryption: true }));
    expect(byName.Parameter).toMatchObject({ ARN: TOKEN_PARAMETER, Name: 'cloudflare-token', Value: 'cf-token', Version: 2 });
  });

  it('returns ciphertext, not the value, without WithDecryption', async () => {
    const out = await ssm.send(new GetParameterCommand({ Name: KUBECONFIG_PARAMETER }));
    expect(out.Parameter?.Value).not.toBe(KUBECONFIG);
    expect(out.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('accepts the current version as a selector and answers ParameterVersionNotFound for another', async () => {
    const current = await ssm.send(new GetParameterCommand({ Name: '/shepherd/demo/kubeconfig:1', WithDecryption: true }));
    expect(current.Parameter).toMatchObject({ Selector: ':1', Value: KUBECONFIG });
    expect(await rejection(ssm.send(new GetParameterCommand({ Name: `${KUBECONFIG_PARAMETER}:2`, WithDecryption: true })))).toBeInstanceOf(
      ParameterVersionNotFound,
    );
  });

  it('answers ParameterNotFound for an unknown name and for a known name in another account', async () => {
    expect(await rejection(ssm.send(new GetParameterCommand({ Name: '/shepherd/demo/missing' })))).toBeInstanceOf(ParameterNotFound);
    const otherAccount = KUBECONFIG_PARAMETER.replace(ACCOUNT, '210987654321');
    expect(await rejection(ssm.send(new GetParameterCommand({ Name: otherAccount })))).toBeInstanceOf(ParameterNotFound);
  });
});
