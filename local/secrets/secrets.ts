import { createHash } from 'node:crypto';
import { AwsApiError } from '../errors.js';

export interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  description?: string;
  createdDate: number;
}

/** Secrets Manager's store: secrets by ARN, with their current value only (stage AWSCURRENT). */
export class SecretsStore {
  private readonly secrets: StoredSecret[] = [];
  private puts = 0;

  constructor(private readonly createdDate: number) {}

  /** Adds or replaces a secret. The name defaults to the ARN's, without the 6-character suffix AWS adds. */
  put(arn: string, value: string, options: { name?: string; description?: string } = {}): void {
    const existing = this.secrets.findIndex((s) => s.arn === arn);
    const secret: StoredSecret = {
      arn,
      name: options.name ?? nameFromArn(arn),
      value,
      description: options.description,
      versionId: versionIdOf(arn, this.puts++),
      createdDate: this.createdDate,
    };
    if (existing >= 0) this.secrets[existing] = secret;
    else this.secrets.push(secret);
  }

  /** By full ARN, by name, or by ARN without the random suffix, as SecretId is resolved. */
  get(secretId: string): StoredSecret {
    const found =
      this.secrets.find((s) => s.arn === secretId) ??
      this.secrets.find((s) => s.name === secretId) ??
      this.secrets.find((s) => s.arn.startsWith(`${secretId}-`) && s.arn.length === secretId.length + 7);
    if (!found) throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  }
}

function nameFromArn(arn: string): string {
  const i = arn.indexOf(':secret:');
  const tail = i >= 0 ? arn.slice(i + ':secret:'.length) : arn;
  return tail.replace(/-[A-Za-z0-9]{6}$/, '');
}

/** A stable version id per put (derived from the ARN, never from the value). */
function versionIdOf(arn: string, put: number): string {
  const h = createHash('sha256').update(`${arn}#${put}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
