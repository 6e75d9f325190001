import type { PoolConfig } from '../../../config/types.js';
import type { Offering, VmRef } from '../../decisions/provision.js';

export interface LaunchSpec {
  clusterName: string;
  pool: PoolConfig;
  claimId: string;
  /** The execution that owns the claim; part of the launch's idempotency key. */
  owner: string;
  offering: Offering;
  /** Contains join secrets: never log or return it. */
  userData?: string;
}

/**
 * One provider's VM API. Implementations throw InsufficientCapacityError (try the next offering),
 * ThrottledError / TransientError (retry later) or ProviderRequestError (give up) from runtime/errors.
 */
export interface CloudProvider {
  /** Idempotent per (claim, offering): a retry after a crash returns the VM the first call created. */
  launch(spec: LaunchSpec): Promise<VmRef>;
  /** Every live VM tagged with this claim (what a crash mid-launch may have left behind). */
  findByClaim(claimId: string, pool: PoolConfig): Promise<VmRef[]>;
  /** Terminates the VM; a VM already gone is not an error. */
  terminate(vm: VmRef, pool: PoolConfig): Promise<void>;
}

/** Tags (EC2) / labels (GCE) shepherd puts on every VM it creates; IAM conditions rely on shepherd:cluster. */
export const TAG_CLUSTER = 'shepherd:cluster';
export const TAG_POOL = 'shepherd:pool';
export const TAG_CLAIM = 'shepherd:claim';
