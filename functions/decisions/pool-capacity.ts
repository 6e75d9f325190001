import { InvalidInputError } from '../runtime/errors.js';

/** The claims a pool's counter holds (POOL#<pool> / STATE in the claims table), and when the unfinished ones expire. */
export interface PoolClaims {
  /** Claim ids counted against the pool's max. */
  counted: string[];
  /** Epoch seconds, for claims not yet active: past it a claim no longer counts (the claim step gives its room away). */
  expiries: Record<string, number>;
}

/** A request as validate-input planned it: the claim ids its slots will take. */
export interface CapacityRequest {
  pool: string;
  max: number;
  claimIds: readonly string[];
}

/**
 * Claims that stand between this request and the pool's max: counted, not expired, and not the request's own. The
 * request's own claim ids may be counted already when the same requestId runs again (its node reused, or an
 * execution still holding it): those need no more room, so they do not count against it.
 */
export function claimsOfOthers(request: CapacityRequest, claims: PoolClaims, nowSeconds: number): number {
  const own = new Set(request.claimIds);
  return claims.counted.filter((id) => !own.has(id) && !(claims.expiries[id] !== undefined && claims.expiries[id] <= nowSeconds)).length;
}

/**
 * Refuses up front a request the pool cannot hold, before anything is claimed or launched: its claims plus the
 * others' would exceed max. The claim step still counts each slot under a condition, so two requests racing for the
 * last places cannot both get them; this check only spares a request that cannot succeed its partial launches.
 */
export function checkFreeCapacity(request: CapacityRequest, claims: PoolClaims, nowSeconds: number): void {
  const others = claimsOfOthers(request, claims, nowSeconds);
  const free = Math.max(0, request.max - others);
  const count = request.claimIds.length;
  if (count <= free) return;
  throw new InvalidInputError(
    `pool ${request.pool} has ${free} of its ${request.max} nodes free (${others} claimed); asked for ${count}. Lower count, raise pools[].max, or remove a node.`,
  );
}
