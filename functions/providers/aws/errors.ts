import { InsufficientCapacityError } from '../../runtime/errors.js';

/**
 * EC2 answered `Unsupported`: the instance type is not offered in the offering's zone ("Your requested instance type
 * (...) is not supported in your requested Availability Zone (...)"). Nothing was launched, as with a capacity error,
 * so the launch moves on to the next offering; unlike a capacity error it will not pass, so that offering need not be
 * tried again.
 */
export class InstanceTypeUnsupportedError extends InsufficientCapacityError {
  override name = 'InstanceTypeUnsupportedError';
}

export function isInstanceTypeUnsupportedError(err: unknown): err is InstanceTypeUnsupportedError {
  return err instanceof InstanceTypeUnsupportedError;
}
