import { InvalidInputError } from '../runtime/errors.js';

/**
 * The lease one heal holds on a node (an item of the table): while it is held, no other execution heals that node.
 * A lease expires on its own, so a heal that crashed without releasing it blocks the node only until then.
 */
export interface NodeLease {
  node: string;
  /** The execution (ARN) holding it; absent once released. */
  owner?: string;
  /** Epoch seconds: the lease is free from this instant on (inclusive). */
  leaseExpiresAt: number;
  acquiredAt: string;
  /** Who held it last and when it was let go, once released. */
  releasedBy?: string;
  releasedAt?: string;
}

export type LeaseAvailability =
  | { free: true; why: 'none' | 'released' | 'expired' | 'own' }
  | { free: false; holder: string; leaseExpiresAt: number; reason: string };

/**
 * Whether `owner` may take the lease at `nowSeconds`: nobody holds it, it was released, it expired, or `owner` already
 * holds it (a retried step takes it again harmlessly). The store's condition expression implements the same rule:
 * `attribute_not_exists(pk) OR attribute_not_exists(owner) OR owner = :me OR leaseExpiresAt <= :now`.
 */
export function leaseAvailability(lease: NodeLease | undefined, owner: string, nowSeconds: number): LeaseAvailability {
  if (!lease) return { free: true, why: 'none' };
  if (lease.owner === undefined) return { free: true, why: 'released' };
  if (lease.owner === owner) return { free: true, why: 'own' };
  if (lease.leaseExpiresAt <= nowSeconds) return { free: true, why: 'expired' };
  return {
    free: false,
    holder: lease.owner,
    leaseExpiresAt: lease.leaseExpiresAt,
    reason: `node ${lease.node} is being healed by execution ${executionName(lease.owner)} (lease expires in ${lease.leaseExpiresAt - nowSeconds} s)`,
  };
}

/** The longest a lease may be taken for: one heal never runs a day; a longer lease would block a node too long. */
export const MAX_LEASE_SECONDS = 86_400;

export interface LeaseRequest {
  node: string;
  owner: string;
  ttlSeconds: number;
}

/** Kubernetes object names (RFC 1123 subdomain): what a Node may be called. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The lease request of a workflow step, checked; InvalidInputError names the field that is wrong. */
export function leaseRequest(input: { node?: unknown; owner?: unknown; ttlSeconds?: unknown }, needsTtl: boolean): LeaseRequest {
  const { node, owner, ttlSeconds } = input;
  if (typeof node !== 'string' || node.length > 253 || !NODE_NAME.test(node)) {
    throw new InvalidInputError(`node must be a Kubernetes node name (lower-case letters, digits, '-' and '.', at most 253), got ${shown(node)}`);
  }
  if (typeof owner !== 'string' || owner.trim() === '' || owner.length > 2048) {
    throw new InvalidInputError(`owner must be the execution's ARN ($$.Execution.Id), got ${shown(owner)}`);
  }
  if (!needsTtl) return { node, owner, ttlSeconds: 0 };
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_LEASE_SECONDS) {
    throw new InvalidInputError(`ttlSeconds must be a whole number of seconds from 1 to ${MAX_LEASE_SECONDS}, got ${shown(ttlSeconds)}`);
  }
  return { node, owner, ttlSeconds };
}

/** The execution's name, the last part of its ARN (what the console and `shepherd executions` show). */
export function executionName(owner: string): string {
  return owner.startsWith('arn:') ? (owner.split(':').at(-1) ?? owner) : owner;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
