import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { loadConfigFile } from '../../config/load.js';
import { synthesizeStack } from '../../local/cloudformation/synth.js';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { type ShepherdLocal, startShepherdLocal } from '../../local/shepherd-local.js';
import { captureContext } from './capture.js';

/*
 * `shepherd secrets check --local` against the local control plane's Parameter Store and Secrets Manager (local/secrets),
 * over their wire protocol with the AWS SDK: the shipped config's secrets as `shepherd local` serves them, and a config
 * whose secrets are missing or malformed. Nothing of ours is mocked.
 */

const config = loadConfigFile('shepherd.config.json');
const TOKEN = 'kube-token-6b0e4f1d93a2c7e5';
const SCALEWAY_SECRET = 'scw-secret-0d9c4e7a1b2f';
const BAD = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/kosmos-demo/bad';
/** Not valid YAML: the line after the token is indented wrongly, so a parser's message would quote the token. */
const MALFORMED_KUBECONFIG = [
  'apiVersion: v1',
  'clusters:',
  '- name: c',
  '  cluster: { server: "https://127.0.0.1:6443" }',
  'users:',
  '- name: admin',
  '  user:',
  `    token: ${TOKEN}`,
  '   extra: wrongly indented',
  'contexts: [{ name: c, context: { cluster: c, user: admin } }]',
  'current-context: c',
].join('\n');

let local: ShepherdLocal;
let endpointsFile: string;
let badConfigFile: string;

beforeAll(async () => {
  await synthesizeStack(config);
  local = await startShepherdLocal({
    config,
    seed: 5,
    clock: { mode: 'virtual' },
    // Beside the config's own secrets: malformed values under other names, for a config that points at them.
    secrets: {
      [`${BAD}/kubeconfig`]: MALFORMED_KUBECONFIG,
      [`${BAD}/scaleway-credentials`]: JSON.stringify({ accessKey: 'SCWPLACEHOLDER0000000', secretKey: SCALEWAY_SECRET }),
    },
    onLambdaLog: () => {},
  });
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-secrets-'));
  const file: LocalEndpointsFile = {
    ready: true,
    endpoints: { ...local.controlPlane.endpoints, ...local.sim.endpoints },
    region: 'eu-west-3',
    credentials: { accessKeyId: local.sim.credentials.aws.accessKeyId, secretAccessKey: local.sim.credentials.aws.secretAccessKey },
    pid: process.pid,
  };
  endpointsFile = join(dir, 'local.json');
  writeFileSync(endpointsFile, JSON.stringify(file));
  const raw = JSON.parse(readFileSync('shepherd.config.json', 'utf8'));
  raw.cluster.kubeconfigSecretArn = `${BAD}/kubeconfig`;
  raw.providers.scaleway.credentialsSecretArn = `${BAD}/scaleway-credentials`;
  raw.providers.gcp.credentialsSecretArn = `${BAD}/gcp-never-created`;
  raw.dns.cloudflare.apiTokenSecretArn = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:shepherd/kosmos-demo/cloudflare';
  badConfigFile = join(dir, 'bad.json');
  writeFileSync(badConfigFile, JSON.stringify(raw));
}, 480_000);

afterAll(async () => {
  await local?.stop();
});

/** Every secret value the local control plane serves for the shipped config. */
function servedValues(): string[] {
  const { credentials } = local.sim;
  const kubeToken = /token: (\S+)/.exec(local.sim.kubeconfig)?.[1];
  expect(kubeToken).toBeTruthy();
  return [
    kubeToken!,
    credentials.gcp.accessToken,
    credentials.scaleway.accessKey,
    credentials.scaleway.secretKey,
    credentials.scaleway.projectId,
    credentials.cloudflare.apiToken,
  ];
}

describe('shepherd secrets check --local', () => {
  it('says OK for each secret of the shipped config, with what it is and which function reads it, and exits 0', async () => {
    const ctx = captureContext();
    const code = await main(['secrets', 'check', '--endpoints', endpointsFile], ctx);
    expect(ctx.err()).toBe('');
    expect(code).toBe(0);
    const lines = ctx.out().trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.slice(0, 5).every((l) => l.startsWith('OK  parameter /shepherd/kosmos-demo/'))).toBe(true);
    expect(lines[0]).toBe(
      "OK  parameter /shepherd/kosmos-demo/kubeconfig: the cluster's kubeconfig (YAML), named by cluster.kubeconfigSecretArn, read by cluster-nodes, cluster-watcher, heal-intake, orphan-collector",
    );
    expect(lines).toContainEqual(expect.stringMatching(/^OK {2}parameter \/shepherd\/kosmos-demo\/gcp-service-account: .*, read by provider-gcp$/));
    expect(lines).toContainEqual(expect.stringMatching(/cloudflare-api-token: .*, read by no function of the stack yet$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^OK {2}parameter \/shepherd\/kosmos-demo\/kosmos-secret-key: .*, named by pools\[0\]\.join\.secretKeySecretArn \(pool "aws-amd64"\) and 2 more, read by provider-aws, provider-gcp$/,
      ),
    );
    expect(lines.at(-1)).toBe('5 secrets: 5 OK');
    for (const value of servedValues()) expect(ctx.out()).not.toContain(value);
  });

  it('names each missing or malformed secret, its problem and the command that fixes it, prints no secret content, and exits 1', async () => {
    const ctx = captureContext();
    const code = await main(['secrets', 'check', '--endpoints', endpointsFile, '--config', badConfigFile], ctx);
    expect(code).toBe(1);
    const out = ctx.out();
    const lineOf = (name: string) => out.split('\n').find((l) => l.includes(name)) ?? '';
    expect(lineOf('/bad/kubeconfig')).toMatch(
      /^INVALID {2}parameter \/shepherd\/kosmos-demo\/bad\/kubeconfig: .*: not valid YAML \(line 9, column \d+\); put a corrected value: /,
    );
    expect(lineOf('/bad/kubeconfig')).toContain(
      'aws ssm put-parameter --region eu-west-3 --type SecureString --name /shepherd/kosmos-demo/bad/kubeconfig --value file://kubeconfig.yaml --overwrite',
    );
    expect(lineOf('/bad/scaleway-credentials')).toMatch(
      /^INVALID .* named by providers\.scaleway\.credentialsSecretArn: lacks the string field "projectId"; put a corrected value: aws ssm put-parameter /,
    );
    expect(lineOf('/bad/gcp-never-created')).toBe(
      'MISSING  parameter /shepherd/kosmos-demo/bad/gcp-never-created: GCP credentials (a service-account key, JSON), named by providers.gcp.credentialsSecretArn: does not exist; ' +
        'create it: aws ssm put-parameter --region eu-west-3 --type SecureString --name /shepherd/kosmos-demo/bad/gcp-never-created --value file://service-account-key.json',
    );
    expect(lineOf('cloudflare')).toMatch(
      /^MISSING .* does not exist; create it: aws secretsmanager create-secret --region eu-west-3 --name shepherd\/kosmos-demo\/cloudflare --secret-string '<Cloudflare API token>'$/,
    );
    expect(lineOf('kosmos-secret-key')).toMatch(/^OK {6}/);
    expect(out.trimEnd().split('\n').at(-1)).toBe('5 secrets: 1 OK, 2 missing, 2 invalid');
    for (const secret of [TOKEN, SCALEWAY_SECRET, 'wrongly indented']) expect(out + ctx.err()).not.toContain(secret);
  });

  it('refuses a missing subcommand with its usage (exit 2)', async () => {
    const ctx = captureContext();
    expect(await main(['secrets', '--endpoints', endpointsFile], ctx)).toBe(2);
    expect(ctx.err()).toMatch(/say what to do: check\n\nusage: shepherd secrets check/);
  });
});
