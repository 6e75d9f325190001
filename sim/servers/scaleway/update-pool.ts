import type { SimRequest } from '../../http.js';
import { isInsufficientCapacityError } from '../../world/errors.js';
import type { ScalewayPool } from '../../world/types.js';
import type { World } from '../../world/world.js';
import { invalidArguments, outOfStock } from './errors.js';
import { checkNodeQuota } from './quota.js';
import { wireNodeType } from './wire.js';

/** The PATCH /pools/{pool_id} fields the simulation acts on (kubelet_args and upgrade_policy are accepted and ignored). */
export interface UpdatePoolBody {
  size?: number;
  min_size?: number;
  max_size?: number;
  autoscaling?: boolean;
  autohealing?: boolean;
  tags?: string[];
}

export function parseUpdatePool(req: SimRequest): UpdatePoolBody {
  let raw: unknown;
  try {
    raw = req.json() ?? {};
  } catch {
    throw invalidArguments({ argument_name: 'body', reason: 'format', help_message: 'request body is not valid JSON' });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidArguments({ argument_name: 'body', reason: 'format', help_message: 'request body must be a JSON object' });
  }
  const b = raw as Record<string, unknown>;
  const out: UpdatePoolBody = {};
  for (const key of ['size', 'min_size', 'max_size'] as const) {
    const v = b[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw invalidArguments({ argument_name: key, reason: 'format', help_message: 'must be a non-negative integer' });
    }
    out[key] = v;
  }
  for (const key of ['autoscaling', 'autohealing'] as const) {
    const v = b[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw invalidArguments({ argument_name: key, reason: 'format', help_message: 'must be a boolean' });
    out[key] = v;
  }
  if (b.tags !== undefined && b.tags !== null) {
    if (!Array.isArray(b.tags) || !b.tags.every((t) => typeof t === 'string')) {
      throw invalidArguments({ argument_name: 'tags', reason: 'format', help_message: 'must be a list of strings' });
    }
    out.tags = b.tags;
  }
  return out;
}

/**
 * Applies a pool update to the world: limits first, then the size. Checks everything before
 * changing anything, so a refused PATCH leaves the pool as it was.
 */
export function applyUpdatePool(world: World, pool: ScalewayPool, body: UpdatePoolBody): void {
  const minSize = body.min_size ?? pool.minSize;
  const maxSize = body.max_size ?? pool.maxSize;
  if (minSize > maxSize) {
    throw invalidArguments({ argument_name: 'min_size', reason: 'constraint', help_message: `min_size ${minSize} must not exceed max_size ${maxSize}` });
  }
  if (body.size !== undefined && pool.nodeType === 'external') {
    throw invalidArguments({ argument_name: 'size', reason: 'constraint', help_message: 'external pools are sized by the nodes that join them' });
  }
  const size = body.size ?? pool.size;
  if (pool.nodeType !== 'external' && (size < minSize || size > maxSize)) {
    throw invalidArguments({
      argument_name: body.size !== undefined ? 'size' : size < minSize ? 'min_size' : 'max_size',
      reason: 'constraint',
      help_message: `size ${size} must be between min_size ${minSize} and max_size ${maxSize}`,
    });
  }
  checkNodeQuota(world, pool, size);
  world.updatePool(pool.id, {
    minSize,
    maxSize,
    ...(body.autoscaling !== undefined ? { autoscaling: body.autoscaling } : {}),
    ...(body.autohealing !== undefined ? { autohealing: body.autohealing } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  });
  if (size === pool.size) return;
  try {
    world.resizePool(pool.id, size);
  } catch (err) {
    if (isInsufficientCapacityError(err)) throw outOfStock(wireNodeType(err.type));
    throw err;
  }
}
