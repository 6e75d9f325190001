import * as iam from 'aws-cdk-lib/aws-iam';
import { parseSecretRef } from '../config/secret-ref.js';
import type { FunctionPermission } from './constructs/shepherd-function.js';

/** A secret reference the config schema should have rejected reached the IAM helper. */
export class SecretReferenceError extends Error {
  override name = 'SecretReferenceError';
}

/**
 * IAM resources for Secrets Manager secrets named in the config. The config may give a partial ARN (without the
 * `-xxxxxx` suffix Secrets Manager appends); IAM matches the full ARN, so both the ARN as written and the ARN plus six
 * characters are listed, which is what the Secrets Manager documentation recommends for partial ARNs.
 */
export function secretResources(arns: Iterable<string>): string[] {
  return [...new Set(arns)].sort().flatMap((arn) => [arn, `${arn}-??????`]);
}

/**
 * Read access to exactly these secrets: `secretsmanager:GetSecretValue` for Secrets Manager ARNs (statement `sid`),
 * `ssm:GetParameter` on each parameter's own ARN for SSM parameters (statement `<sid>FromParameterStore`). SecureString
 * parameters under the default aws/ssm key need no KMS grant: that AWS managed key lets every IAM principal of the
 * account decrypt through Parameter Store (Systems Manager user guide, "Restricting decryption of SecureString
 * parameter values"); a customer managed key would also need kms:Decrypt, which shepherd does not grant.
 */
export function readSecrets(sid: string, arns: string[]): FunctionPermission[] {
  const refs = arns.map((arn) => {
    const ref = parseSecretRef(arn);
    if (!ref) throw new SecretReferenceError(`${sid}: ${arn} is neither a Secrets Manager nor an SSM parameter ARN`);
    return ref;
  });
  const secrets = refs.filter((r) => r.kind === 'secretsmanager').map((r) => r.arn);
  const parameters = [...new Set(refs.filter((r) => r.kind === 'ssm-parameter').map((r) => r.arn))].sort();
  const permissions: FunctionPermission[] = [];
  if (secrets.length > 0) {
    permissions.push({ statement: new iam.PolicyStatement({ sid, actions: ['secretsmanager:GetSecretValue'], resources: secretResources(secrets) }) });
  }
  if (parameters.length > 0) {
    permissions.push({ statement: new iam.PolicyStatement({ sid: `${sid}FromParameterStore`, actions: ['ssm:GetParameter'], resources: parameters }) });
  }
  return permissions;
}
