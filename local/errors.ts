/** A cdk.out that the local control plane cannot run (missing stack, unsupported intrinsic, bad reference...). */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * An error an AWS API answers with: `code` becomes the JSON `__type`, which the AWS SDK v3
 * turns into the exception class of that name.
 */
export class AwsApiError extends Error {
  override name = 'AwsApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A failed Lambda invocation as Lambda reports it (`errorType`, `errorMessage`, `trace`).
 * `name` is the errorType, because Step Functions' Retry and Catch match on it.
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];

  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    super(errorMessage);
    this.name = errorType;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
    this.trace = trace;
  }

  /** The JSON Step Functions puts in `Cause` for a failed Lambda task. */
  causeJson(): string {
    return JSON.stringify({ errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace });
  }
}

/** Lambda itself refused an invocation (unknown function, unsupported runtime...): Step Functions names these `Lambda.<code>`. */
export class LambdaServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = `Lambda.${code}`;
  }
}
