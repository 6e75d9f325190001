import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseSecretRef, SECRET_REF_FORMS } from '../../config/secret-ref.js';
import { SecretValueError } from './errors.js';

// Both SDKs are imported statically although a config uses one kind. An import() of either, each kept until a
// reference of its kind is read, was measured: esbuild keeps a dynamically imported module in the single-file ES
// bundle, wrapped for lazy evaluation but no longer tree-shaken (the AWS provider's bundle grew by 114 KB), and the
// cold import got no faster (median CPU time 642 ms against 638 ms, 25 fresh imports each on a loaded machine).
const secretsManager = new Map<string, SecretsManagerClient>();
const parameterStore = new Map<string, SSMClient>();
const cache = new Map<string, { value: string; at: number }>();
const TTL_MS = 5 * 60_000;

/**
 * A secret's string value, from Secrets Manager or from an SSM SecureString parameter, cached for 5 minutes per warm
 * Lambda. The value is never logged, and no error carries it. Each kind is read in the region its ARN names.
 */
export async function getSecret(arn: string): Promise<string> {
  const hit = cache.get(arn);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = await readSecret(arn);
  cache.set(arn, { value, at: Date.now() });
  return value;
}

async function readSecret(arn: string): Promise<string> {
  const ref = parseSecretRef(arn);
  if (!ref) throw new SecretValueError(`secret reference ${arn} is neither ${SECRET_REF_FORMS}`);
  if (ref.kind === 'secretsmanager') {
    const region = arn.split(':')[3];
    const client = clientFor(secretsManager, region, () => new SecretsManagerClient({ region }));
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (out.SecretString === undefined) throw new SecretValueError(`secret ${arn} has no string value; store it as text (JSON or plain)`);
    return out.SecretString;
  }
  // GetParameter takes the parameter's name or its full ARN as Name, and WithDecryption returns a SecureString's
  // plain text (SSM API reference, GetParameter). With the default aws/ssm key, ssm:GetParameter is the only grant
  // needed: that AWS managed key lets every IAM principal of the account decrypt through Parameter Store (Systems
  // Manager user guide, "Restricting decryption of SecureString parameter values").
  const client = clientFor(parameterStore, ref.region, () => new SSMClient({ region: ref.region }));
  const out = await client.send(new GetParameterCommand({ Name: arn, WithDecryption: true }));
  const parameter = out.Parameter;
  if (parameter?.Type !== 'SecureString') {
    throw new SecretValueError(`parameter ${ref.name} is of type ${parameter?.Type ?? 'unknown'}; store secrets as SecureString`);
  }
  if (parameter.Value === undefined) throw new SecretValueError(`parameter ${ref.name} has no value`);
  return parameter.Value;
}

function clientFor<C>(clients: Map<string, C>, region: string, create: () => C): C {
  let client = clients.get(region);
  if (!client) {
    client = create();
    clients.set(region, client);
  }
  return client;
}

/** A JSON secret's fields; the error names the secret and the missing field, never the content. */
export async function getJsonSecret<T extends Record<string, unknown>>(arn: string, required: (keyof T & string)[]): Promise<T> {
  const raw = await getSecret(arn);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SecretValueError(`secret ${arn} is not JSON; expected an object with ${required.join(', ')}`);
  }
  for (const k of required) {
    if (typeof (parsed as Record<string, unknown>)?.[k] !== 'string') throw new SecretValueError(`secret ${arn} lacks the string field "${k}"`);
  }
  return parsed as T;
}
