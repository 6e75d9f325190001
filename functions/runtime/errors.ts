/**
 * Errors a workflow's Retry/Catch can match by name (Step Functions matches the Lambda's errorType,
 * which is the thrown error's `name`). Messages are for a person reading the console: they say what
 * went wrong and what to do, and never carry secret values.
 */
export class ShepherdError extends Error {
  override name = 'ShepherdError';
}

/** The workflow input is wrong; the message names the field and what is allowed. Not retried. */
export class InvalidInputError extends ShepherdError {
  override name = 'InvalidInputError';
}

/** The pool already has `max` nodes claimed. Not retried. */
export class PoolAtCapacityError extends ShepherdError {
  override name = 'PoolAtCapacityError';
}

/** Another execution owns this request id and has not finished. Not retried. */
export class DuplicateRequestError extends ShepherdError {
  override name = 'DuplicateRequestError';
}

/** Every instance type and zone of the pool was out of capacity. */
export class InsufficientCapacityError extends ShepherdError {
  override name = 'InsufficientCapacityError';
}

/** The provider throttled us; Step Functions retries with backoff and jitter. */
export class ThrottledError extends ShepherdError {
  override name = 'ThrottledError';
}

/** A provider answered 5xx, timed out or reset the connection; retried. */
export class TransientError extends ShepherdError {
  override name = 'TransientError';
}

/**
 * Cleanup found no VM for a claim, but the provider's lists lag its launches (EC2), so a VM launched moments ago may
 * be missing: the workflow looks again a few times, and only then believes that nothing runs.
 */
export class ListingLagError extends ShepherdError {
  override name = 'ListingLagError';
}

export function isListingLagError(err: unknown): err is ListingLagError {
  return err instanceof ListingLagError;
}

/** The provider refused the request for a reason retrying will not fix (bad AMI, denied, bad subnet). */
export class ProviderRequestError extends ShepherdError {
  override name = 'ProviderRequestError';
}

export function isInsufficientCapacityError(err: unknown): err is InsufficientCapacityError {
  return err instanceof InsufficientCapacityError;
}

/** A secret could not be used: missing, of the wrong kind or shape. The message names the secret, never its value. Not retried. */
export class SecretValueError extends ShepherdError {
  override name = 'SecretValueError';
}

export function isSecretValueError(err: unknown): err is SecretValueError {
  return err instanceof SecretValueError;
}

/**
 * The claim belongs to another execution, or was released: this execution may no longer change it, its VM or its
 * Node. Not retried; the workflow's cleanup then touches nothing of that claim.
 */
export class ClaimNotOwnedError extends ShepherdError {
  override name = 'ClaimNotOwnedError';
}

export function isClaimNotOwnedError(err: unknown): err is ClaimNotOwnedError {
  return err instanceof ClaimNotOwnedError;
}

/** RemoveNode refuses the node: one of the subclasses below says why. Not retried. */
export class RemovalRefusedError extends ShepherdError {
  override name = 'RemovalRefusedError';
}

export function isRemovalRefusedError(err: unknown): err is RemovalRefusedError {
  return err instanceof RemovalRefusedError;
}

/** The node was not provisioned by shepherd (no claim of this cluster records it). */
export class NodeNotOwnedError extends RemovalRefusedError {
  override name = 'NodeNotOwnedError';
}

/** No Node of that name, and no record of one. */
export class NodeNotFoundError extends RemovalRefusedError {
  override name = 'NodeNotFoundError';
}

/** Removing the node would leave its pool below its min; `force` overrides. */
export class LastNodeAtMinError extends RemovalRefusedError {
  override name = 'LastNodeAtMinError';
}

/** Another execution is provisioning or removing the node. */
export class RemovalInProgressError extends RemovalRefusedError {
  override name = 'RemovalInProgressError';
}

/** The refusals by name, as decisions/remove-node.ts names them. */
export const REMOVAL_REFUSALS = {
  NodeNotOwnedError,
  NodeNotFoundError,
  LastNodeAtMinError,
  RemovalInProgressError,
} as const;
