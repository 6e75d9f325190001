import { parseSecretRef } from '../../config/secret-ref.js';
import { regionOf, secretNameOf } from './secret-reader.js';

/** The AWS CLI command that creates the secret an ARN names, its value a placeholder (never a real-looking one). */
export function createCommand(arn: string, valuePlaceholder: string): string {
  const ref = parseSecretRef(arn);
  if (ref?.kind === 'ssm-parameter') return `aws ssm put-parameter --region ${ref.region} --type SecureString --name ${ref.name} --value ${valuePlaceholder}`;
  return `aws secretsmanager create-secret --region ${regionOf(arn)} --name ${secretNameOf(arn)} --secret-string ${valuePlaceholder}`;
}

/** The AWS CLI command that replaces the value of the secret an ARN names (a new version), its value a placeholder. */
export function updateCommand(arn: string, valuePlaceholder: string): string {
  const ref = parseSecretRef(arn);
  if (ref?.kind === 'ssm-parameter') return `${createCommand(arn, valuePlaceholder)} --overwrite`;
  return `aws secretsmanager put-secret-value --region ${regionOf(arn)} --secret-id ${arn} --secret-string ${valuePlaceholder}`;
}
