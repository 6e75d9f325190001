import { createHash } from 'node:crypto';
import { parseSecretRef } from '../../config/secret-ref.js';
import { AwsApiError } from '../errors.js';

export interface StoredParameter {
  arn: string;
  name: string;
  value: string;
  version: number;
  lastModifiedDate: number;
}

/** Parameter Store's SecureString parameters by ARN and name, with the latest version of each (only ever read here). */
export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();

  constructor(private readonly lastModifiedDate: number) {}

  /** Adds or replaces the parameter an SSM parameter ARN names; a replacement is the next version, as PutParameter --overwrite. */
  put(arn: string, value: string): void {
    const ref = parseSecretRef(arn);
    if (ref?.kind !== 'ssm-parameter') throw new AwsApiError('ValidationException', `not an SSM parameter ARN: ${arn}`);
    const version = (this.parameters.get(ref.name)?.version ?? 0) + 1;
    this.parameters.set(ref.name, { arn, name: ref.name, value, version, lastModifiedDate: this.lastModifiedDate });
  }

  /**
   * By name or ARN, optionally with a `:<version>` selector, as GetParameter's Name is resolved. Labels are not
   * kept locally, so a label selector finds no version.
   */
  get(nameOrArn: string): { parameter: StoredParameter; selector?: string } {
    const { base, selector } = splitSelector(nameOrArn);
    const ref = base.startsWith('arn:') ? parseSecretRef(base) : undefined;
    const parameter = this.parameters.get(ref?.kind === 'ssm-parameter' ? ref.name : base);
    // An ARN must name this parameter's region and account too. ParameterNotFound has an empty message on AWS.
    if (!parameter || (ref && parameter.arn !== base)) throw new AwsApiError('ParameterNotFound', '');
    if (selector !== undefined && selector !== `:${parameter.version}`) throw new AwsApiError('ParameterVersionNotFound', `${selector.slice(1)} not found.`);
    return { parameter, selector };
  }
}

/** A name has no ":" of its own and an ARN none after ":parameter/", so a ":" there starts a selector. */
function splitSelector(nameOrArn: string): { base: string; selector?: string } {
  const nameStart = nameOrArn.startsWith('arn:') ? nameOrArn.indexOf(':parameter/') + 1 : 0;
  const colon = nameOrArn.indexOf(':', nameStart);
  return colon < 0 ? { base: nameOrArn } : { base: nameOrArn.slice(0, colon), selector: nameOrArn.slice(colon) };
}

/** What GetParameter returns for a SecureString without WithDecryption: a stand-in for KMS ciphertext, never the value. */
export function localCiphertext(parameter: StoredParameter): string {
  return Buffer.from(createHash('sha256').update(`${parameter.arn}#${parameter.version}`).digest()).toString('base64');
}
