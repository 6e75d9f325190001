/** A fault request the chaos endpoint cannot carry out; the message names the problem and the fix. */
export class ChaosRequestError extends Error {
  override name = 'ChaosRequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isChaosRequestError(err: unknown): err is ChaosRequestError {
  return err instanceof ChaosRequestError;
}
