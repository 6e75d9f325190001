import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, { value: string; at: number }>();
const TTL_MS = 5 * 60_000;

/** A secret's string value, cached for 5 minutes per warm Lambda. The value is never logged. */
export async function getSecret(arn: string): Promise<string> {
  const hit = cache.get(arn);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  client ??= new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (out.SecretString === undefined) throw new Error(`secret ${arn} has no string value; store it as text (JSON or plain)`);
  cache.set(arn, { value: out.SecretString, at: Date.now() });
  return out.SecretString;
}

/** A JSON secret's fields; the error names the secret and the missing field, never the content. */
export async function getJsonSecret<T extends Record<string, unknown>>(arn: string, required: (keyof T & string)[]): Promise<T> {
  const raw = await getSecret(arn);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`secret ${arn} is not JSON; expected an object with ${required.join(', ')}`);
  }
  for (const k of required) {
    if (typeof (parsed as Record<string, unknown>)?.[k] !== 'string') throw new Error(`secret ${arn} lacks the string field "${k}"`);
  }
  return parsed as T;
}
