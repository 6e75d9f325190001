import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseSecretRef } from '../../config/secret-ref.js';

/** What reading a secret gave: its value, that it does not exist, or why it cannot be used (never its content). */
export type SecretRead = { kind: 'value'; value: string } | { kind: 'missing' } | { kind: 'unusable'; problem: string; fix: string };

export interface SecretClients {
  ssm(region: string): SSMClient;
  secretsManager(region: string): SecretsManagerClient;
}

/** The region an ARN names (arn:partition:service:region:account:...). */
export function regionOf(arn: string): string {
  return arn.split(':')[3];
}

/** A Secrets Manager secret's name: the ARN's tail without the six characters AWS appends (when the ARN has them). */
export function secretNameOf(arn: string): string {
  return arn.slice(arn.indexOf(':secret:') + ':secret:'.length).replace(/-[A-Za-z0-9]{6}$/, '');
}

/**
 * Reads a secret as the functions do (functions/runtime/secrets.ts): GetSecretValue by ARN, or GetParameter by ARN with
 * decryption, refusing a parameter that is not a SecureString. Error messages of AWS name the resource, not its value.
 */
export async function readSecret(arn: string, clients: SecretClients): Promise<SecretRead> {
  const ref = parseSecretRef(arn);
  if (!ref) return { kind: 'unusable', problem: 'is neither a Secrets Manager nor an SSM parameter ARN', fix: 'correct the ARN in the config' };
  try {
    if (ref.kind === 'secretsmanager') {
      const out = await clients.secretsManager(regionOf(arn)).send(new GetSecretValueCommand({ SecretId: arn }));
      if (out.SecretString === undefined) return { kind: 'unusable', problem: 'has no string value (binary)', fix: 'store it as text (JSON or plain)' };
      return { kind: 'value', value: out.SecretString };
    }
    const out = await clients.ssm(ref.region).send(new GetParameterCommand({ Name: arn, WithDecryption: true }));
    const parameter = out.Parameter;
    if (parameter?.Type !== 'SecureString') {
      return {
        kind: 'unusable',
        problem: `is a ${parameter?.Type ?? 'parameter of unknown type'}; shepherd reads only SecureString parameters`,
        fix: `delete it (aws ssm delete-parameter --region ${ref.region} --name ${ref.name}) and create it again with --type SecureString`,
      };
    }
    if (parameter.Value === undefined) return { kind: 'unusable', problem: 'has no value', fix: 'put a value in it' };
    return { kind: 'value', value: parameter.Value };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ParameterNotFound' || name === 'ResourceNotFoundException') return { kind: 'missing' };
    if (name === 'AccessDeniedException' || name === 'AccessDenied') {
      const action = ref.kind === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameter';
      return { kind: 'unusable', problem: `cannot be read with these credentials (${name})`, fix: `run this with credentials allowed ${action} on it` };
    }
    return { kind: 'unusable', problem: `cannot be read: ${name}: ${(err as Error).message}`, fix: 'see the error; retry' };
  }
}
