/**
 * An error for aws-local-stepfunctions: Retry/Catch match `name`, Catch reports `message` as Cause.
 * States.Runtime cannot be caught, as in AWS.
 */
export function statesError(name: string, cause: string, catchable = true): Error {
  const err = new Error(cause) as Error & { isCatchable: boolean; isRetryable: boolean };
  err.name = name;
  err.isCatchable = catchable;
  err.isRetryable = false;
  return err;
}
