/** The entrypoint's own settings cannot make a valid record (the config's checks should have caught it). */
export class InvalidRecordSpecError extends Error {
  override readonly name = 'InvalidRecordSpecError';
}

export function isInvalidRecordSpecError(err: unknown): err is InvalidRecordSpecError {
  return err instanceof Error && err.name === 'InvalidRecordSpecError';
}
