/*
 * A secret named in the config is either a Secrets Manager secret ($0.40 a month each) or an SSM Parameter Store
 * SecureString parameter (standard tier: no monthly charge). Both are given by ARN; this module tells them apart.
 */

const PARTITION = 'arn:aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';

const SECRETS_MANAGER_ARN = new RegExp(`^${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]+$`);
/**
 * Parameter names are [a-zA-Z0-9_.-] segments; a name with "/" starts with "/" (a hierarchy, at most 15 levels),
 * and its ARN then reads `parameter/a/b` for the name `/a/b`; a plain name `n` reads `parameter/n`.
 */
const SSM_PARAMETER_ARN = new RegExp(`^${PARTITION}:ssm:(${REGION}):${ACCOUNT}:parameter/([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+){0,14})$`);

export const SECRET_REF_FORMS =
  'a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>, ' +
  'or an SSM SecureString parameter ARN, arn:aws:ssm:<region>:<12-digit account>:parameter/<name>';

export type SecretRef = { kind: 'secretsmanager'; arn: string } | { kind: 'ssm-parameter'; arn: string; region: string; name: string };

/** What `arn` refers to, or undefined when it is neither form. */
export function parseSecretRef(arn: string): SecretRef | undefined {
  if (SECRETS_MANAGER_ARN.test(arn)) return { kind: 'secretsmanager', arn };
  const ssm = SSM_PARAMETER_ARN.exec(arn);
  if (!ssm) return undefined;
  const path = ssm[2];
  return { kind: 'ssm-parameter', arn, region: ssm[1], name: path.includes('/') ? `/${path}` : path };
}

export function isSecretRef(arn: string): boolean {
  return parseSecretRef(arn) !== undefined;
}

export function isSsmParameterArn(arn: string): boolean {
  return parseSecretRef(arn)?.kind === 'ssm-parameter';
}
