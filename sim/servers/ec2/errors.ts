/**
 * An EC2 API error: the `Code` and `Message` of EC2's error XML and its HTTP status. Client
 * errors are 4xx; EC2 answers capacity shortages (InsufficientInstanceCapacity) and its own
 * faults with 5xx, which the SDKs retry.
 */
export class Ec2Error extends Error {
  override readonly name = 'Ec2Error';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  static invalidValue(message: string): Ec2Error {
    return new Ec2Error('InvalidParameterValue', message);
  }

  static missing(parameter: string): Ec2Error {
    return new Ec2Error('MissingParameter', `The request must contain the parameter ${parameter}`);
  }

  /** EC2 names one missing id in the singular and several in a comma-separated plural. */
  static instancesNotFound(ids: string[]): Ec2Error {
    const message = ids.length === 1 ? `The instance ID '${ids[0]}' does not exist` : `The instance IDs '${ids.join(', ')}' do not exist`;
    return new Ec2Error('InvalidInstanceID.NotFound', message);
  }

  static malformedId(code: string, id: string, prefix: string): Ec2Error {
    return new Ec2Error(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
  }

  static incorrectState(message: string): Ec2Error {
    return new Ec2Error('IncorrectInstanceState', message);
  }
}

export const AUTH_FAILURE_MESSAGE = 'AWS was not able to validate the provided access credentials';
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
