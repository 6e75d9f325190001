/** The command line was wrong (unknown command or option, bad value): exit code 2, usage shown. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command was understood but could not be carried out: exit code 1, message only. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}
