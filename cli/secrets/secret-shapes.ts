import { parseKubeconfig } from '../../functions/adapters/kube/kubeconfig.js';

/**
 * What a secret must hold, checked the way the function that reads it reads it. A check returns the problem in words
 * that name fields and classes of fault, never a value from the secret, or undefined when the value will do.
 */
export interface SecretShape {
  /** What the secret is, for a person: "the cluster's kubeconfig". */
  what: string;
  check(value: string, arn: string): string | undefined;
  /** The `--value` of a command that creates it, with placeholders only. */
  valuePlaceholder: string;
}

/** cluster-nodes builds its Kubernetes client with parseKubeconfig (functions/adapters/kube/kubeconfig.ts). */
const kubeconfig: SecretShape = {
  what: "the cluster's kubeconfig (YAML)",
  check(value, arn) {
    try {
      parseKubeconfig(value, arn);
      return undefined;
    } catch (err) {
      // KubeconfigError messages are "kubeconfig <arn>: <problem>"; the line already names the secret.
      return (err as Error).message.replace(`kubeconfig ${arn}: `, '');
    }
  },
  valuePlaceholder: 'file://kubeconfig.yaml',
};

/** provider-scaleway reads it with getJsonSecret(arn, ['accessKey', 'secretKey', 'projectId']) (functions/providers/scaleway/client.ts). */
const scalewayCredentials: SecretShape = {
  what: 'Scaleway API credentials (JSON)',
  check: (value) => jsonProblem(value, ['accessKey', 'secretKey', 'projectId']),
  valuePlaceholder: `'{"accessKey":"<access key>","secretKey":"<secret key>","projectId":"<project id>"}'`,
};

/**
 * provider-gcp takes `access_token` when present, else a service-account key's `client_email` and `private_key`, which
 * it signs a token request with (functions/providers/gcp/client.ts).
 */
const gcpCredentials: SecretShape = {
  what: 'GCP credentials (a service-account key, JSON)',
  check(value) {
    const parsed = jsonObject(value);
    if (typeof parsed === 'string') return parsed;
    if (nonEmptyString(parsed.access_token)) return undefined;
    const missing = ['client_email', 'private_key'].filter((k) => !nonEmptyString(parsed[k]));
    if (missing.length > 0) return `is neither a service-account key (lacks ${missing.join(' and ')}) nor {"access_token": ...}`;
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(parsed.private_key as string)) return 'private_key is not a PEM private key';
    return undefined;
  },
  valuePlaceholder: 'file://service-account-key.json',
};

/** Plain-text secrets are read with getSecret and trimmed (functions/runtime/user-data.ts). */
function text(what: string, placeholder: string): SecretShape {
  return {
    what,
    check: (value) => (value.trim() === '' ? 'is empty (only whitespace)' : undefined),
    valuePlaceholder: `'<${placeholder}>'`,
  };
}

export const SECRET_SHAPES = {
  kubeconfig,
  scalewayCredentials,
  gcpCredentials,
  kosmosSecretKey: text('the Scaleway secret key Kosmos nodes join with (plain text)', 'Scaleway secret key'),
  joinToken: text('the join token of a script join (plain text)', 'join token'),
  cloudflareToken: text('the Cloudflare API token (plain text)', 'Cloudflare API token'),
  text: text('a secret (plain text)', 'value'),
} satisfies Record<string, SecretShape>;

function jsonObject(value: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the text around the fault: keep none of it.
    return 'is not JSON';
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : 'is JSON but not an object';
}

function jsonProblem(value: string, required: string[]): string | undefined {
  const parsed = jsonObject(value);
  if (typeof parsed === 'string') return `${parsed}; expected an object with ${required.join(', ')}`;
  const missing = required.filter((k) => !nonEmptyString(parsed[k]));
  return missing.length > 0 ? `lacks the string field${missing.length > 1 ? 's' : ''} ${missing.map((k) => `"${k}"`).join(', ')}` : undefined;
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
