/** A secret the config refers to, by the store that keeps it (that decides what it costs idle). */
export interface SecretReference {
  arn: string;
  kind: 'secrets-manager' | 'ssm-parameter';
}

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/.+$/;

/**
 * Every distinct secret ARN anywhere in the config (the schema decides where secrets may be named; this reads
 * them wherever they are, so a provider module that adds its own needs no change here).
 */
export function secretReferences(config: unknown): SecretReference[] {
  const found = new Map<string, SecretReference>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      if (SECRETS_MANAGER_ARN.test(value)) found.set(value, { arn: value, kind: 'secrets-manager' });
      else if (SSM_PARAMETER_ARN.test(value)) found.set(value, { arn: value, kind: 'ssm-parameter' });
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(config);
  return [...found.values()];
}
