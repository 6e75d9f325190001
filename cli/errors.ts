/** The command line was wrong (unknown command or option, bad value): exit code 2, usage shown. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command was understood but could not be carried out: exit code 1, message only. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** The SDK's "Region is missing" says what is missing, not how to give it. */
export const NO_REGION =
  'no AWS region: set AWS_REGION (or AWS_PROFILE with a region in ~/.aws/config), or pass --local to use the local control plane (`shepherd local`)';

/** An error as one line for a person: what the SDK or the network said, with how to fix it where we know. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message === 'Region is missing') return NO_REGION;
  if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED')
    return `${err.message}: nothing answers there; if it is the local control plane, start it with \`shepherd local\``;
  // AWS SDK errors carry the service's error code as their name (AccessDeniedException, ExecutionAlreadyExists).
  const fromService = '$metadata' in err || '$fault' in err;
  return fromService ? `${err.name}: ${err.message}` : err.message;
}
