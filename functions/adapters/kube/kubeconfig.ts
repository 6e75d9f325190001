import { load, YAMLException } from 'js-yaml';
import { KubeconfigError } from './errors.js';

/** Where the API server is and how to authenticate to it: what the current context of a kubeconfig says. */
export interface KubeEndpoint {
  /** The API server's URL (https, or http for a plain-text server). */
  server: string;
  /** PEM of the CA to trust instead of the system's. */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  /** Bearer token. */
  token?: string;
  insecureSkipTlsVerify: boolean;
  /** The name to check the server's certificate against, when it differs from the URL's host. */
  tlsServerName?: string;
}

type Entry = Record<string, unknown>;

/** Fields that point at files or programs: a Lambda has neither, so the kubeconfig must embed its credentials. */
const UNSUPPORTED_USER_FIELDS: Record<string, string> = {
  exec: 'runs an exec credential plugin',
  'auth-provider': 'uses an auth-provider plugin',
  tokenFile: 'reads its token from a file',
  'client-certificate': 'reads its client certificate from a file',
  'client-key': 'reads its client key from a file',
  username: 'uses basic authentication',
};

/**
 * The current context of a kubeconfig (YAML or JSON text). `origin` names where the text came from (the secret's
 * reference); every error names it and the class of the problem, never a value from the text.
 */
export function parseKubeconfig(text: string, origin: string): KubeEndpoint {
  const fail = (problem: string): never => {
    throw new KubeconfigError(`kubeconfig ${origin}: ${problem}`);
  };
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    // The parser's message quotes the lines around the fault and its `mark` holds the whole text: keep neither.
    const mark = err instanceof YAMLException ? err.mark : undefined;
    fail(mark ? `not valid YAML (line ${mark.line + 1}, column ${mark.column + 1})` : 'not valid YAML');
  }
  if (!isEntry(doc)) return fail('not a YAML mapping');
  const contextName = doc['current-context'];
  if (typeof contextName !== 'string' || contextName === '') return fail('current-context is not set');
  const context = named(doc.contexts, contextName, 'context');
  if (!context) return fail('current-context names no entry of contexts');
  const cluster = typeof context.cluster === 'string' ? named(doc.clusters, context.cluster, 'cluster') : undefined;
  if (!cluster) return fail('the current context names no entry of clusters');
  const user = typeof context.user === 'string' && context.user !== '' ? named(doc.users, context.user, 'user') : {};
  if (!user) return fail('the current context names no entry of users');

  const server = cluster.server;
  if (typeof server !== 'string' || !/^https?:\/\/[^/]/.test(server)) return fail('the current cluster has no http(s) server URL');
  if (cluster['certificate-authority'] !== undefined) fail('the current cluster reads its CA from a file; embed it as certificate-authority-data');
  if (cluster['proxy-url'] !== undefined) fail('the current cluster uses proxy-url, which is not supported');
  for (const [field, problem] of Object.entries(UNSUPPORTED_USER_FIELDS)) {
    if (user[field] !== undefined) fail(`the current user ${problem}; use a token or client-certificate-data and client-key-data`);
  }
  const token = user.token;
  if (token !== undefined && (typeof token !== 'string' || token === '')) fail('the current user has a token that is not a string');
  const cert = pem(user['client-certificate-data'], 'CERTIFICATE', 'client-certificate-data', fail);
  const key = pem(user['client-key-data'], 'PRIVATE KEY', 'client-key-data', fail);
  if ((cert === undefined) !== (key === undefined)) fail('the current user needs both client-certificate-data and client-key-data');
  const tlsServerName = cluster['tls-server-name'];
  return {
    server,
    ca: pem(cluster['certificate-authority-data'], 'CERTIFICATE', 'certificate-authority-data', fail),
    cert,
    key,
    token: token as string | undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof tlsServerName === 'string' && tlsServerName !== '' ? tlsServerName : undefined,
  };
}

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `kind` map (cluster, user, context) of the list entry called `name`, as kubeconfig lists hold them. */
function named(list: unknown, name: string, kind: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((e) => isEntry(e) && e.name === name) as Entry | undefined;
  if (!entry) return undefined;
  return isEntry(entry[kind]) ? entry[kind] : {};
}

/** A base64 field holding PEM (a key's label may be "EC PRIVATE KEY", "RSA PRIVATE KEY" or "PRIVATE KEY"). */
function pem(value: unknown, label: string, field: string, fail: (problem: string) => never): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '';
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) fail(`${field} is not base64 of a PEM ${label.toLowerCase()}`);
  return text;
}
