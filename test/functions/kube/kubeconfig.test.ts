import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isKubeconfigError } from '../../../functions/adapters/kube/errors.js';
import { parseKubeconfig } from '../../../functions/adapters/kube/kubeconfig.js';
import { isSecretValueError } from '../../../functions/runtime/errors.js';

const ORIGIN = 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/demo/kubeconfig';
const TOKEN = 'sekrit-token-4f1c9a77e2';
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcfake\n-----END EC PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: string, cluster = `    server: https://10.0.0.1:6443\n    certificate-authority-data: ${b64(PEM_CERT)}`): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    cluster,
    'users:',
    '- name: u',
    '  user:',
    user,
    'contexts:',
    '- name: ctx',
    '  context:',
    '    cluster: c',
    '    user: u',
    'current-context: ctx',
    '',
  ].join('\n');
}

function parseError(text: string): Error {
  try {
    parseKubeconfig(text, ORIGIN);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected parseKubeconfig to throw');
}

/** Everything of an error that can reach a Cause, a log line or an audit item. */
function everything(err: Error): string {
  return [err.message, String(err.stack), inspect(err, { depth: 10 }), JSON.stringify(err), JSON.stringify(err.cause ?? null)].join('\n');
}

describe('Function: parseKubeconfig', () => {
  it('reads the current context: server, CA, bearer token', () => {
    expect(parseKubeconfig(kubeconfig(`    token: ${TOKEN}`), ORIGIN)).toEqual({
      server: 'https://10.0.0.1:6443',
      ca: PEM_CERT,
      cert: undefined,
      key: undefined,
      token: TOKEN,
      insecureSkipTlsVerify: false,
      tlsServerName: undefined,
    });
  });

  it('reads a client certificate and key, insecure-skip-tls-verify and tls-server-name; JSON is YAML too', () => {
    const text = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64(PEM_CERT), 'client-key-data': b64(PEM_KEY) } }],
      contexts: [
        { name: 'other', context: { cluster: 'x', user: 'y' } },
        { name: 'ctx', context: { cluster: 'c', user: 'u' } },
      ],
      'current-context': 'ctx',
    });
    expect(parseKubeconfig(text, ORIGIN)).toMatchObject({
      cert: PEM_CERT,
      key: PEM_KEY,
      insecureSkipTlsVerify: true,
      tlsServerName: 'kubernetes',
      token: undefined,
    });
  });

  it('a YAML fault right beside the token: a KubeconfigError naming the secret and "not valid YAML" at a line, and no trace of the token', () => {
    // The token line is followed by a line indented wrongly: the parser's own message quotes both.
    const text = kubeconfig(`    token: ${TOKEN}\n   bad-indent: x`);
    const err = parseError(text);
    expect(isKubeconfigError(err)).toBe(true);
    expect(isSecretValueError(err)).toBe(true);
    expect(err.name).toBe('KubeconfigError');
    expect(err.message).toMatch(new RegExp(`^kubeconfig ${ORIGIN}: not valid YAML \\(line \\d+, column \\d+\\)$`));
    expect(everything(err)).not.toContain(TOKEN);
    expect(everything(err)).not.toContain('bad-indent');
  });

  it('an unterminated quoted token (the fault is the token itself): no trace of it', () => {
    const err = parseError(kubeconfig(`    token: "${TOKEN}`));
    expect(err.message).toMatch(/not valid YAML/);
    expect(everything(err)).not.toContain(TOKEN);
    expect(everything(err)).not.toContain(TOKEN.slice(0, 8));
  });

  it.each([
    ['no current-context', `    token: ${TOKEN}`, (t: string) => t.replace('current-context: ctx', ''), 'current-context is not set'],
    [
      'a current-context with no entry',
      `    token: ${TOKEN}`,
      (t: string) => t.replace('current-context: ctx', 'current-context: gone'),
      'current-context names no entry of contexts',
    ],
    ['no server', `    token: ${TOKEN}`, (t: string) => t.replace('server: https://10.0.0.1:6443', 'server: 10.0.0.1'), 'no http(s) server URL'],
    ['an exec plugin', '    exec:\n      command: aws', (t: string) => t, 'runs an exec credential plugin'],
    ['a token file', `    tokenFile: /var/run/${TOKEN}`, (t: string) => t, 'reads its token from a file'],
    [
      'a certificate without its key',
      `    client-certificate-data: ${b64(PEM_CERT)}`,
      (t: string) => t,
      'needs both client-certificate-data and client-key-data',
    ],
    [
      'CA data that is not PEM',
      `    token: ${TOKEN}`,
      (t: string) => t.replace(b64(PEM_CERT), b64(TOKEN)),
      'certificate-authority-data is not base64 of a PEM certificate',
    ],
    ['a list, not a mapping', `    token: ${TOKEN}`, () => `- ${TOKEN}`, 'not a YAML mapping'],
  ])('%s: names the problem, not the content', (_what, user, edit, problem) => {
    const err = parseError(edit(kubeconfig(user)));
    expect(isKubeconfigError(err)).toBe(true);
    expect(err.message).toContain(`kubeconfig ${ORIGIN}: `);
    expect(err.message).toContain(problem);
    expect(everything(err)).not.toContain(TOKEN);
  });
});
