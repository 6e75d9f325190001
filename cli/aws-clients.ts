import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CommandError } from './errors.js';
import type { LocalEndpoints } from './local-endpoints.js';

/**
 * Without a local control plane: the default credential chain and region (AWS_REGION, profiles, SSO...).
 * With one: its endpoints, region and the fake credentials it accepts.
 */
export function stepFunctionsClient(local?: LocalEndpoints): SFNClient {
  return new SFNClient(local ? { endpoint: local.endpoints.stepfunctions, region: local.region, credentials: local.credentials } : {});
}

export function dynamoClient(local?: LocalEndpoints): DynamoDBClient {
  return new DynamoDBClient(local ? { endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials } : {});
}

/** Secrets live in the region their ARN names, which is where these clients go (the default credential chain otherwise). */
export function secretsManagerClient(region: string, local?: LocalEndpoints): SecretsManagerClient {
  return new SecretsManagerClient(local ? { endpoint: local.endpoints.secretsmanager, region, credentials: local.credentials } : { region });
}

export function ssmClient(region: string, local?: LocalEndpoints): SSMClient {
  if (!local) return new SSMClient({ region });
  if (!local.endpoints.ssm) throw new CommandError('the local endpoints file names no ssm endpoint; restart `shepherd local` to write a current one');
  return new SSMClient({ endpoint: local.endpoints.ssm, region, credentials: local.credentials });
}

/** The one line for a command that needs AWS and found no credentials (the SDK's CredentialsProviderError). */
export const NO_CREDENTIALS =
  'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or use --local for the local control plane';

/**
 * Resolves the client's credentials once, before any request: without any, every request would fail alike, and a
 * command reporting per item would blame each item for what is the caller's setup.
 */
export async function requireCredentials(client: { config: { credentials: () => Promise<unknown> } }): Promise<void> {
  try {
    await client.config.credentials();
  } catch (err) {
    if ((err as Error)?.name === 'CredentialsProviderError') throw new CommandError(NO_CREDENTIALS);
    throw err;
  }
}
