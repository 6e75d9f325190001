import { ShepherdError } from '../../runtime/errors.js';

/** Why a connection could not be opened, as a probe reports it. */
export type ConnectFailure = 'refused' | 'timeout' | 'unreachable' | 'reset' | 'proxy';

/** The probe's connection to the target failed before any byte of the check was exchanged. */
export class ConnectFailedError extends ShepherdError {
  override name = 'ConnectFailedError';
  constructor(
    message: string,
    readonly reason: ConnectFailure,
  ) {
    super(message);
  }
}

export function isConnectFailedError(err: unknown): err is ConnectFailedError {
  return err instanceof Error && err.name === 'ConnectFailedError';
}
