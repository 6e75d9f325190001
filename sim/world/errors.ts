import type { ProviderName } from './types.js';

/** No capacity for this type in this zone (EC2 InsufficientInstanceCapacity, GCE ZONE_RESOURCE_POOL_EXHAUSTED). */
export class InsufficientCapacityError extends Error {
  override readonly name = 'InsufficientCapacityError';
  constructor(
    readonly provider: ProviderName,
    readonly zone: string,
    readonly type: string,
  ) {
    super(`no capacity for ${type} in ${provider} zone ${zone}`);
  }
}

/** The request names something the world does not have (zone, type, VM, pool). */
export class UnknownResourceError extends Error {
  override readonly name = 'UnknownResourceError';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`unknown ${resource} "${id}"`);
  }
}

export function isInsufficientCapacityError(err: unknown): err is InsufficientCapacityError {
  return err instanceof InsufficientCapacityError;
}
